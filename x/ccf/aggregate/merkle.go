package aggregate

import (
	"crypto/sha256"
	"encoding/binary"
)

// Merkle domain-separation prefixes.
const (
	merkleLeafPrefix = 0x00
	merkleNodePrefix = 0x01
)

// MerkleLeaf returns the leaf hash of one entry:
// SHA-256(0x00 || uint64be(len(CID)) || CID || uint32be(WeightPPM)).
func MerkleLeaf(e Entry) [32]byte {
	buf := make([]byte, 0, 1+8+len(e.CID)+4)
	buf = append(buf, merkleLeafPrefix)
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(e.CID)))
	buf = append(buf, e.CID...)
	buf = binary.BigEndian.AppendUint32(buf, e.WeightPPM)
	return sha256.Sum256(buf)
}

// MerkleNode returns SHA-256(0x01 || left || right).
func MerkleNode(left, right [32]byte) [32]byte {
	var buf [65]byte
	buf[0] = merkleNodePrefix
	copy(buf[1:33], left[:])
	copy(buf[33:], right[:])
	return sha256.Sum256(buf[:])
}

// MerkleRoot returns the root over the (CID, WeightPPM) leaves of entries in
// the given order. Each level pairs nodes left to right; an odd last node is
// promoted unchanged. One entry: its leaf hash. No entries: 32 zero bytes.
func MerkleRoot(entries []Entry) [32]byte {
	if len(entries) == 0 {
		return [32]byte{}
	}
	level := make([][32]byte, len(entries))
	for i := range entries {
		level[i] = MerkleLeaf(entries[i])
	}
	for len(level) > 1 {
		next := level[:0]
		for i := 0; i < len(level); i += 2 {
			if i+1 < len(level) {
				next = append(next, MerkleNode(level[i], level[i+1]))
			} else {
				next = append(next, level[i])
			}
		}
		level = next
	}
	return level[0]
}
