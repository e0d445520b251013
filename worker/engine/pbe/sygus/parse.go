package sygus

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Var is a named, sorted variable (a synth-fun parameter or a declared variable).
type Var struct {
	Name string
	Sort Sort
}

// NonTerminal is one non-terminal of a grammar with its productions. A
// production is a term template whose leaves may be TermNT references.
type NonTerminal struct {
	Name  string
	Sort  Sort
	Prods []*Term
	Line  int
}

// Grammar is the syntactic restriction of a synth-fun. Start indexes NTs.
type Grammar struct {
	NTs   []NonTerminal
	Start int
}

// SynthFun is the function to synthesize.
type SynthFun struct {
	Name    string
	Params  []Var
	Ret     Sort
	Grammar *Grammar // nil when the problem gives none
	Line    int
}

// FunDef is a define-fun.
type FunDef struct {
	Name   string
	Params []Var
	Ret    Sort
	Body   *Term
	Line   int
}

// Example is one input/output constraint (= (f in...) out).
type Example struct {
	In   []Value
	Out  Value
	Line int
}

// Constraint is a constraint term with its source line.
type Constraint struct {
	Term *Term
	Line int
}

// Problem is a parsed SyGuS problem with one function to synthesize.
type Problem struct {
	Version     int // 1 or 2, inferred from the syntax used
	Logic       string
	Fun         SynthFun
	Vars        []Var
	Defs        []*FunDef
	Constraints []Constraint
	// Examples holds the constraints in input/output form. When some
	// constraint is not of that form NonPBE names it and Examples is partial.
	Examples []Example
	NonPBE   string
	// Reference is a define-fun of the synth-fun's signature given after
	// check-synth (the Euphony benchmarks end with one), or nil.
	Reference *FunDef
}

// Parse reads a SyGuS v1 or SyGuS-IF 2.1 problem.
func Parse(src string) (*Problem, error) {
	cmds, err := readAll(src)
	if err != nil {
		return nil, err
	}
	p := &Problem{Version: 1}
	seenSynth, seenCheck := false, false
	for _, c := range cmds {
		if !c.isList() || len(c.list) == 0 || c.list[0].atom != atomSymbol {
			return nil, errorf(c.line, "expected a command like (synth-fun ...), got %s", abbrev(c))
		}
		switch name := c.list[0].text; name {
		case "set-logic":
			if len(c.list) != 2 || c.list[1].atom != atomSymbol {
				return nil, errorf(c.line, "set-logic takes one logic name")
			}
			p.Logic = c.list[1].text
		case "set-option", "set-info":
		case "set-feature":
			p.Version = 2
		case "synth-fun":
			if seenSynth {
				return nil, errorf(c.line, "a second synth-fun: only problems with one function to synthesize are supported")
			}
			seenSynth = true
			if err := p.parseSynthFun(c); err != nil {
				return nil, err
			}
		case "declare-var", "declare-fun", "declare-const":
			v, err := parseDeclareVar(c)
			if err != nil {
				return nil, err
			}
			if p.lookupName(v.Name) {
				return nil, errorf(c.line, "%s redeclares %q", name, v.Name)
			}
			p.Vars = append(p.Vars, v)
		case "define-fun":
			d, err := p.parseDefineFun(c)
			if err != nil {
				return nil, err
			}
			if seenCheck {
				if p.Reference == nil && seenSynth && sameSignature(d, &p.Fun) {
					p.Reference = d
				}
				continue
			}
			if p.lookupName(d.Name) {
				return nil, errorf(c.line, "define-fun redefines %q", d.Name)
			}
			p.Defs = append(p.Defs, d)
		case "constraint":
			if !seenSynth {
				return nil, errorf(c.line, "constraint before synth-fun")
			}
			if len(c.list) != 2 {
				return nil, errorf(c.line, "constraint takes exactly one term, got %d", len(c.list)-1)
			}
			t, err := p.buildTerm(c.list[1], nil, nil)
			if err != nil {
				return nil, err
			}
			if t.Sort != SortBool {
				return nil, errorf(c.line, "constraint must be Bool, got %s", t.Sort)
			}
			p.Constraints = append(p.Constraints, Constraint{Term: t, Line: c.line})
		case "assume":
			p.Version = 2
			return nil, errorf(c.line, "assume is not supported: only programming-by-example constraints are")
		case "check-synth":
			if !seenSynth {
				return nil, errorf(c.line, "check-synth without a synth-fun")
			}
			seenCheck = true
		case "synth-inv", "inv-constraint", "declare-primed-var", "chc-constraint",
			"declare-datatype", "declare-datatypes", "declare-sort", "define-sort", "optimize-synth", "declare-weight":
			return nil, errorf(c.line, "%s is not supported (only synth-fun problems over Int, String and Bool are)", name)
		default:
			return nil, errorf(c.line, "unknown command %q", name)
		}
	}
	if !seenSynth {
		return nil, errorf(lastLine(cmds), "no synth-fun in the problem")
	}
	if !seenCheck {
		return nil, errorf(lastLine(cmds), "missing (check-synth)")
	}
	p.extractExamples()
	return p, nil
}

