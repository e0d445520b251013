package pbe

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// Constants proposed from the examples. Some outputs insert a word that no
// input holds and the grammar has no constant for: ", USA" appended to
// "Los Angeles, CA", "NY" for "New York". The grammar can spell such a word
// out of one-letter constants, but that takes three or more nodes per word,
// which a bottom-up search at these budgets does not reach. A word that two
// or more outputs share, and that
// at least one of them inserts, is offered to the search as one leaf: a
// literal where the grammar allows any constant, else the concatenation of
// grammar constants that spells it, so every solution stays a term of the
// task's grammar. Either way it is weighed as a grammar constant the prior
// has not seen (baseWeights): the task's author could have written it.
//
// These leaves are the task's own data. They are used locally only: Hole
// turns a constant sub-term that spells a word of the examples into a hole
// before anything is shared, as it does for a plain constant.

// maxProposed bounds the leaves proposed for one task.
const maxProposed = 6

// proposeConstants adds the proposed words of p's examples to g as leaves.
func proposeConstants(p *sygus.Problem, g *grammar) {
	if p.Fun.Ret != sygus.SortString {
		return
	}
	nt := g.start
	if g.nts[nt].sort != sygus.SortString {
		return
	}
	have := map[string]bool{}
	var consts []string
	for _, id := range g.nts[nt].prods {
		if pd := g.prods[id]; pd.kind == pkConst && pd.val.Sort == sygus.SortString {
			have[pd.val.Str] = true
			if pd.val.Str != "" {
				consts = append(consts, pd.val.Str)
			}
		}
	}
	concat := -1
	for _, id := range g.nts[nt].prods {
		pd := g.prods[id]
		if pd.kind == pkOp && pd.op == sygus.OpConcat && len(pd.args) == 2 && pd.args[0] == nt && pd.args[1] == nt {
			concat = id
			break
		}
	}
	for _, w := range proposedWords(p) {
		if have[w] {
			continue
		}
		if g.openConst[nt] {
			v := sygus.StrVal(w)
			g.prods = append(g.prods, prod{nt: nt, kind: pkConst, val: v, key: constKey(v)})
			g.nts[nt].prods = append(g.nts[nt].prods, len(g.prods)-1)
			continue
		}
		if concat < 0 {
			continue
		}
		pieces := spellWith(w, consts)
		if pieces == nil {
			continue
		}
		t := spelled(pieces, g.prods[concat].spell)
		g.prods = append(g.prods, prod{nt: nt, kind: pkLib, lib: &libProgram{term: t, key: "proposed", word: true}, key: "lib"})
		g.nts[nt].prods = append(g.nts[nt].prods, len(g.prods)-1)
	}
}

// proposedWords lists the words (maximal runs of two or more letters or
// digits) that occur in the outputs of at least two examples and that the
// output of at least one example holds while none of its string inputs
// does; most shared first, at most maxProposed.
func proposedWords(p *sygus.Problem) []string {
	outs := map[string]int{}
	inserted := map[string]bool{}
	for _, ex := range p.Examples {
		if ex.Out.Sort != sygus.SortString {
			continue
		}
		seen := map[string]bool{}
		for _, w := range words(ex.Out.Str) {
			if seen[w] {
				continue
			}
			seen[w] = true
			outs[w]++
			in := false
			for _, v := range ex.In {
				if v.Sort == sygus.SortString && strings.Contains(v.Str, w) {
					in = true
					break
				}
			}
			if !in {
				inserted[w] = true
			}
		}
	}
	var out []string
	for w, n := range outs {
		if n >= 2 && inserted[w] {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if outs[a] != outs[b] {
			return outs[b] - outs[a]
		}
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	if len(out) > maxProposed {
		out = out[:maxProposed]
	}
	return out
}

// words splits s into its maximal runs of letters and digits of two or
// more characters.
func words(s string) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start >= 0 && utf8.RuneCountInString(s[start:end]) >= minSecret {
			out = append(out, s[start:end])
		}
		start = -1
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

// spellWith writes w as a concatenation of the fewest constants, or nil
// when the constants cannot spell it.
func spellWith(w string, consts []string) []string {
	// best[i] is the fewest pieces that spell w[i:], -1 if none.
	n := len(w)
	best := make([]int, n+1)
	next := make([]string, n+1)
	for i := n - 1; i >= 0; i-- {
		best[i] = -1
		for _, c := range consts {
			if strings.HasPrefix(w[i:], c) && best[i+len(c)] >= 0 {
				if k := best[i+len(c)] + 1; best[i] < 0 || k < best[i] || (k == best[i] && c < next[i]) {
					best[i], next[i] = k, c
				}
			}
		}
	}
	if best[0] < 0 {
		return nil
	}
	var out []string
	for i := 0; i < n; i += len(next[i]) {
		out = append(out, next[i])
	}
	return out
}

// spelled is the right-nested concatenation of the pieces.
func spelled(pieces []string, spell string) *sygus.Term {
	last := len(pieces) - 1
	t := &sygus.Term{Kind: sygus.TermConst, Sort: sygus.SortString, Val: sygus.StrVal(pieces[last])}
	for i := last - 1; i >= 0; i-- {
		c := &sygus.Term{Kind: sygus.TermConst, Sort: sygus.SortString, Val: sygus.StrVal(pieces[i])}
		t = &sygus.Term{Kind: sygus.TermApp, Sort: sygus.SortString, Op: sygus.OpConcat, Spell: spell, Args: []*sygus.Term{c, t}}
	}
	return t
}
