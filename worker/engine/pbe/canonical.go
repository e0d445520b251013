package pbe

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// Canonical renders t with positional parameter names ($0, $1, ...) and the
// SMT-LIB 2.6 operator names, so the same program found on a v1 task and on
// a v2 task has the same text (and the same bytes in a payload).
func Canonical(t *sygus.Term) string {
	var b strings.Builder
	writeCanonical(&b, t, -1, nil)
	return b.String()
}

// canonicalCut is Canonical(t) cut at each occurrence of parameter v:
// strings.Join(canonicalCut(t, v), Canonical(a)) is Canonical of t with a
// in place of v.
func canonicalCut(t *sygus.Term, v int) []string {
	var b strings.Builder
	var cut []string
	writeCanonical(&b, t, v, &cut)
	return append(cut, b.String())
}

// writeCanonical writes what canonicalTerm(t).String() would, without
// copying the term: Canonical keys every library instance of every search,
// so it is on the path of each task's setup. At each occurrence of
// parameter cutVar (-1: none) it moves the text so far to *cut.
func writeCanonical(b *strings.Builder, t *sygus.Term, cutVar int, cut *[]string) {
	switch t.Kind {
	case sygus.TermVar:
		if t.Index == cutVar {
			*cut = append(*cut, b.String())
			b.Reset()
			return
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(t.Index))
	case sygus.TermApp, sygus.TermCall:
		b.WriteByte('(')
		if t.Kind == sygus.TermCall {
			b.WriteString(t.Name)
		} else {
			b.WriteString(t.Op.Name())
		}
		for _, a := range t.Args {
			b.WriteByte(' ')
			writeCanonical(b, a, cutVar, cut)
		}
		b.WriteByte(')')
	default:
		// Leaves other than variables print the same either way.
		b.WriteString(t.String())
	}
}

func canonicalTerm(t *sygus.Term) *sygus.Term {
	c := *t
	c.Spell = ""
	c.Line = 0
	if t.Kind == sygus.TermVar {
		c.Name = fmt.Sprintf("$%d", t.Index)
	}
	if len(t.Args) > 0 {
		c.Args = make([]*sygus.Term, len(t.Args))
		for i, a := range t.Args {
			c.Args[i] = canonicalTerm(a)
		}
	}
	return &c
}

// sortsOf parses sort names.
func sortsOf(names []string) ([]sygus.Sort, error) {
	out := make([]sygus.Sort, len(names))
	for i, n := range names {
		switch n {
		case "Int":
			out[i] = sygus.SortInt
		case "String":
			out[i] = sygus.SortString
		case "Bool":
			out[i] = sygus.SortBool
		default:
			return nil, fmt.Errorf("unknown sort %q", n)
		}
	}
	return out, nil
}

// signatureProblem is a problem with positional parameters only, used to
// parse and evaluate canonical programs away from any task. Holes are
// parameters after the program's own: with two parameters, the first hole
// is $2.
func signatureProblem(params, holes []string, ret string) (*sygus.Problem, error) {
	ps, err := sortsOf(params)
	if err != nil {
		return nil, err
	}
	hs, ok := holeSorts(holes)
	if !ok {
		return nil, fmt.Errorf("holes %v: at most %d, each String or Int", holes, maxHoles)
	}
	rs, err := sortsOf([]string{ret})
	if err != nil {
		return nil, err
	}
	p := &sygus.Problem{Fun: sygus.SynthFun{Name: "$f", Ret: rs[0]}}
	for i, s := range ps {
		p.Fun.Params = append(p.Fun.Params, sygus.Var{Name: fmt.Sprintf("$%d", i), Sort: s})
	}
	for _, s := range hs {
		p.Fun.Params = append(p.Fun.Params, sygus.Var{Name: fmt.Sprintf("$%d", len(p.Fun.Params)), Sort: s})
	}
	return p, nil
}

// ParseCanonical parses a canonical program of the given signature.
func ParseCanonical(prog string, params []string, ret string) (*sygus.Term, error) {
	return ParseHoled(prog, params, nil, ret)
}

// ParseHoled parses a canonical program of the given signature whose typed
// holes (hole.go) have the given sorts. Every hole must be used, numbered
// in order of first appearance.
func ParseHoled(prog string, params, holes []string, ret string) (*sygus.Term, error) {
	p, err := signatureProblem(params, holes, ret)
	if err != nil {
		return nil, err
	}
	t, err := p.ParseBody(prog)
	if err != nil {
		return nil, err
	}
	if t.Sort != p.Fun.Ret {
		return nil, fmt.Errorf("program has sort %s, signature says %s", t.Sort, ret)
	}
	if hasCall(t) {
		return nil, fmt.Errorf("program calls a function")
	}
	if !holesInOrder(t, len(params), len(holes)) {
		return nil, fmt.Errorf("program does not use its %d holes ($%d, ...) in order of first appearance", len(holes), len(params))
	}
	return t, nil
}