func lastLine(cmds []*sexpr) int {
	if len(cmds) == 0 {
		return 1
	}
	return cmds[len(cmds)-1].line
}

func abbrev(e *sexpr) string {
	s := e.String()
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

func sameSignature(d *FunDef, f *SynthFun) bool {
	if d.Ret != f.Ret || len(d.Params) != len(f.Params) {
		return false
	}
	for i := range d.Params {
		if d.Params[i].Sort != f.Params[i].Sort {
			return false
		}
	}
	return true
}

func (p *Problem) lookupName(name string) bool {
	if name == p.Fun.Name {
		return true
	}
	for _, v := range p.Vars {
		if v.Name == name {
			return true
		}
	}
	return p.def(name) != nil
}

func (p *Problem) def(name string) *FunDef {
	for _, d := range p.Defs {
		if d.Name == name {
			return d
		}
	}
	return nil
}

func parseDeclareVar(c *sexpr) (Var, error) {
	name := c.list[0].text
	var sortExpr *sexpr
	switch {
	case name == "declare-var" && len(c.list) == 3:
		sortExpr = c.list[2]
	case name == "declare-const" && len(c.list) == 3:
		sortExpr = c.list[2]
	case name == "declare-fun" && len(c.list) == 4:
		if !c.list[2].isList() || len(c.list[2].list) != 0 {
			return Var{}, errorf(c.line, "declare-fun with arguments is not supported (uninterpreted functions)")
		}
		sortExpr = c.list[3]
	default:
		return Var{}, errorf(c.line, "malformed %s: expected (%s name Sort)", name, name)
	}
	if c.list[1].atom != atomSymbol {
		return Var{}, errorf(c.line, "%s: expected a variable name, got %s", name, c.list[1])
	}
	s, err := parseSort(sortExpr)
	if err != nil {
		return Var{}, err
	}
	return Var{Name: c.list[1].text, Sort: s}, nil
}

func parseParams(e *sexpr) ([]Var, error) {
	if !e.isList() {
		return nil, errorf(e.line, "expected a parameter list ((name Sort) ...), got %s", e)
	}
	var vs []Var
	for _, pe := range e.list {
		if !pe.isList() || len(pe.list) != 2 || pe.list[0].atom != atomSymbol {
			return nil, errorf(pe.line, "expected a parameter (name Sort), got %s", abbrev(pe))
		}
		s, err := parseSort(pe.list[1])
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if v.Name == pe.list[0].text {
				return nil, errorf(pe.line, "duplicate parameter %q", v.Name)
			}
		}
		vs = append(vs, Var{Name: pe.list[0].text, Sort: s})
	}
	return vs, nil
}

