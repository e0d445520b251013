package pbe

import (
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// The library: verified programs of the prior offered to a task's search
// as leaves (selectLibrary), adapted to the task's signature and
// constants (instantiateLibrary, typed holes).

// libProgram is a library entry adapted to one task.
type libProgram struct {
	term *sygus.Term
	key  string
	cost int
	// word marks a word proposed from the task's examples (proposed.go):
	// it is weighed as a constant of the task's grammar, not by cost.
	word bool
}

// libBaseCost is the cost of the most used library program offered as a
// leaf, about that of a program of two or three cheap productions; a program
// used k times less often costs log2(k) more.
const libBaseCost = 9

// selectLibrary adds, as leaf productions, the library programs that fit
// the task: same parameter sorts, and only operators and constants the task
// grammar has.
func selectLibrary(p *sygus.Problem, g *grammar, pr *Prior, limit int) {
	if pr == nil || len(pr.Library) == 0 {
		return
	}
	have := map[string]bool{}
	spell := map[sygus.Op]string{}
	for _, pd := range g.prods {
		have[pd.key] = true
		if pd.kind == pkOp && pd.spell != "" {
			spell[pd.op] = pd.spell
		}
	}
	cands := libCandidates(pr, g)
	added := 0
	seen := map[string]bool{}
	top := int64(1)
	for _, e := range cands {
		top = max(top, e.weight)
	}
	for _, e := range cands {
		if added >= limit {
			break
		}
		if len(e.params) != len(p.Fun.Params) {
			continue
		}
		ok := true
		for i, s := range e.params {
			if p.Fun.Params[i].Sort.String() != s {
				ok = false
			}
		}
		if !ok {
			continue
		}
		t := e.t
		for _, k := range termKeys(t, len(e.params)) {
			if !have[k] {
				ok = false
			}
		}
		nt := -1
		if g.nts[g.start].sort == t.Sort {
			nt = g.start
		} else {
			for i, n := range g.nts {
				if n.sort == t.Sort {
					nt = i
					break
				}
			}
		}
		prog := Canonical(t)
		if !ok || nt < 0 || seen[prog] {
			continue
		}
		seen[prog] = true
		t = instantiate(t, p, spell)
		seen[Canonical(t)] = true
		cost := libBaseCost + int(math.Round(math.Log2(float64(top)/float64(max(1, e.weight)))))
		g.prods = append(g.prods, prod{nt: nt, kind: pkLib, lib: &libProgram{term: t, key: "lib:" + prog, cost: cost}, key: "lib"})
		g.nts[nt].prods = append(g.nts[nt].prods, len(g.prods)-1)
		added++
	}
	instantiateLibrary(p, g, cands, limit, top, have, spell, seen)
}

// libCand is a library program ready for one task: parsed, with its holes
// filled by the task's own constants.
type libCand struct {
	t      *sygus.Term
	params []string
	weight int64
}

// maxLibFills bounds the instances of one holed library program.
const maxLibFills = 8

// libCandidates parses the prior's library for a task grammar: a program
// without holes as it is, a holed one once per filling of its holes with
// constants of the grammar (at most maxLibFills), in library order.
func libCandidates(pr *Prior, g *grammar) []libCand {
	consts := g.constants()
	var out []libCand
	for _, e := range pr.Library {
		t, err := parseLibEntry(e)
		if err != nil {
			continue
		}
		hs, _ := holeSorts(e.Holes)
		for _, f := range fillHoles(t, len(e.Params), hs, consts, maxLibFills) {
			out = append(out, libCand{t: f, params: e.Params, weight: e.Weight})
		}
	}
	return out
}

// libParses memoizes parseLibEntry: a prior's library is parsed for every
// task it is used on, and that was a fifth of a search's setup. Parsing is
// pure and the terms are never modified (every rewrite copies), so one
// parse serves every search, also concurrent ones. Bounded: a long-running
// worker whose library changes every round starts over when it is full.
var libParses struct {
	sync.Mutex
	m map[string]libParse
}

type libParse struct {
	t   *sygus.Term
	err error
}

const maxLibParses = 1 << 13

// libParseKey names a library entry's signature and program without
// ambiguity: every field is length-prefixed, so params ["String,String"]
// and ["String", "String"] (one valid, one not) never share a parse.
func libParseKey(e LibEntry) string {
	var b strings.Builder
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	field(e.Program)
	field(e.Ret)
	for _, l := range [][]string{e.Params, e.Holes} {
		b.WriteString(strconv.Itoa(len(l)))
		b.WriteByte('#')
		for _, x := range l {
			field(x)
		}
	}
	return b.String()
}

// parseLibEntry is ParseHoled of a library entry, memoized.
func parseLibEntry(e LibEntry) (*sygus.Term, error) {
	k := libParseKey(e)
	libParses.Lock()
	r, ok := libParses.m[k]
	libParses.Unlock()
	if ok {
		return r.t, r.err
	}
	t, err := ParseHoled(e.Program, e.Params, e.Holes, e.Ret)
	libParses.Lock()
	if libParses.m == nil || len(libParses.m) >= maxLibParses {
		libParses.m = make(map[string]libParse)
	}
	libParses.m[k] = libParse{t, err}
	libParses.Unlock()
	return t, err
}

// instantiateLibrary offers library programs that read one parameter but do
// not fit the task's signature, or whose parameter is better filled by one
// of the task's own constants: the parameter is replaced by each parameter
// of the task of its sort (first pass, at most limit leaves) and by each
// string constant of the task grammar or word proposed from its examples
// (second pass, at most 2·limit; e.g. the learned (str.++ "," (str.++ " "
// $2)) with the task constant "USA" is the leaf ", USA"). Every instance is a term of the task grammar and costs
// what its library program costs.
func instantiateLibrary(p *sygus.Problem, g *grammar, cands []libCand, limit int, top int64, have map[string]bool, spell map[sygus.Op]string, seen map[string]bool) {
	// The task's string constants as terms: the grammar's, then the words
	// proposed from its examples (spelt out of the grammar's constants).
	var consts []*sygus.Term
	constVals := map[string]bool{}
	for _, pd := range g.prods {
		if pd.kind == pkConst && pd.val.Sort == sygus.SortString {
			consts = append(consts, &sygus.Term{Kind: sygus.TermConst, Sort: pd.val.Sort, Val: pd.val})
			constVals[pd.val.Str] = true
		}
	}
	for _, pd := range g.prods {
		if pd.kind == pkLib && pd.lib.word {
			consts = append(consts, pd.lib.term)
			if v, err := p.Eval(pd.lib.term, nil, nil); err == nil {
				constVals[v.Str] = true
			}
		}
	}
	type entry struct {
		t    *sygus.Term
		v    int
		nt   int
		cost int
		same bool // the entry has the task's signature
		// tmpl is Canonical(t) cut where parameter v stands: joined with
		// an argument's canonical text it is the instance's key, without
		// building the instance first.
		tmpl []string
	}
	var es []entry
	for _, e := range cands {
		t := e.t
		used := map[int]bool{}
		ok := true
		var walk func(t *sygus.Term)
		walk = func(t *sygus.Term) {
			if t.Kind == sygus.TermVar {
				used[t.Index] = true
				return
			}
			if !have[nodeKey(t, len(e.params))] {
				ok = false
			}
			for _, a := range t.Args {
				walk(a)
			}
		}
		walk(t)
		if !ok || len(used) != 1 {
			continue
		}
		var v int
		for k := range used {
			v = k
		}
		nt := -1
		for i, n := range g.nts {
			if n.sort == t.Sort {
				nt = i
				break
			}
		}
		if g.nts[g.start].sort == t.Sort {
			nt = g.start
		}
		if nt < 0 || e.params[v] != "String" {
			continue
		}
		same := len(e.params) == len(p.Fun.Params)
		for i, s := range e.params {
			if same && p.Fun.Params[i].Sort.String() != s {
				same = false
			}
		}
		cost := libBaseCost + int(math.Round(math.Log2(float64(top)/float64(max(1, e.weight)))))
		es = append(es, entry{t: t, v: v, nt: nt, cost: cost, same: same, tmpl: canonicalCut(t, v)})
	}
	// ak is Canonical(a), computed once per argument rather than once per
	// entry and argument: the constants pass tries every pair.
	add := func(e entry, a *sygus.Term, ak string) bool {
		key := strings.Join(e.tmpl, ak)
		if seen[key] {
			return false
		}
		it := instantiate(substVar(e.t, e.v, a), p, spell)
		if !hasVar(a) {
			// A constant instance is only worth a leaf if it is a new
			// string the grammar has no constant for.
			val, err := p.Eval(it, make([]sygus.Value, len(p.Fun.Params)), nil)
			if err != nil || e.t.Sort != sygus.SortString || len(val.Str) < 2 || constVals[val.Str] {
				return false
			}
			constVals[val.Str] = true
		}
		seen[key] = true
		g.prods = append(g.prods, prod{nt: e.nt, kind: pkLib, lib: &libProgram{term: it, key: "lib:" + key, cost: e.cost}, key: "lib"})
		g.nts[e.nt].prods = append(g.nts[e.nt].prods, len(g.prods)-1)
		return true
	}
	vars := make([]*sygus.Term, len(p.Fun.Params))
	varKeys := make([]string, len(p.Fun.Params))
	for i, fp := range p.Fun.Params {
		vars[i] = &sygus.Term{Kind: sygus.TermVar, Sort: fp.Sort, Name: fp.Name, Index: i}
		varKeys[i] = Canonical(vars[i])
	}
	added := 0
	for _, e := range es {
		for i, fp := range p.Fun.Params {
			if added >= limit {
				break
			}
			if fp.Sort == sygus.SortString && (!e.same || i != e.v) {
				if add(e, vars[i], varKeys[i]) {
					added++
				}
			}
		}
	}
	constKeys := make([]string, len(consts))
	for i, c := range consts {
		constKeys[i] = Canonical(c)
	}
	added = 0
	for _, e := range es {
		for i, c := range consts {
			if added >= 2*limit {
				return
			}
			if add(e, c, constKeys[i]) {
				added++
			}
		}
	}
}

// substVar replaces parameter v of t by a.
func substVar(t *sygus.Term, v int, a *sygus.Term) *sygus.Term {
	return rewrite(t, func(x *sygus.Term) *sygus.Term {
		if x.Kind == sygus.TermVar && x.Index == v {
			return a
		}
		return nil
	})
}

// libValues evaluates the library leaves on the active examples.
func libValues(p *sygus.Problem, g *grammar, exs []sygus.Example) map[int][]sygus.Value {
	out := map[int][]sygus.Value{}
	for id, pd := range g.prods {
		if pd.kind != pkLib {
			continue
		}
		vals := make([]sygus.Value, len(exs))
		ok := true
		for j, ex := range exs {
			v, err := p.Eval(pd.lib.term, ex.In, nil)
			if err != nil {
				ok = false
				break
			}
			vals[j] = v
		}
		if ok {
			out[id] = vals
		}
	}
	return out
}

// Sub-programs a verified program teaches, as Learn keeps them for a solved
// task: every sub-program of 3 to 12 nodes that reads a parameter.
const (
	minSubProgram = 3
	maxSubProgram = 12
)

// subLibrary is the library a verified (holed) program of a field artifact
// teaches its receiver: each of its sub-programs of minSubProgram to
// maxSubProgram nodes that reads a parameter, with the holes it uses
// renumbered in order, weight one task, and check vectors generated from
// seed (a sub-program that cannot be checked, e.g. one constant on every
// generated input, is left out, as Learn leaves it out). Merged over a
// field, a sub-program's weight counts the programs that use it: what a
// prior learned from the producers' solutions would hold, without their
// tasks.
func subLibrary(t *sygus.Term, params, holes []string, seed uint64) []LibEntry {
	nparams := len(params)
	seen := map[string]bool{}
	var out []LibEntry
	for _, sub := range subterms(t) {
		if sz := sub.Size(); sz < minSubProgram || sz > maxSubProgram || !readsParam(sub, nparams) {
			continue
		}
		s, hs := renumberHoles(sub, nparams, holes)
		prog := Canonical(s)
		if seen[prog] {
			continue
		}
		seen[prog] = true
		checks, err := MakeChecks(prog, params, hs, sub.Sort.String(), seed, 8, nil)
		if err != nil {
			continue
		}
		out = append(out, LibEntry{Program: prog, Params: params, Holes: hs, Ret: sub.Sort.String(), Weight: milli, Checks: checks})
	}
	return out
}

// renumberHoles numbers the holes a sub-program uses densely, in order of
// first appearance (as Hole numbers them), and returns their sorts.
func renumberHoles(t *sygus.Term, nparams int, holes []string) (*sygus.Term, []string) {
	index := map[int]int{}
	var sorts []string
	var walk func(*sygus.Term)
	walk = func(t *sygus.Term) {
		if isHole(t, nparams) {
			if _, ok := index[t.Index]; !ok && t.Index-nparams < len(holes) {
				index[t.Index] = nparams + len(sorts)
				sorts = append(sorts, holes[t.Index-nparams])
			}
		}
		for _, a := range t.Args {
			walk(a)
		}
	}
	walk(t)
	return rewrite(t, func(t *sygus.Term) *sygus.Term {
		if !isHole(t, nparams) {
			return nil
		}
		c := *t
		c.Index = index[t.Index]
		return &c
	}), sorts
}