func hasCall(t *sygus.Term) bool {
	if t.Kind == sygus.TermCall {
		return true
	}
	for _, a := range t.Args {
		if hasCall(a) {
			return true
		}
	}
	return false
}

// instantiate renames a canonical program's parameters to the task's and
// spells operators as the task's grammar does.
func instantiate(t *sygus.Term, p *sygus.Problem, spell map[sygus.Op]string) *sygus.Term {
	c := *t
	switch t.Kind {
	case sygus.TermVar:
		c.Name = p.Fun.Params[t.Index].Name
	case sygus.TermApp:
		c.Spell = spell[t.Op]
	}
	if len(t.Args) > 0 {
		c.Args = make([]*sygus.Term, len(t.Args))
		for i, a := range t.Args {
			c.Args[i] = instantiate(a, p, spell)
		}
	}
	return &c
}

// rng is splitmix64: small, fast and identical on every platform.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// genInputs generates n synthetic input vectors for a program of the given
// parameter and hole sorts: words, digit runs and separators, mixed with the
// program's own string constants and the vector's hole fills, so that its
// replace/indexof/contains steps have something to act on. Each vector is
// the inputs followed by the fills. Everything comes from the seed and the
// program's text, never from task data.
func genInputs(t *sygus.Term, sorts, holes []sygus.Sort, seed uint64, n int) [][]sygus.Value {
	var progConsts []string
	var walk func(*sygus.Term)
	walk = func(t *sygus.Term) {
		if t.Kind == sygus.TermConst && t.Val.Sort == sygus.SortString && t.Val.Str != "" {
			progConsts = append(progConsts, t.Val.Str)
		}
		for _, a := range t.Args {
			walk(a)
		}
	}
	walk(t)
	h := seed
	for _, c := range Canonical(t) {
		h = (h ^ uint64(c)) * 0x100000001b3
	}
	r := &rng{s: h}
	seps := []string{" ", "-", ".", ",", "/", "(", ")"}
	upper, lower := "BCDFGHJKLMNPRSTVWZ", "aeioubcdfghklmnprstvz"
	word := func() string {
		var b strings.Builder
		b.WriteByte(upper[r.intn(len(upper))])
		for k := 2 + r.intn(5); k > 0; k-- {
			b.WriteByte(lower[r.intn(len(lower))])
		}
		return b.String()
	}
	digits := func() string {
		var b strings.Builder
		for k := 1 + r.intn(4); k > 0; k-- {
			b.WriteByte(byte('0' + r.intn(10)))
		}
		return b.String()
	}
	out := make([][]sygus.Value, n)
	for i := range out {
		out[i] = make([]sygus.Value, len(sorts)+len(holes))
		consts := progConsts
		for k, s := range holes {
			// An integer hole held a constant of two or more digits; its
			// fill is never 0, which a div or mod may not take.
			v := sygus.IntVal(int64(1 + r.intn(23)))
			if s == sygus.SortString {
				// A fill looks like a constant: a separator and a word or digits.
				f := seps[r.intn(len(seps))]
				if r.intn(2) == 0 {
					f += word()
				} else {
					f += digits()
				}
				v = sygus.StrVal(f)
				consts = append(consts[:len(consts):len(consts)], f)
			}
			out[i][len(sorts)+k] = v
		}
		for j, s := range sorts {
			switch s {
			case sygus.SortInt:
				out[i][j] = sygus.IntVal(int64(r.intn(24)) - 2)
			case sygus.SortBool:
				out[i][j] = sygus.BoolVal(r.intn(2) == 1)
			default:
				var b strings.Builder
				for k := 1 + r.intn(4); k > 0; k-- {
					if k != 0 && b.Len() > 0 {
						if len(consts) > 0 && r.intn(3) == 0 {
							b.WriteString(consts[r.intn(len(consts))])
						} else {
							b.WriteString(seps[r.intn(len(seps))])
						}
					}
					switch r.intn(4) {
					case 0:
						b.WriteString(digits())
					case 1:
						if len(consts) > 0 {
							b.WriteString(consts[r.intn(len(consts))])
							break
						}
						fallthrough
					default:
						b.WriteString(word())
					}
				}
				out[i][j] = sygus.StrVal(b.String())
			}
		}
		relateStrings(out[i][:len(sorts)], sorts, r, word, seps)
	}
	return out
}