func (p *Problem) parseDefineFun(c *sexpr) (*FunDef, error) {
	if len(c.list) != 5 || c.list[1].atom != atomSymbol {
		return nil, errorf(c.line, "malformed define-fun: expected (define-fun name ((x Sort)...) Sort body)")
	}
	params, err := parseParams(c.list[2])
	if err != nil {
		return nil, err
	}
	ret, err := parseSort(c.list[3])
	if err != nil {
		return nil, err
	}
	body, err := p.buildTerm(c.list[4], params, nil)
	if err != nil {
		return nil, err
	}
	if body.Sort != ret {
		return nil, errorf(c.line, "define-fun %s: body has sort %s, declared %s", c.list[1].text, body.Sort, ret)
	}
	return &FunDef{Name: c.list[1].text, Params: params, Ret: ret, Body: body, Line: c.line}, nil
}

func (p *Problem) parseSynthFun(c *sexpr) error {
	if len(c.list) < 4 || len(c.list) > 6 || c.list[1].atom != atomSymbol {
		return errorf(c.line, "malformed synth-fun: expected (synth-fun name ((x Sort)...) Sort [grammar])")
	}
	params, err := parseParams(c.list[2])
	if err != nil {
		return err
	}
	ret, err := parseSort(c.list[3])
	if err != nil {
		return err
	}
	p.Fun = SynthFun{Name: c.list[1].text, Params: params, Ret: ret, Line: c.line}
	switch len(c.list) {
	case 5: // v1: one list of (NT Sort (prods...))
		g, err := p.parseGrammar(nil, c.list[4])
		if err != nil {
			return err
		}
		p.Fun.Grammar = g
	case 6: // v2: predeclared ((NT Sort)...) then ((NT Sort (prods...))...)
		p.Version = 2
		g, err := p.parseGrammar(c.list[4], c.list[5])
		if err != nil {
			return err
		}
		p.Fun.Grammar = g
	}
	return nil
}

func (p *Problem) parseGrammar(decls, rules *sexpr) (*Grammar, error) {
	g := &Grammar{}
	index := map[string]int{}
	if decls != nil {
		if !decls.isList() || len(decls.list) == 0 {
			return nil, errorf(decls.line, "expected the non-terminal declarations ((Name Sort)...)")
		}
		for _, d := range decls.list {
			if !d.isList() || len(d.list) != 2 || d.list[0].atom != atomSymbol {
				return nil, errorf(d.line, "expected a non-terminal declaration (Name Sort), got %s", abbrev(d))
			}
			s, err := parseSort(d.list[1])
			if err != nil {
				return nil, err
			}
			if _, dup := index[d.list[0].text]; dup {
				return nil, errorf(d.line, "non-terminal %q declared twice", d.list[0].text)
			}
			index[d.list[0].text] = len(g.NTs)
			g.NTs = append(g.NTs, NonTerminal{Name: d.list[0].text, Sort: s, Line: d.line})
		}
	}
	if !rules.isList() || len(rules.list) == 0 {
		return nil, errorf(rules.line, "expected grammar rules ((Name Sort (productions...))...), got %s", abbrev(rules))
	}
	// First pass: names and sorts, so productions may refer to later rules.
	for _, r := range rules.list {
		if !r.isList() || len(r.list) != 3 || r.list[0].atom != atomSymbol || !r.list[2].isList() {
			return nil, errorf(r.line, "expected a grammar rule (Name Sort (productions...)), got %s", abbrev(r))
		}
		s, err := parseSort(r.list[1])
		if err != nil {
			return nil, err
		}
		name := r.list[0].text
		if i, ok := index[name]; ok {
			if decls == nil {
				return nil, errorf(r.line, "non-terminal %q has two rules", name)
			}
			if g.NTs[i].Sort != s {
				return nil, errorf(r.line, "non-terminal %q declared %s but its rule says %s", name, g.NTs[i].Sort, s)
			}
			continue
		}
		if decls != nil {
			return nil, errorf(r.line, "rule for undeclared non-terminal %q", name)
		}
		index[name] = len(g.NTs)
		g.NTs = append(g.NTs, NonTerminal{Name: name, Sort: s, Line: r.line})
	}
	for _, r := range rules.list {
		i := index[r.list[0].text]
		if len(g.NTs[i].Prods) > 0 {
			return nil, errorf(r.line, "non-terminal %q has two rules", r.list[0].text)
		}
		for _, pe := range r.list[2].list {
			t, err := p.buildTerm(pe, p.Fun.Params, &grammarScope{g: g, index: index})
			if err != nil {
				return nil, err
			}
			if t.Sort != g.NTs[i].Sort {
				return nil, errorf(pe.line, "production %s of %s has sort %s, want %s", abbrev(pe), g.NTs[i].Name, t.Sort, g.NTs[i].Sort)
			}
			g.NTs[i].Prods = append(g.NTs[i].Prods, t)
		}
		if len(g.NTs[i].Prods) == 0 {
			return nil, errorf(r.line, "non-terminal %q has no productions", g.NTs[i].Name)
		}
	}
	for _, nt := range g.NTs {
		if len(nt.Prods) == 0 {
			return nil, errorf(nt.Line, "non-terminal %q has no rule", nt.Name)
		}
	}
	g.Start = 0
	if decls == nil {
		if i, ok := index["Start"]; ok {
			g.Start = i
		}
	}
	if g.NTs[g.Start].Sort != p.Fun.Ret {
		return nil, errorf(rules.line, "start symbol %s has sort %s but %s returns %s", g.NTs[g.Start].Name, g.NTs[g.Start].Sort, p.Fun.Name, p.Fun.Ret)
	}
	return g, nil
}

