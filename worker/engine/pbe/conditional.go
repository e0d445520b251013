package pbe

import (
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// conditional tries divide and conquer: cover the examples with a few
// programs of the start symbol, then learn a decision tree over the
// enumerated predicates that sends each example to a program that is right
// on it. It returns nil when no tree with at most maxLeaves leaves exists
// over what has been enumerated so far.
func (s *searcher) conditional(p *sygus.Problem, maxLeaves int) *sygus.Term {
	ite := &s.g.prods[s.g.ite]
	cond := ite.args[0]
	terms := s.cover(maxLeaves)
	if terms == nil {
		return nil
	}
	preds := s.banks[cond].size()
	if preds == 0 {
		return nil
	}
	predMask := func(i int) uint64 {
		return s.banks[cond].bools.row(i)[0] & s.fullMask
	}
	leaves := 0
	var build func(e uint64, depth int) *sygus.Term
	build = func(e uint64, depth int) *sygus.Term {
		for _, t := range terms {
			if e&^s.startMask[t] == 0 {
				leaves++
				return s.term(p, s.g.start, t)
			}
		}
		if depth == 0 || leaves >= maxLeaves {
			return nil
		}
		best, bestScore := -1, -1
		for i := range preds {
			pm := predMask(i)
			l, r := e&pm, e&^pm
			if l == 0 || r == 0 {
				continue
			}
			score := s.bestCover(terms, l) + s.bestCover(terms, r)
			if score > bestScore {
				best, bestScore = i, score
				if score == popcount(e) {
					break // both sides solved by one program each
				}
			}
		}
		if best < 0 {
			return nil
		}
		pm := predMask(best)
		left := build(e&pm, depth-1)
		if left == nil {
			return nil
		}
		right := build(e&^pm, depth-1)
		if right == nil {
			return nil
		}
		return &sygus.Term{Kind: sygus.TermApp, Sort: s.g.nts[s.g.start].sort, Op: sygus.OpIte, Spell: ite.spell,
			Args: []*sygus.Term{s.term(p, cond, int32(best)), left, right}}
	}
	return build(s.fullMask, maxLeaves-1)
}

// bestCover is the most examples of e one program gets right.
func (s *searcher) bestCover(terms []int32, e uint64) int {
	b := 0
	for _, t := range terms {
		b = max(b, popcount(e&s.startMask[t]))
	}
	return b
}

// cover picks, greedily, programs that together satisfy every example,
// preferring programs that satisfy many (cheaper ones on ties).
func (s *searcher) cover(maxLeaves int) []int32 {
	var chosen []int32
	var got uint64
	for len(chosen) < maxLeaves && got != s.fullMask {
		best, bestN := int32(-1), 0
		for i, m := range s.startMask {
			if n := popcount(m &^ got); n > bestN {
				best, bestN = int32(i), n
			}
		}
		if best < 0 {
			return nil
		}
		chosen = append(chosen, best)
		got |= s.startMask[best]
	}
	if got != s.fullMask {
		return nil
	}
	return chosen
}