// relateStrings makes some string inputs relate to an earlier one: a piece
// of it, or it with a word around it. Independent random strings almost
// never contain, start or end one another, so a program that compares its
// parameters (str.contains $0 $1, str.prefixof $1 $0) would compute the
// same output on every vector and could never be checked or shared.
// Every string stays generated: a piece of a generated string is one.
func relateStrings(in []sygus.Value, sorts []sygus.Sort, r *rng, word func() string, seps []string) {
	for j := 1; j < len(in); j++ {
		if sorts[j] != sygus.SortString {
			continue
		}
		var earlier []int
		for k := range j {
			if sorts[k] == sygus.SortString && in[k].Str != "" {
				earlier = append(earlier, k)
			}
		}
		if len(earlier) == 0 {
			continue
		}
		base := in[earlier[r.intn(len(earlier))]].Str
		switch r.intn(4) {
		case 0: // a piece: prefix, suffix or middle (by characters: a program constant may not be ASCII)
			rs := []rune(base)
			a, b := r.intn(len(rs)), r.intn(len(rs))
			if a > b {
				a, b = b, a
			}
			switch r.intn(3) {
			case 0:
				a = 0
			case 1:
				b = len(rs) - 1
			}
			in[j] = sygus.StrVal(string(rs[a : b+1]))
		case 1: // the earlier one inside this one
			if r.intn(2) == 0 {
				in[j] = sygus.StrVal(base + seps[r.intn(len(seps))] + word())
			} else {
				in[j] = sygus.StrVal(word() + seps[r.intn(len(seps))] + base)
			}
		}
	}
}

// ErrConstantChecks is returned for a program that computes the same
// output on every generated input: its check vectors could not tell it
// apart from a constant, so it is not worth an artifact.
var ErrConstantChecks = errors.New("program gives the same output on every generated input")

// ErrNoSafeChecks is returned when too few generated check vectors are
// defined and keep clear of the task's example strings.
var ErrNoSafeChecks = errors.New("generated check vectors keep running into the task's example strings or undefined values")

// MakeChecks computes n check vectors for a canonical program with typed
// holes: generated inputs and hole fills, and the output the program
// computes on them. A vector in which any input, fill or output contains
// one of avoid (the source task's example strings), or on which the
// program is undefined, is drawn again. At
// least two vectors have different outputs; it draws up to 8n vectors to
// find them.
func MakeChecks(prog string, params, holes []string, ret string, seed uint64, n int, avoid []string) ([]Check, error) {
	n = max(n, 2)
	p, err := signatureProblem(params, holes, ret)
	if err != nil {
		return nil, err
	}
	t, err := p.ParseBody(prog)
	if err != nil {
		return nil, err
	}
	sorts := make([]sygus.Sort, len(params))
	for i := range sorts {
		sorts[i] = p.Fun.Params[i].Sort
	}
	hs, _ := holeSorts(holes)
	var checks []Check
	rejected := 0
	for _, in := range genInputs(t, sorts, hs, seed, 8*n) {
		v, err := p.Eval(t, in, nil)
		if err != nil {
			rejected++ // undefined here (overflow, division by zero): draw again
			continue
		}
		if valueLeaks(v, avoid) || slices.ContainsFunc(in, func(x sygus.Value) bool { return valueLeaks(x, avoid) }) {
			rejected++
			continue
		}
		c := Check{Out: v.String()}
		for _, x := range in[:len(params)] {
			c.In = append(c.In, x.String())
		}
		for _, x := range in[len(params):] {
			c.Fill = append(c.Fill, x.String())
		}
		switch {
		case len(checks) < n-1:
			checks = append(checks, c)
		case distinctOutputs(checks) > 1 || c.Out != checks[0].Out:
			return append(checks, c), nil
		}
	}
	if rejected > 4*n {
		return nil, ErrNoSafeChecks
	}
	return nil, ErrConstantChecks
}

func distinctOutputs(cs []Check) int {
	seen := map[string]bool{}
	for _, c := range cs {
		seen[c.Out] = true
	}
	return len(seen)
}

// RunChecks re-evaluates a program on its check vectors, with each
// vector's fills in its holes. It returns the index of the first mismatch,
// or -1.
func RunChecks(prog string, params, holes []string, ret string, checks []Check) (int, error) {
	p, err := signatureProblem(params, holes, ret)
	if err != nil {
		return 0, err
	}
	t, err := ParseHoled(prog, params, holes, ret)
	if err != nil {
		return 0, err
	}
	for i, c := range checks {
		if len(c.In) != len(params) || len(c.Fill) != len(holes) {
			return i, nil
		}
		in := make([]sygus.Value, 0, len(params)+len(holes))
		for _, lit := range append(append([]string(nil), c.In...), c.Fill...) {
			v, err := parseLiteral(lit)
			if err != nil || v.Sort != p.Fun.Params[len(in)].Sort {
				return i, nil
			}
			in = append(in, v)
		}
		v, err := p.Eval(t, in, nil)
		if err != nil || v.String() != c.Out {
			return i, nil
		}
	}
	return -1, nil
}

// parseLiteral reads an SMT-LIB literal rendered by Value.String.
func parseLiteral(s string) (sygus.Value, error) {
	t, err := ParseCanonical(s, nil, guessSort(s))
	if err != nil {
		return sygus.Value{}, err
	}
	if t.Kind != sygus.TermConst {
		return sygus.Value{}, fmt.Errorf("not a literal: %s", s)
	}
	return t.Val, nil
}

func guessSort(s string) string {
	switch {
	case strings.HasPrefix(s, `"`):
		return "String"
	case s == "true" || s == "false":
		return "Bool"
	}
	return "Int"
}