type grammarScope struct {
	g     *Grammar
	index map[string]int
}

// maxTermNodes bounds terms so that let-sharing cannot hide an
// exponentially large tree from the evaluator.
const maxTermNodes = 1 << 20

type letBinding struct {
	name string
	term *Term
	next *letBinding
}

// buildTerm converts e to a sorted term. params are the variables bound by the
// enclosing function (or synth-fun for grammars); gs is non-nil in grammars.
func (p *Problem) buildTerm(e *sexpr, params []Var, gs *grammarScope) (*Term, error) {
	return p.build(e, params, gs, nil)
}

func (p *Problem) build(e *sexpr, params []Var, gs *grammarScope, lets *letBinding) (*Term, error) {
	switch e.atom {
	case atomString:
		return &Term{Kind: TermConst, Sort: SortString, Val: StrVal(e.text), Line: e.line}, nil
	case atomNumeral:
		v, err := strconv.ParseInt(e.text, 10, 64)
		if err != nil {
			return nil, errorf(e.line, "integer literal %s does not fit in 64 bits", e.text)
		}
		return &Term{Kind: TermConst, Sort: SortInt, Val: IntVal(v), Line: e.line}, nil
	case atomSymbol:
		return p.symbol(e, params, gs, lets)
	}
	if len(e.list) == 0 {
		return nil, errorf(e.line, "empty application ()")
	}
	h := e.list[0]
	if h.atom != atomSymbol {
		return nil, errorf(e.line, "expected an operator, got %s", abbrev(h))
	}
	switch h.text {
	case "Constant", "Variable":
		if gs == nil {
			return nil, errorf(e.line, "(%s ...) is only allowed in a grammar", h.text)
		}
		if len(e.list) != 2 {
			return nil, errorf(e.line, "(%s Sort) takes one sort", h.text)
		}
		s, err := parseSort(e.list[1])
		if err != nil {
			return nil, err
		}
		k := TermAnyConst
		if h.text == "Variable" {
			k = TermAnyVar
		}
		return &Term{Kind: k, Sort: s, Line: e.line}, nil
	case "let":
		if len(e.list) != 3 || !e.list[1].isList() || len(e.list[1].list) == 0 {
			return nil, errorf(e.line, "malformed let: expected (let ((x term)...) body)")
		}
		inner := lets
		for _, b := range e.list[1].list {
			if !b.isList() || len(b.list) != 2 || b.list[0].atom != atomSymbol {
				return nil, errorf(b.line, "malformed let binding: expected (name term)")
			}
			t, err := p.build(b.list[1], params, gs, lets) // parallel let
			if err != nil {
				return nil, err
			}
			inner = &letBinding{name: b.list[0].text, term: t, next: inner}
		}
		return p.build(e.list[2], params, gs, inner)
	case "exists", "forall", "match", "_", "!":
		return nil, errorf(e.line, "%q terms are not supported", h.text)
	}
	args := make([]*Term, len(e.list)-1)
	for i, a := range e.list[1:] {
		t, err := p.build(a, params, gs, lets)
		if err != nil {
			return nil, err
		}
		args[i] = t
	}
	// Negative literal written (- 5).
	if h.text == "-" && len(args) == 1 && args[0].Kind == TermConst && e.list[1].atom == atomNumeral && !strings.HasPrefix(e.list[1].text, "-") {
		return &Term{Kind: TermConst, Sort: SortInt, Val: IntVal(-args[0].Val.Int), Line: e.line}, nil
	}
	nodes := 1
	for _, a := range args {
		nodes += max(a.nodes, 1)
	}
	if nodes > maxTermNodes {
		return nil, errorf(e.line, "term too large: more than %d nodes once let bindings are expanded", maxTermNodes)
	}
	if op, ok := LookupOp(h.text); ok {
		s, err := typeOf(op, args)
		if err != nil {
			return nil, errorf(e.line, "%s: %v", h.text, err)
		}
		return &Term{Kind: TermApp, Sort: s, Op: op, Spell: h.text, Args: args, Line: e.line, nodes: nodes}, nil
	}
	if _, unsupported := aliases[h.text]; unsupported || strings.HasPrefix(h.text, "re.") || strings.HasPrefix(h.text, "str.in_re") {
		return nil, errorf(e.line, "operator %q is not supported (regular expressions)", h.text)
	}
	if gs == nil && h.text == p.Fun.Name {
		if err := checkCall(h.text, p.Fun.Params, args); err != nil {
			return nil, errorf(e.line, "%v", err)
		}
		return &Term{Kind: TermCall, Sort: p.Fun.Ret, Name: h.text, Args: args, Line: e.line, nodes: nodes}, nil
	}
	if d := p.def(h.text); d != nil {
		if err := checkCall(h.text, d.Params, args); err != nil {
			return nil, errorf(e.line, "%v", err)
		}
		return &Term{Kind: TermCall, Sort: d.Ret, Name: h.text, Args: args, Line: e.line, nodes: nodes + max(d.Body.nodes, 1)}, nil
	}
	return nil, errorf(e.line, "unknown function %q", h.text)
}

