package pbe

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

type prodKind uint8

const (
	pkConst prodKind = iota + 1
	pkVar
	pkOp
	pkChain // NT -> NT' of the same sort, one of several productions
	pkLib   // a library program inserted as a leaf
)

// prod is a flattened production: an operator over non-terminals, or a leaf.
type prod struct {
	nt     int
	kind   prodKind
	op     sygus.Op
	spell  string
	args   []int // NT index per argument (pkOp, pkChain)
	val    sygus.Value
	varIdx int
	lib    *libProgram
	key    string // prior key, shared across tasks
}

// weighed reports whether the production's cost comes from its weight in
// its non-terminal; library programs have a fixed cost instead.
func (pd *prod) weighed() bool { return pd.kind != pkLib || pd.lib.word }

type gnt struct {
	name  string
	sort  sygus.Sort
	prods []int
}

// grammar is a task grammar in flat form: every production is a leaf or an
// operator whose arguments are non-terminals.
type grammar struct {
	nts   []gnt
	prods []prod
	start int
	// ite is the production (ite B Start Start) of the start symbol, or -1;
	// it enables divide-and-conquer synthesis of conditionals.
	ite int
	// openConst marks the String non-terminals that take any constant
	// ((Constant String), or no grammar at all).
	openConst map[int]bool
}

// opKey is the prior key of an operator production.
func opKey(op sygus.Op, ret sygus.Sort) string {
	if op == sygus.OpIte || op == sygus.OpEq || op == sygus.OpDistinct {
		return op.Name() + "/" + ret.String()
	}
	return op.Name()
}

func constKey(v sygus.Value) string { return "c:" + v.String() }
func varKey(s sygus.Sort) string    { return "v:" + s.String() }

// compileGrammar flattens the task's grammar, or builds the default SLIA
// grammar when the problem has none.
func compileGrammar(p *sygus.Problem) (*grammar, error) {
	if p.Fun.Grammar == nil {
		return defaultGrammar(p), nil
	}
	src := p.Fun.Grammar
	// Collapse NTs whose only production is another NT (Start -> ntString).
	alias := make([]int, len(src.NTs))
	for i := range alias {
		alias[i] = i
	}
	resolve := func(i int) int {
		for n := 0; n < len(alias) && alias[i] != i; n++ {
			i = alias[i]
		}
		return i
	}
	for i, nt := range src.NTs {
		if len(nt.Prods) == 1 && nt.Prods[0].Kind == sygus.TermNT && nt.Prods[0].Index != i {
			alias[i] = nt.Prods[0].Index
		}
	}
	for i := range alias {
		if r := resolve(i); alias[r] != r {
			return nil, fmt.Errorf("grammar: non-terminals %s form a cycle of single productions", src.NTs[i].Name)
		}
	}
	g := &grammar{ite: -1, openConst: map[int]bool{}}
	index := make([]int, len(src.NTs))
	for i, nt := range src.NTs {
		index[i] = -1
		if resolve(i) == i {
			index[i] = len(g.nts)
			g.nts = append(g.nts, gnt{name: nt.Name, sort: nt.Sort})
		}
	}
	ntOf := func(i int) int { return index[resolve(i)] }
	c := &compiler{p: p, g: g, ntOf: ntOf, seen: map[string]bool{}}
	for i, nt := range src.NTs {
		if index[i] < 0 {
			continue
		}
		for _, t := range nt.Prods {
			if err := c.add(index[i], t); err != nil {
				return nil, err
			}
		}
	}
	g.start = ntOf(src.Start)
	g.findIte()
	return g, nil
}

type compiler struct {
	p    *sygus.Problem
	g    *grammar
	ntOf func(int) int
	seen map[string]bool // nt|key, to drop duplicate productions
	aux  int
}

func (c *compiler) push(nt int, pr prod) int {
	pr.nt = nt
	k := fmt.Sprintf("%d|%s|%d|%v", nt, pr.key, pr.varIdx, pr.args)
	if c.seen[k] {
		return -1
	}
	c.seen[k] = true
	c.g.prods = append(c.g.prods, pr)
	id := len(c.g.prods) - 1
	c.g.nts[nt].prods = append(c.g.nts[nt].prods, id)
	return id
}

func (c *compiler) add(nt int, t *sygus.Term) error {
	switch t.Kind {
	case sygus.TermConst:
		c.push(nt, prod{kind: pkConst, val: t.Val, key: constKey(t.Val)})
	case sygus.TermVar:
		c.push(nt, prod{kind: pkVar, varIdx: t.Index, key: varKey(t.Sort)})
	case sygus.TermNT:
		target := c.ntOf(t.Index)
		if target != nt {
			c.push(nt, prod{kind: pkChain, args: []int{target}, key: "chain"})
		}
	case sygus.TermAnyVar:
		for i, v := range c.p.Fun.Params {
			if v.Sort == t.Sort {
				c.push(nt, prod{kind: pkVar, varIdx: i, key: varKey(v.Sort)})
			}
		}
	case sygus.TermAnyConst:
		if t.Sort == sygus.SortString {
			c.g.openConst[nt] = true
		}
		for _, v := range minedConstants(c.p, t.Sort) {
			c.push(nt, prod{kind: pkConst, val: v, key: constKey(v)})
		}
	case sygus.TermApp:
		args := make([]int, len(t.Args))
		for i, a := range t.Args {
			if a.Kind == sygus.TermNT {
				args[i] = c.ntOf(a.Index)
				continue
			}
			// A nested template: give it a fresh non-terminal of its own.
			c.aux++
			c.g.nts = append(c.g.nts, gnt{name: fmt.Sprintf("_aux%d", c.aux), sort: a.Sort})
			args[i] = len(c.g.nts) - 1
			if err := c.add(args[i], a); err != nil {
				return err
			}
		}
		if len(args) > 3 {
			return fmt.Errorf("line %d: production %s has %d arguments; at most 3 are supported", t.Line, t, len(args))
		}
		ks := t.Sort
		if t.Op == sygus.OpEq || t.Op == sygus.OpDistinct {
			ks = t.Args[0].Sort
		}
		c.push(nt, prod{kind: pkOp, op: t.Op, spell: t.Spell, args: args, key: opKey(t.Op, ks)})
	default:
		return fmt.Errorf("line %d: production %s is not supported in grammars", t.Line, t)
	}
	return nil
}

