package pbe

import (
	"strings"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// Concatenation splitting: after each cost level the search tries to write
// the target as P1 ++ rest, where P1 is a stored program whose value is a
// prefix of the output on every example and rest is, recursively, a stored
// program, another split, or a small conditional. Every piece comes from
// the bottom-up banks, so it is a program of the grammar; the whole is
// checked against all examples like any other candidate.

const (
	maxSplitCalls = 4096    // recursive calls per attempt
	maxSplitTries = 48      // prefixes tried per call
	maxSubDT      = 8       // conditionals tried per attempt
	maxSubDTWork  = 1 << 23 // stored values scanned per conditional
	splitDepth    = 4       // pieces at most
	// maxSplitProbes bounds the prefixes whose remainder is probed (two hash
	// lookups each) per attempt.
	maxSplitProbes = 1 << 16
)

func (s *searcher) trySplit(p *sygus.Problem) *sygus.Term {
	if len(s.splitProds) == 0 || s.g.nts[s.g.start].sort != sygus.SortString {
		return nil
	}
	target := make([]string, s.m)
	for j, v := range s.target {
		target[j] = v.Str
	}
	s.splitCalls, s.subDT, s.splitProbes = 0, 0, 0
	return s.split(p, s.g.start, target, splitDepth)
}

func (s *searcher) lookupVec(nt int, vec []string) int32 {
	h := uint64(golden)
	for _, v := range vec {
		h = fmix(h ^ strHash(v))
	}
	idx := s.banks[nt].seen.lookup(h)
	if idx < 0 || int(idx) >= s.banks[nt].size() {
		return -1
	}
	got := s.strVec(nt, idx)
	for j := range vec {
		if got[j] != vec[j] {
			return -1
		}
	}
	return idx
}

func (s *searcher) split(p *sygus.Problem, nt int, target []string, depth int) *sygus.Term {
	if idx := s.lookupVec(nt, target); idx >= 0 {
		return s.term(p, nt, idx)
	}
	if depth < splitDepth {
		if t := s.twoValued(p, nt, target); t != nil {
			return t
		}
	}
	if depth <= 1 || s.splitCalls >= maxSplitCalls {
		return nil
	}
	s.splitCalls++
	for _, pid := range s.splitProds {
		pr := &s.g.prods[pid]
		if pr.nt != nt {
			continue
		}
		a, b := pr.args[0], pr.args[1]
		first := s.banks[a].first
		t0 := target[0]
		tries := 0
	prefixes:
		for l := len(t0); l >= 1; l-- {
			for idx := first.first(strHash(t0[:l])); idx >= 0; idx = first.then(idx) {
				vals := s.strVec(a, idx)
				ok := true
				for j := range target {
					if !strings.HasPrefix(target[j], vals[j]) {
						ok = false
						break
					}
				}
				if !ok {
					continue
				}
				rem := make([]string, len(target))
				for j := range target {
					rem[j] = target[j][len(vals[j]):]
				}
				// Cheap completions first (hash probes): a stored program
				// or a two-valued conditional for the remainder. They are
				// tried for every prefix; the recursive search only for the
				// first maxSplitTries.
				if s.splitProbes++; s.splitProbes > maxSplitProbes {
					break prefixes
				}
				r := s.complete(p, b, rem)
				if r == nil && tries < maxSplitTries && s.splitCalls < maxSplitCalls {
					tries++
					r = s.split(p, b, rem, depth-1)
				}
				if r != nil {
					return &sygus.Term{Kind: sygus.TermApp, Sort: sygus.SortString, Op: sygus.OpConcat, Spell: pr.spell,
						Args: []*sygus.Term{s.term(p, a, idx), r}}
				}
			}
		}
	}
	if depth < splitDepth && s.m <= 64 && s.subDT < maxSubDT && s.banks[nt].size()*s.m <= maxSubDTWork {
		s.subDT++
		return s.subConditional(p, nt, target)
	}
	return nil
}

// subConditional finds (ite c P Q) for a remainder: two stored programs
// that cover its examples and one stored predicate that separates them.
func (s *searcher) subConditional(p *sygus.Problem, nt int, target []string) *sygus.Term {
	ite := s.iteOf(nt)
	if ite < 0 {
		return nil
	}
	full := uint64(1)<<s.m - 1
	if s.m == 64 {
		full = ^uint64(0)
	}
	// Greedy cover with two programs: the one right on most examples, then
	// the one right on most of the rest.
	b := &s.banks[nt]
	n := b.size()
	best1, best1n := int32(-1), 0
	masks := make([]uint64, n)
	for i := 0; i < n; i++ {
		v := s.strVec(nt, int32(i))
		var mk uint64
		for j := range target {
			if v[j] == target[j] {
				mk |= 1 << j
			}
		}
		masks[i] = mk
		if c := popcount(mk); c > best1n {
			best1, best1n = int32(i), c
		}
	}
	if best1 < 0 {
		return nil
	}
	rest := full &^ masks[best1]
	best2, best2n := int32(-1), 0
	for i, mk := range masks {
		if c := popcount(mk & rest); c > best2n {
			best2, best2n = int32(i), c
		}
	}
	if best2 < 0 || (masks[best1]|masks[best2]) != full {
		return nil
	}
	// A predicate true exactly where best1 is needed (or its complement).
	pr := &s.g.prods[ite]
	cond := pr.args[0]
	only1 := full &^ masks[best2] // examples only best1 gets right
	only2 := full &^ masks[best1]
	cb := &s.banks[cond]
	for i := range cb.size() {
		pm := cb.bools.row(i)[0] & full
		var yes, no int32
		switch {
		case pm&only2 == 0 && (full&^pm)&only1 == 0:
			yes, no = best1, best2
		case pm&only1 == 0 && (full&^pm)&only2 == 0:
			yes, no = best2, best1
		default:
			continue
		}
		return &sygus.Term{Kind: sygus.TermApp, Sort: sygus.SortString, Op: sygus.OpIte, Spell: pr.spell,
			Args: []*sygus.Term{s.term(p, cond, int32(i)), s.term(p, nt, yes), s.term(p, nt, no)}}
	}
	return nil
}

// complete is the cheap part of split: a stored program with exactly the
// remainder's values, or a two-valued conditional.
func (s *searcher) complete(p *sygus.Problem, nt int, rem []string) *sygus.Term {
	if idx := s.lookupVec(nt, rem); idx >= 0 {
		return s.term(p, nt, idx)
	}
	return s.twoValued(p, nt, rem)
}

// twoValued finds (ite c A B) for a remainder that takes two values, each
// the value of a stored program on every example (typically "" and a
// suffix), and a stored predicate true exactly where the first is wanted.
// Every lookup is a hash probe, so it is cheap enough to try on every
// prefix.
func (s *searcher) twoValued(p *sygus.Problem, nt int, target []string) *sygus.Term {
	if s.m > 64 || s.m < 2 {
		return nil
	}
	a, b, hasB := target[0], "", false
	var maskA uint64
	for j, v := range target {
		switch {
		case v == a:
			maskA |= 1 << j
		case !hasB:
			b, hasB = v, true
		case v != b:
			return nil
		}
	}
	if !hasB {
		return nil
	}
	ite := s.iteOf(nt)
	if ite < 0 {
		return nil
	}
	vec := make([]string, s.m)
	constant := func(v string) int32 {
		for j := range vec {
			vec[j] = v
		}
		return s.lookupVec(nt, vec)
	}
	ia, ib := constant(a), constant(b)
	if ia < 0 || ib < 0 {
		return nil
	}
	pr := &s.g.prods[ite]
	cond := pr.args[0]
	for _, mk := range []uint64{maskA, s.fullMask &^ maskA} {
		c := s.lookupMask(cond, mk)
		if c < 0 {
			continue
		}
		yes, no := ia, ib
		if mk != maskA {
			yes, no = ib, ia
		}
		return &sygus.Term{Kind: sygus.TermApp, Sort: sygus.SortString, Op: sygus.OpIte, Spell: pr.spell,
			Args: []*sygus.Term{s.term(p, cond, c), s.term(p, nt, yes), s.term(p, nt, no)}}
	}
	return nil
}

// iteOf is the production (ite B nt nt) of nt, or -1.
func (s *searcher) iteOf(nt int) int {
	for _, id := range s.g.nts[nt].prods {
		pr := &s.g.prods[id]
		if pr.kind == pkOp && pr.op == sygus.OpIte && pr.args[1] == nt && pr.args[2] == nt {
			return id
		}
	}
	return -1
}

// lookupMask finds the stored predicate of the bool non-terminal nt whose
// value on the (at most 64) active examples is mk.
func (s *searcher) lookupMask(nt int, mk uint64) int32 {
	if s.w != 1 || s.banks[nt].sort != sygus.SortBool {
		return -1
	}
	h := fmix(uint64(golden) ^ mk*golden)
	idx := s.banks[nt].seen.lookup(h)
	if idx < 0 || int(idx) >= s.banks[nt].size() || s.banks[nt].bools.row(int(idx))[0] != mk {
		return -1
	}
	return idx
}