func checkCall(name string, params []Var, args []*Term) error {
	if len(args) != len(params) {
		return fmt.Errorf("%s takes %d arguments, got %d", name, len(params), len(args))
	}
	for i, a := range args {
		if a.Sort != params[i].Sort {
			return fmt.Errorf("argument %d of %s must be %s, got %s", i+1, name, params[i].Sort, a.Sort)
		}
	}
	return nil
}

func (p *Problem) symbol(e *sexpr, params []Var, gs *grammarScope, lets *letBinding) (*Term, error) {
	name := e.text
	for l := lets; l != nil; l = l.next {
		if l.name == name {
			return l.term, nil
		}
	}
	if gs != nil {
		if i, ok := gs.index[name]; ok {
			return &Term{Kind: TermNT, Sort: gs.g.NTs[i].Sort, Name: name, Index: i, Line: e.line}, nil
		}
	}
	for i, v := range params {
		if v.Name == name {
			return &Term{Kind: TermVar, Sort: v.Sort, Name: name, Index: i, Line: e.line}, nil
		}
	}
	switch name {
	case "true", "false":
		return &Term{Kind: TermConst, Sort: SortBool, Val: BoolVal(name == "true"), Line: e.line}, nil
	}
	if gs == nil && params == nil {
		for _, v := range p.Vars {
			if v.Name == name {
				return &Term{Kind: TermVar, Sort: v.Sort, Name: name, Index: -1, Line: e.line}, nil
			}
		}
	}
	if d := p.def(name); d != nil && len(d.Params) == 0 {
		return &Term{Kind: TermCall, Sort: d.Ret, Name: name, Line: e.line, nodes: 1 + max(d.Body.nodes, 1)}, nil
	}
	return nil, errorf(e.line, "unknown symbol %q", name)
}

