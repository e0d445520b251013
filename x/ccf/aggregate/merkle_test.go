package aggregate_test

import (
	"crypto/sha256"
	"testing"

	"github.com/h3lix/h3lix/x/ccf/aggregate"
)

// leafRef spells the leaf encoding out byte by byte.
func leafRef(cid string, w uint32) [32]byte {
	b := []byte{0x00}
	n := uint64(len(cid))
	for i := 7; i >= 0; i-- {
		b = append(b, byte(n>>(8*uint(i))))
	}
	b = append(b, cid...)
	b = append(b, byte(w>>24), byte(w>>16), byte(w>>8), byte(w))
	return sha256.Sum256(b)
}

func nodeRef(l, r [32]byte) [32]byte {
	return sha256.Sum256(append(append([]byte{0x01}, l[:]...), r[:]...))
}

func TestMerkleRoot(t *testing.T) {
	e := []aggregate.Entry{
		{CID: "bafyA", WeightPPM: 400_000},
		{CID: "bafyB", WeightPPM: 300_000},
		{CID: "bafyC", WeightPPM: 200_000},
		{CID: "", WeightPPM: 100_000},
		{CID: "bafyE", WeightPPM: 0},
	}
	l := make([][32]byte, len(e))
	for i := range e {
		l[i] = leafRef(e[i].CID, e[i].WeightPPM)
		if aggregate.MerkleLeaf(e[i]) != l[i] {
			t.Fatalf("leaf %d", i)
		}
	}
	tests := []struct {
		name string
		n    int
		want [32]byte
	}{
		{"empty", 0, [32]byte{}},
		{"one", 1, l[0]},
		{"two", 2, nodeRef(l[0], l[1])},
		{"three: odd promoted", 3, nodeRef(nodeRef(l[0], l[1]), l[2])},
		{"four", 4, nodeRef(nodeRef(l[0], l[1]), nodeRef(l[2], l[3]))},
		{"five", 5, nodeRef(nodeRef(nodeRef(l[0], l[1]), nodeRef(l[2], l[3])), l[4])},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := aggregate.MerkleRoot(e[:tc.n]); got != tc.want {
				t.Fatalf("got %x, want %x", got, tc.want)
			}
		})
	}
	// Only CID and WeightPPM are committed; other fields do not change the root.
	e2 := []aggregate.Entry{{ID: 99, Producer: "p", Kind: "k", Domain: "d", CID: "bafyA", WeightPPM: 400_000}}
	if aggregate.MerkleRoot(e2) != l[0] {
		t.Fatal("root depends on uncommitted fields")
	}
	// Length prefix: ("ab", w) and ("a", w') must not collide through concatenation.
	if aggregate.MerkleLeaf(aggregate.Entry{CID: "ab"}) == aggregate.MerkleLeaf(aggregate.Entry{CID: "a", WeightPPM: 'b' << 24}) {
		t.Fatal("leaf encoding is ambiguous")
	}
	// A leaf can never equal an inner node of two leaves (domain separation).
	if nodeRef(l[0], l[1]) == leafRef("", 0) {
		t.Fatal("impossible")
	}
}
