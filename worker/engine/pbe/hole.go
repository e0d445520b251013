package pbe

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// Privacy of what a node shares. A task's examples are its owner's data.
// Everything that leaves the node (a payload's program, check vectors and
// prior delta; a learned prior's counts and library) is built so that no
// string of two or more characters of the examples occurs in it:
//
//   - a constant of the program that overlaps an example string (contains
//     one, or occurs inside one) becomes a typed hole, an extra parameter
//     after the program's own ($1 for a one-parameter program), that a
//     receiving node fills from its own task's constants. This holds for the task
//     grammar's own constants too ("_acme.com" in a grammar whose outputs
//     end in "_acme.com" is the owner's data as much as the examples are);
//   - check vectors fill the holes with generated strings, and a vector
//     whose inputs, fills or output contain an example string is drawn
//     again.
//
// TestPrivacyScan checks this over every shared benchmark task.

// minSecret is the length (in characters) from which an example string is
// private. Single characters are separators every program uses.
const minSecret = 2

// maxHoles bounds the holes of one program, and so the fill combinations a
// receiving node tries.
const maxHoles = 4

// Secrets lists the strings of a task's examples that nothing shared may
// contain: each string input and output of two or more characters, sorted
// and without duplicates.
func Secrets(p *sygus.Problem) []string {
	var out []string
	add := func(v sygus.Value) {
		if v.Sort == sygus.SortString && utf8.RuneCountInString(v.Str) >= minSecret {
			out = append(out, v.Str)
		}
	}
	for _, ex := range p.Examples {
		for _, v := range ex.In {
			add(v)
		}
		add(ex.Out)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// leaks reports whether s contains one of the secrets.
func leaks(s string, secrets []string) bool {
	for _, x := range secrets {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// valueLeaks reports whether a value, as it would be shared (the string, or
// an integer's decimal digits), contains a secret.
func valueLeaks(v sygus.Value, secrets []string) bool {
	switch v.Sort {
	case sygus.SortString:
		return leaks(v.Str, secrets)
	case sygus.SortInt:
		return leaks(strconv.FormatInt(v.Int, 10), secrets)
	}
	return false
}

// taskConstant reports whether a program constant must become a hole: a
// string of two or more characters that contains an example string or
// occurs inside one, or an integer of two or more digits whose decimal
// form does. One-digit integers (-1, 0, 3) stay: they are indices and
// offsets, not data.
func taskConstant(v sygus.Value, secrets []string) bool {
	var s string
	switch v.Sort {
	case sygus.SortString:
		s = v.Str
	case sygus.SortInt:
		if v.Int > -10 && v.Int < 10 {
			return false
		}
		s = strconv.FormatInt(v.Int, 10)
	default:
		return false
	}
	if utf8.RuneCountInString(s) < minSecret {
		return false
	}
	for _, x := range secrets {
		if strings.Contains(s, x) || strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// spelledWord reports the value of a constant sub-term that is not a
// literal, e.g. (str.++ "U" (str.++ "S" "A")), when it assembles a word of
// the examples (two or more letters or digits in a row that no single
// argument's value holds whole): a word spelt out of one-character
// constants is as private as the literal would be, and proposed.go spells
// such words. The hole goes where the word is assembled, so separators
// around it stay in the program: (str.++ "," (str.++ " " (str.++ "N" "Y")))
// becomes (str.++ "," (str.++ " " $1)).
func spelledWord(t *sygus.Term, secrets []string) (sygus.Value, bool) {
	if t.Kind != sygus.TermApp || t.Sort != sygus.SortString || hasVar(t) || hasCall(t) {
		return sygus.Value{}, false
	}
	var ev sygus.Problem
	v, err := ev.Eval(t, nil, nil)
	if err != nil {
		return sygus.Value{}, false
	}
	var parts []string
	for _, a := range t.Args {
		if a.Sort != sygus.SortString {
			continue
		}
		if av, err := ev.Eval(a, nil, nil); err == nil {
			parts = append(parts, av.Str)
		}
	}
	for _, w := range words(v.Str) {
		whole := false
		for _, pt := range parts {
			if strings.Contains(pt, w) {
				whole = true
				break
			}
		}
		if !whole && taskConstant(sygus.StrVal(w), secrets) {
			return v, true
		}
	}
	return sygus.Value{}, false
}

// isHole reports whether t is a hole of a program over nparams parameters:
// holes are the parameters after the program's own.
func isHole(t *sygus.Term, nparams int) bool {
	return t.Kind == sygus.TermVar && t.Index >= nparams
}

// holeKey is the prior key of a hole: "a task constant of this sort here".
func holeKey(s sygus.Sort) string { return "c:?" + s.String() }

// Hole returns the canonical form of t (over nparams parameters) with each
// task constant replaced by a hole, numbered in order of first appearance;
// equal constants share a hole. It also returns the holes' sorts. A
// program with more than maxHoles distinct task constants keeps the first
// maxHoles as holes and reports ok=false: it cannot be shared.
func Hole(t *sygus.Term, nparams int, secrets []string) (h *sygus.Term, holes []sygus.Sort, ok bool) {
	index := map[sygus.Value]int{}
	ok = true
	h = rewrite(canonicalTerm(t), func(t *sygus.Term) *sygus.Term {
		v, isConst := t.Val, t.Kind == sygus.TermConst
		if !isConst {
			v, isConst = spelledWord(t, secrets)
		}
		if !isConst || (t.Kind == sygus.TermConst && !taskConstant(v, secrets)) {
			return nil
		}
		k, seen := index[v]
		if !seen {
			if len(holes) == maxHoles {
				ok = false
				return t
			}
			k = len(holes)
			index[v] = k
			holes = append(holes, v.Sort)
		}
		return &sygus.Term{Kind: sygus.TermVar, Sort: v.Sort, Name: "$" + strconv.Itoa(nparams+k), Index: nparams + k}
	})
	return h, holes, ok
}

// readsParam reports whether t reads one of the program's nparams
// parameters (holes are not parameters).
func readsParam(t *sygus.Term, nparams int) bool {
	if t.Kind == sygus.TermVar {
		return t.Index < nparams
	}
	for _, a := range t.Args {
		if readsParam(a, nparams) {
			return true
		}
	}
	return false
}

// holesInOrder checks that a parsed program uses each of its n holes and
// numbers them in order of first appearance, as Hole does, so that one
// program has one text.
func holesInOrder(t *sygus.Term, nparams, n int) bool {
	next := 0
	ok := true
	var walk func(t *sygus.Term)
	walk = func(t *sygus.Term) {
		if isHole(t, nparams) {
			switch k := t.Index - nparams; {
			case k == next:
				next++
			case k > next:
				ok = false
			}
		}
		for _, a := range t.Args {
			walk(a)
		}
	}
	walk(t)
	return ok && next == n
}

// holeSorts parses hole sort names; holes are strings or integers.
func holeSorts(names []string) ([]sygus.Sort, bool) {
	if len(names) > maxHoles {
		return nil, false
	}
	ss, err := sortsOf(names)
	if err != nil {
		return nil, false
	}
	for _, s := range ss {
		if s != sygus.SortString && s != sygus.SortInt {
			return nil, false
		}
	}
	return ss, true
}

// sortNames names sorts; no sorts is nil, so that a program without holes
// has no "holes" field.
func sortNames(ss []sygus.Sort) []string {
	if len(ss) == 0 {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.String()
	}
	return out
}

// maxFills bounds the hole fillings tried for one program and task.
const maxFills = 64

// taskConstants lists the constants of a task's grammar (for (Constant S)
// and the default grammar, the mined ones), in grammar order: what a node
// fills others' holes with.
func taskConstants(p *sygus.Problem) []sygus.Value {
	g, err := compileGrammar(p)
	if err != nil {
		return nil
	}
	return g.constants()
}

// constants lists the grammar's constant productions' values, each once,
// in production order.
func (g *grammar) constants() []sygus.Value {
	var out []sygus.Value
	seen := map[sygus.Value]bool{}
	for _, pd := range g.prods {
		if pd.kind == pkConst && !seen[pd.val] {
			seen[pd.val] = true
			out = append(out, pd.val)
		}
	}
	return out
}

// fillHoles instantiates a holed program (over nparams parameters) with
// the given constants: every combination of constants of each hole's sort,
// at most limit of them, in a fixed order.
func fillHoles(t *sygus.Term, nparams int, holes []sygus.Sort, consts []sygus.Value, limit int) []*sygus.Term {
	if len(holes) == 0 {
		return []*sygus.Term{t}
	}
	bySort := map[sygus.Sort][]sygus.Value{}
	for _, c := range consts {
		bySort[c.Sort] = append(bySort[c.Sort], c)
	}
	var out []*sygus.Term
	fill := make([]sygus.Value, len(holes))
	var rec func(k int)
	rec = func(k int) {
		if len(out) >= limit {
			return
		}
		if k == len(holes) {
			out = append(out, substHoles(t, nparams, fill))
			return
		}
		for _, c := range bySort[holes[k]] {
			fill[k] = c
			rec(k + 1)
		}
	}
	rec(0)
	return out
}

// substHoles replaces hole k by the constant fill[k].
func substHoles(t *sygus.Term, nparams int, fill []sygus.Value) *sygus.Term {
	return rewrite(t, func(t *sygus.Term) *sygus.Term {
		if !isHole(t, nparams) {
			return nil
		}
		v := fill[t.Index-nparams]
		return &sygus.Term{Kind: sygus.TermConst, Sort: v.Sort, Val: v}
	})
}

// rewrite copies t with every node for which f returns a replacement
// replaced (f sees the original node; its replacement is not visited
// again). Subtrees f leaves alone are shared, not copied.
func rewrite(t *sygus.Term, f func(*sygus.Term) *sygus.Term) *sygus.Term {
	if r := f(t); r != nil {
		return r
	}
	if len(t.Args) == 0 {
		return t
	}
	c := *t
	c.Args = make([]*sygus.Term, len(t.Args))
	for i, a := range t.Args {
		c.Args[i] = rewrite(a, f)
	}
	return &c
}