// typeOf checks argument sorts and returns the result sort.
func typeOf(op Op, args []*Term) (Sort, error) {
	info := ops[op]
	need := func(min int, s Sort) (Sort, error) {
		if len(args) < min {
			return 0, fmt.Errorf("takes at least %d arguments, got %d", min, len(args))
		}
		for i, a := range args {
			if a.Sort != s {
				return 0, fmt.Errorf("argument %d must be %s, got %s", i+1, s, a.Sort)
			}
		}
		return info.ret, nil
	}
	switch op {
	case OpConcat:
		return need(1, SortString)
	case OpAdd, OpMul:
		return need(2, SortInt)
	case OpSub:
		return need(1, SortInt)
	case OpAnd, OpOr, OpXor, OpImplies:
		return need(1, SortBool)
	case OpEq, OpDistinct:
		if len(args) < 2 {
			return 0, fmt.Errorf("takes at least 2 arguments, got %d", len(args))
		}
		for i, a := range args[1:] {
			if a.Sort != args[0].Sort {
				return 0, fmt.Errorf("argument %d has sort %s, argument 1 has %s", i+2, a.Sort, args[0].Sort)
			}
		}
		return SortBool, nil
	case OpIte:
		if len(args) != 3 {
			return 0, fmt.Errorf("takes 3 arguments, got %d", len(args))
		}
		if args[0].Sort != SortBool {
			return 0, fmt.Errorf("condition must be Bool, got %s", args[0].Sort)
		}
		if args[1].Sort != args[2].Sort {
			return 0, fmt.Errorf("branches have sorts %s and %s", args[1].Sort, args[2].Sort)
		}
		return args[1].Sort, nil
	}
	if len(args) != len(info.args) {
		return 0, fmt.Errorf("takes %d arguments, got %d", len(info.args), len(args))
	}
	for i, a := range args {
		if a.Sort != info.args[i] {
			return 0, fmt.Errorf("argument %d must be %s, got %s", i+1, info.args[i], a.Sort)
		}
	}
	return info.ret, nil
}

// extractExamples recognises constraints (= (f c...) c') in either orientation
// whose arguments and expected value are ground.
func (p *Problem) extractExamples() {
	for _, c := range p.Constraints {
		ex, ok := p.asExample(c.Term)
		if !ok {
			if p.NonPBE == "" {
				p.NonPBE = fmt.Sprintf("line %d: constraint is not an input/output example (= (%s const...) const)", c.Line, p.Fun.Name)
			}
			continue
		}
		ex.Line = c.Line
		p.Examples = append(p.Examples, ex)
	}
	if len(p.Constraints) == 0 {
		p.NonPBE = "the problem has no constraints"
	}
}

func (p *Problem) asExample(t *Term) (Example, bool) {
	if t.Kind != TermApp || t.Op != OpEq || len(t.Args) != 2 {
		return Example{}, false
	}
	call, out := t.Args[0], t.Args[1]
	if !(call.Kind == TermCall && call.Name == p.Fun.Name) {
		call, out = out, call
	}
	if call.Kind != TermCall || call.Name != p.Fun.Name || !p.ground(out) {
		return Example{}, false
	}
	ex := Example{In: make([]Value, len(call.Args))}
	for i, a := range call.Args {
		if !p.ground(a) {
			return Example{}, false
		}
		v, err := p.Eval(a, nil, nil)
		if err != nil {
			return Example{}, false
		}
		ex.In[i] = v
	}
	v, err := p.Eval(out, nil, nil)
	if err != nil {
		return Example{}, false
	}
	ex.Out = v
	return ex, true
}

// ground reports whether t has no variables and no call of the synth-fun.
func (p *Problem) ground(t *Term) bool {
	if t.Kind == TermVar || (t.Kind == TermCall && t.Name == p.Fun.Name) {
		return false
	}
	for _, a := range t.Args {
		if !p.ground(a) {
			return false
		}
	}
	return true
}

// ErrNotGround is returned by Check for constraints with free variables.
var ErrNotGround = errors.New("constraint has free variables; only input/output constraints can be checked")