func (g *grammar) findIte() {
	for _, id := range g.nts[g.start].prods {
		pr := g.prods[id]
		if pr.kind == pkOp && pr.op == sygus.OpIte && pr.args[1] == g.start && pr.args[2] == g.start {
			g.ite = id
			return
		}
	}
}

// minedConstants supplies (Constant S): for strings the empty string, a space
// and every punctuation character of the outputs; for integers 0..3 and -1.
func minedConstants(p *sygus.Problem, s sygus.Sort) []sygus.Value {
	switch s {
	case sygus.SortInt:
		return []sygus.Value{sygus.IntVal(0), sygus.IntVal(1), sygus.IntVal(2), sygus.IntVal(3), sygus.IntVal(-1)}
	case sygus.SortBool:
		return []sygus.Value{sygus.BoolVal(true), sygus.BoolVal(false)}
	}
	set := map[string]bool{"": true, " ": true}
	for _, ex := range p.Examples {
		if ex.Out.Sort != sygus.SortString {
			continue
		}
		for _, r := range ex.Out.Str {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				set[string(r)] = true
			}
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]sygus.Value, len(keys))
	for i, k := range keys {
		out[i] = sygus.StrVal(k)
	}
	return out
}

// defaultGrammar is the SLIA string grammar of the SyGuS PBE track, used when
// a problem states none.
func defaultGrammar(p *sygus.Problem) *grammar {
	g := &grammar{ite: -1, openConst: map[int]bool{0: true}}
	g.nts = []gnt{{name: "ntString", sort: sygus.SortString}, {name: "ntInt", sort: sygus.SortInt}, {name: "ntBool", sort: sygus.SortBool}}
	S, I, B := 0, 1, 2
	ntOf := map[sygus.Sort]int{sygus.SortString: S, sygus.SortInt: I, sygus.SortBool: B}
	c := &compiler{p: p, g: g, seen: map[string]bool{}}
	for i, v := range p.Fun.Params {
		c.push(ntOf[v.Sort], prod{kind: pkVar, varIdx: i, key: varKey(v.Sort)})
	}
	for _, s := range []sygus.Sort{sygus.SortString, sygus.SortInt} {
		for _, v := range minedConstants(p, s) {
			c.push(ntOf[s], prod{kind: pkConst, val: v, key: constKey(v)})
		}
	}
	op := func(nt int, o sygus.Op, ret sygus.Sort, args ...int) {
		c.push(nt, prod{kind: pkOp, op: o, spell: o.Name(), args: args, key: opKey(o, ret)})
	}
	op(S, sygus.OpConcat, sygus.SortString, S, S)
	op(S, sygus.OpReplace, sygus.SortString, S, S, S)
	op(S, sygus.OpAt, sygus.SortString, S, I)
	op(S, sygus.OpFromInt, sygus.SortString, I)
	op(S, sygus.OpSubstr, sygus.SortString, S, I, I)
	op(S, sygus.OpIte, sygus.SortString, B, S, S)
	op(I, sygus.OpAdd, sygus.SortInt, I, I)
	op(I, sygus.OpSub, sygus.SortInt, I, I)
	op(I, sygus.OpLen, sygus.SortInt, S)
	op(I, sygus.OpToInt, sygus.SortInt, S)
	op(I, sygus.OpIndexOf, sygus.SortInt, S, S, I)
	op(I, sygus.OpIte, sygus.SortInt, B, I, I)
	op(B, sygus.OpEq, sygus.SortInt, I, I)
	op(B, sygus.OpPrefixOf, sygus.SortBool, S, S)
	op(B, sygus.OpSuffixOf, sygus.SortBool, S, S)
	op(B, sygus.OpContains, sygus.SortBool, S, S)
	g.start = ntOf[p.Fun.Ret]
	g.findIte()
	return g
}

// describe renders the grammar for debugging and tests.
func (g *grammar) describe() string {
	var b strings.Builder
	for i, nt := range g.nts {
		fmt.Fprintf(&b, "%s %s:", nt.name, nt.sort)
		for _, id := range nt.prods {
			fmt.Fprintf(&b, " %s", g.prods[id].key)
		}
		if i == g.start {
			b.WriteString(" [start]")
		}
		b.WriteByte('\n')
	}
	return b.String()
}
