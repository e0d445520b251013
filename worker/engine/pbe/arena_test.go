package pbe

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// TestArena: values come back as they went in, across chunks; a value
// that lies in the arena already (a substring of a stored one) is shared,
// not copied; one longer than a chunk gets a chunk of its own; one longer
// than maxArenaString is refused.
func TestArena(t *testing.T) {
	a := &strArena{}
	if r, ok := a.ref(""); !ok || r != 0 || a.str(r) != "" {
		t.Fatalf("empty string: %v %v", r, ok)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var refs []sref
	var want []string
	for i := 0; i < 3000; i++ {
		v := strings.Repeat(string(rune('a'+i%26)), 1+rng.IntN(4000))
		r, ok := a.ref(v)
		if !ok {
			t.Fatal("refused a short string")
		}
		refs, want = append(refs, r), append(want, v)
	}
	if len(a.chunks) < 3 {
		t.Fatalf("%d chunks: the test does not cross two chunks", len(a.chunks))
	}
	// A small search must not pay for a whole chunk: chunks start small
	// and double.
	if cap(a.chunks[0]) != firstChunk || cap(a.chunks[1]) != 2*firstChunk {
		t.Errorf("chunk sizes %d, %d: want %d, then double", cap(a.chunks[0]), cap(a.chunks[1]), firstChunk)
	}
	for i, r := range refs {
		if a.str(r) != want[i] {
			t.Fatalf("value %d changed", i)
		}
	}
	before := a.bytes
	s := a.str(refs[1500])
	sub, _ := a.ref(s[1 : len(s)-1])
	if a.bytes != before || a.str(sub) != s[1:len(s)-1] {
		t.Errorf("a substring of a stored value was copied (%d bytes) or changed", a.bytes-before)
	}
	big := strings.Repeat("x", chunkSize+10)
	r, ok := a.ref(big)
	if !ok || a.str(r) != big {
		t.Fatal("a string longer than a chunk did not come back")
	}
	tail, _ := a.ref(a.str(r)[chunkSize+5:])
	if a.str(tail) != "xxxxx" {
		t.Errorf("a substring past a chunk's length: %q", a.str(tail))
	}
	if _, ok := a.ref(strings.Repeat("y", maxArenaString+1)); ok {
		t.Error("a string longer than maxArenaString was stored")
	}
	for i, r := range refs {
		if a.str(r) != want[i] {
			t.Fatalf("value %d changed after more chunks", i)
		}
	}
}

// TestRows: rows keep their values across chunks and never move.
func TestRows(t *testing.T) {
	r := rows[int64]{width: 3}
	first, size := r.next()
	if size != 24 {
		t.Errorf("row size %d, want 24", size)
	}
	first[0] = 7
	for i := 1; i < 3*rowsPerChunk; i++ {
		row, _ := r.next()
		row[0], row[1], row[2] = int64(i), int64(-i), int64(2*i)
	}
	if &r.row(0)[0] != &first[0] {
		t.Error("row 0 moved")
	}
	for _, i := range []int{0, 1, rowsPerChunk - 1, rowsPerChunk, 2*rowsPerChunk + 5, 3*rowsPerChunk - 1} {
		got := r.row(i)
		if i > 0 && (got[0] != int64(i) || got[1] != int64(-i) || got[2] != int64(2*i)) || i == 0 && got[0] != 7 {
			t.Errorf("row %d = %v", i, got)
		}
	}
}

// TestFirstIndex: programs come back per hash in the order they were
// filed, and an unknown hash (or a nil index) has none.
func TestFirstIndex(t *testing.T) {
	var f firstIndex
	want := map[uint64][]int32{}
	for i := int32(0); i < 5000; i++ {
		h := uint64(i%37) * 0x9E3779B97F4A7C15
		f.add(h, i)
		want[h] = append(want[h], i)
	}
	for h, w := range want {
		var got []int32
		for i := f.first(h); i >= 0; i = f.then(i) {
			got = append(got, i)
		}
		if len(got) != len(w) {
			t.Fatalf("hash %x: %d programs, want %d", h, len(got), len(w))
		}
		for k := range w {
			if got[k] != w[k] {
				t.Fatalf("hash %x: order %v", h, got[:k+1])
			}
		}
	}
	if f.first(12345) != -1 || (*firstIndex)(nil).first(1) != -1 {
		t.Error("an unknown hash has programs")
	}
}

// TestReplaceScratch: str.replace built in scratch agrees with the
// evaluator's, including an empty pattern and no match.
func TestReplaceScratch(t *testing.T) {
	xs := []string{"a-b-c", "", "abc", "xx", "New York, NY", "aaa"}
	ys := []string{"-", "", "", "y", "New York", "aa"}
	zs := []string{"+", "q", "Z", "", "NY", "b"}
	s := &searcher{m: len(xs), outS: make([]string, len(xs))}
	s.replaceScratch(xs, ys, zs)
	for j := range xs {
		if want := sygus.Replace(xs[j], ys[j], zs[j]); s.outS[j] != want {
			t.Errorf("replace(%q, %q, %q) = %q, want %q", xs[j], ys[j], zs[j], s.outS[j], want)
		}
	}
}

// TestFirstVec: the kept first-argument vector is always the program's own,
// whatever order programs are asked in, and a reset (a new bank, as a JIT
// restart makes) never serves the old bank's vector.
func TestFirstVec(t *testing.T) {
	p := load(t, "lastname.sl")
	p.Examples[0].Out = sygus.StrVal("unreachable output")
	g, err := compileGrammar(p)
	if err != nil {
		t.Fatal(err)
	}
	check := func(s *searcher) int {
		n := 0
		for nt, b := range s.banks {
			if b.sort != sygus.SortString {
				continue
			}
			size := int32(b.size())
			for i := int32(0); i < size; i++ {
				for _, k := range []int32{i, i, max(0, i-1), i} {
					got := append([]string(nil), s.firstVec(nt, k)...)
					if want := s.strVec(nt, k); !slices.Equal(got, want) {
						t.Fatalf("firstVec(%d, %d) = %q, want %q", nt, k, got, want)
					}
					n++
				}
			}
		}
		return n
	}
	run := func(s *searcher, levels int) {
		var cand int64
		s.ctx, s.maxCand, s.candidates, s.maxBank, s.memBudget = context.Background(), 5_000, &cand, 1<<30, 1<<30
		s.setCosts(baseWeights(g, nil), nil)
		s.eff = make([][][]span, len(s.cx.deltas))
		for c := 1; c <= levels && s.runLevel(c); c++ {
		}
	}
	s := newSearcher(g, p.Examples, taskIsASCII(p, g))
	run(s, 40)
	if check(s) < 100 {
		t.Fatal("too few string programs to test")
	}
	// A reset makes a new bank, as a JIT restart does: the kept vector
	// must not outlive it, since the same index then names another program.
	s.firstVec(0, 0)
	s.reset()
	if s.firstOK {
		t.Fatal("a reset kept the old bank's first-argument vector")
	}
	s.inputs[0][0] = sygus.StrVal("Someone Else")
	run(s, 40)
	check(s)
}
