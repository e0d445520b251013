// Package taskgen makes SyGuS PBE string tasks from a seed. A worker on a
// user's machine has no benchmark files, yet it needs tasks of its own: to
// solve, to learn from, and to score the artifacts of other nodes on. A seed
// gives each node a private, unlimited and reproducible supply, and gives
// tests and benchmarks tasks without any shared data.
//
// A task is a random program of a realistic spreadsheet family (first
// name, email domain, date reformatting, conditional suffix...) written in
// the SLIA grammar of the SyGuS PBE track, applied to random realistic
// inputs. The outputs are computed by the project's own evaluator
// (package sygus), so the reference program satisfies every example by
// construction, and every spec is parsed back and checked before it is
// returned.
//
// Determinism: the output depends only on the seed, n and the options. The
// generator has its own PRNG (splitmix64), uses no map iteration, no clock
// and no global state; task i depends only on the seed, i and the options,
// so a longer run extends a shorter one.
package taskgen

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// Task is one generated problem.
type Task struct {
	// Name is the family and a hash of the spec, e.g. "email-domain-1a2b3c4d".
	Name string
	// Spec is the SyGuS v1 source of the task.
	Spec []byte
	// Program is the hidden reference solution: a term over the synth-fun's
	// parameters (sygus.Problem.ParseBody reads it). It is not in Spec, so
	// that the task tests a solver.
	Program string
}

// Options tune Generate. The zero value gives 3 to 8 examples per task over
// every family.
type Options struct {
	// MinExamples and MaxExamples bound the number of constraints per task;
	// zero means 3 and 8.
	MinExamples, MaxExamples int
	// Families restricts the tasks to the named families (see Families);
	// empty means all.
	Families []string
}

// MaxTasks bounds one call of Generate.
const MaxTasks = 1 << 20

// maxExamples keeps the inputs of a task distinct without long redraws.
const maxExamples = 64

// maxDraws bounds the redraws of one task. Rejections are the exception (a
// conditional whose few examples all go one way is the commonest), so
// hitting the bound means a broken family, not bad luck.
const maxDraws = 200

// errDegenerate marks a draw that must be redrawn.
var errDegenerate = errors.New("degenerate task")

// Families lists the names of the task families in catalogue order.
func Families() []string {
	names := make([]string, len(families))
	for i, f := range families {
		names[i] = f.name
	}
	return names
}

// Generate makes n tasks from seed. Families are dealt in rounds of a
// seed-dependent permutation, so any two seeds with n >= len(Families())
// share every kind of task while their examples differ.
func Generate(seed uint64, n int, opts Options) ([]Task, error) {
	return GenerateRange(seed, 0, n, opts)
}

// GenerateRange makes tasks from, from+1, ..., from+n-1 of seed's sequence:
// the same tasks Generate(seed, from+n, opts)[from:] returns, without
// making the ones before. A worker uses it as an endless private stream.
func GenerateRange(seed uint64, from, n int, opts Options) ([]Task, error) {
	if n < 0 || n > MaxTasks {
		return nil, fmt.Errorf("taskgen: n must be in [0, %d], got %d", MaxTasks, n)
	}
	if from < 0 || from > math.MaxInt-n {
		return nil, fmt.Errorf("taskgen: start %d out of range", from)
	}
	fams, err := opts.families()
	if err != nil {
		return nil, err
	}
	lo, hi, err := opts.examples()
	if err != nil {
		return nil, err
	}
	out := make([]Task, 0, n)
	var order []int
	for i := from; i < from+n; i++ {
		if i == from || i%len(fams) == 0 {
			// A stream index no task uses: the top bit marks the rounds.
			order = stream(seed, 1<<63|uint64(i/len(fams))).perm(len(fams))
		}
		f := fams[order[i%len(fams)]]
		t, err := f.task(stream(seed, uint64(i)), lo, hi)
		if err != nil {
			return nil, fmt.Errorf("taskgen: task %d (%s): %w", i, f.name, err)
		}
		out = append(out, t)
	}
	return out, nil
}

func (o Options) families() ([]*family, error) {
	if len(o.Families) == 0 {
		out := make([]*family, len(families))
		for i := range families {
			out[i] = &families[i]
		}
		return out, nil
	}
	var out []*family
	for _, name := range o.Families {
		i := 0
		for i < len(families) && families[i].name != name {
			i++
		}
		if i == len(families) {
			return nil, fmt.Errorf("taskgen: unknown family %q (known: %s)", name, strings.Join(Families(), ", "))
		}
		out = append(out, &families[i])
	}
	return out, nil
}

func (o Options) examples() (int, int, error) {
	lo, hi := o.MinExamples, o.MaxExamples
	if lo == 0 {
		lo = 3
		if hi != 0 {
			lo = min(lo, hi)
		}
	}
	if hi == 0 {
		hi = max(8, lo)
	}
	// One example cannot show that the output varies.
	if lo < 2 || hi < lo || hi > maxExamples {
		return 0, 0, fmt.Errorf("taskgen: examples per task must satisfy 2 <= min <= max <= %d, got %d..%d", maxExamples, lo, hi)
	}
	return lo, hi, nil
}

// task draws variants of f until one gives a non-degenerate task.
func (f *family) task(r *rng, lo, hi int) (Task, error) {
	for range maxDraws {
		t, err := f.build(r, f.draw(r), r.between(lo, hi))
		if errors.Is(err, errDegenerate) {
			continue
		}
		return t, err
	}
	return Task{}, fmt.Errorf("no acceptable task in %d draws", maxDraws)
}

// build evaluates rec on k fresh inputs, renders the spec and checks it.
// Errors other than errDegenerate are bugs of the family.
func (f *family) build(r *rng, rec recipe, k int) (Task, error) {
	skel, err := sygus.Parse(signature(rec.params, sygus.SortString, "") + "(check-synth)\n")
	if err != nil {
		return Task{}, fmt.Errorf("skeleton: %w", err)
	}
	body, err := skel.ParseBody(rec.program)
	if err != nil {
		return Task{}, fmt.Errorf("reference %s: %w", rec.program, err)
	}
	if err := inGrammar(body); err != nil {
		return Task{}, fmt.Errorf("reference %s: %w", rec.program, err)
	}
	exs, err := examples(r, skel, body, rec, k)
	if err != nil {
		return Task{}, err
	}
	spec := render(f.desc, rec.params, body, exs, r)
	p, err := sygus.Parse(spec)
	if err != nil {
		return Task{}, fmt.Errorf("generated spec does not parse: %w", err)
	}
	ref, err := p.ParseBody(rec.program)
	if err != nil {
		return Task{}, fmt.Errorf("reference in the spec: %w", err)
	}
	if err := p.Check(ref); err != nil {
		return Task{}, fmt.Errorf("reference violates the spec: %w", err)
	}
	if len(p.Examples) != k || p.NonPBE != "" {
		return Task{}, fmt.Errorf("spec has %d examples, want %d (%s)", len(p.Examples), k, p.NonPBE)
	}
	sum := sha256.Sum256([]byte(spec))
	return Task{Name: f.name + "-" + hex.EncodeToString(sum[:4]), Spec: []byte(spec), Program: ref.String()}, nil
}

type example struct {
	in  []sygus.Value
	out sygus.Value
}

// examples draws k distinct inputs and evaluates the reference on them,
// rejecting sets that do not pin the program down: equal outputs, an output
// that is just an input, mostly empty outputs, or a conditional whose test
// goes one way only.
func examples(r *rng, p *sygus.Problem, body *sygus.Term, rec recipe, k int) ([]example, error) {
	var exs []example
	seen := make(map[string]bool, k)
	for tries := 0; len(exs) < k; tries++ {
		if tries > 20*k {
			return nil, errDegenerate
		}
		in := rec.input(r)
		key := valuesKey(in)
		if seen[key] {
			continue
		}
		seen[key] = true
		out, err := p.Eval(body, in, nil)
		if err != nil {
			return nil, errDegenerate
		}
		exs = append(exs, example{in: in, out: out})
	}
	allEqual, empty := true, 0
	for _, e := range exs {
		allEqual = allEqual && e.out == exs[0].out
		if e.out.Sort == sygus.SortString && e.out.Str == "" {
			empty++
		}
	}
	if allEqual || 3*empty > len(exs) {
		return nil, errDegenerate
	}
	for i := range rec.params {
		copies := true
		for _, e := range exs {
			copies = copies && e.in[i] == e.out
		}
		if copies {
			return nil, errDegenerate
		}
	}
	if body.Kind == sygus.TermApp && body.Op == sygus.OpIte {
		var yes, no bool
		for _, e := range exs {
			c, err := p.Eval(body.Args[0], e.in, nil)
			if err != nil {
				return nil, errDegenerate
			}
			yes, no = yes || c.Bool, no || !c.Bool
		}
		if !yes || !no {
			return nil, errDegenerate
		}
	}
	return exs, nil
}

func valuesKey(vs []sygus.Value) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	return strings.Join(parts, " ")
}

// The grammar is the one of the Euphony benchmarks (SyGuS v1 spellings), so
// the engine meets generated tasks in the same shape as the public ones.
const (
	stringOps = `
    (str.++ ntString ntString)
    (str.replace ntString ntString ntString)
    (str.at ntString ntInt)
    (int.to.str ntInt)
    (ite ntBool ntString ntString)
    (str.substr ntString ntInt ntInt)))`
	intOps = `
    (+ ntInt ntInt)
    (- ntInt ntInt)
    (str.len ntString)
    (str.to.int ntString)
    (ite ntBool ntInt ntInt)
    (str.indexof ntString ntString ntInt)))`
	boolOps = `
    (= ntInt ntInt)
    (str.prefixof ntString ntString)
    (str.suffixof ntString ntString)
    (str.contains ntString ntString)))`
)

// grammarArity is the arity of each operator production of the grammar.
var grammarArity = map[sygus.Op]int{
	sygus.OpConcat: 2, sygus.OpReplace: 3, sygus.OpAt: 2, sygus.OpFromInt: 1, sygus.OpSubstr: 3,
	sygus.OpAdd: 2, sygus.OpSub: 2, sygus.OpLen: 1, sygus.OpToInt: 1, sygus.OpIndexOf: 3,
	sygus.OpPrefixOf: 2, sygus.OpSuffixOf: 2, sygus.OpContains: 2, sygus.OpIte: 3, sygus.OpEq: 2,
}

// inGrammar reports an error if t uses an operator or arity the grammar
// lacks; the grammar's constants are taken from t, so it is then derivable.
func inGrammar(t *sygus.Term) error {
	if t.Kind == sygus.TermApp {
		want := grammarArity[t.Op]
		if want != len(t.Args) || t.Op == sygus.OpEq && t.Args[0].Sort != sygus.SortInt {
			return fmt.Errorf("%s is not a production of the grammar", t)
		}
	}
	for _, a := range t.Args {
		if err := inGrammar(a); err != nil {
			return err
		}
	}
	return nil
}

// distractors are separators a task may offer without needing them, as the
// benchmark grammars do.
var distractors = []string{",", ".", "-", "_", "/", "@", ":"}

func render(desc string, params []sygus.Var, body *sygus.Term, exs []example, r *rng) string {
	strConsts, intConsts := []string{"", " "}, []int64{0, 1, -1}
	walk(body, func(t *sygus.Term) {
		switch {
		case t.Kind != sygus.TermConst:
		case t.Sort == sygus.SortString && !contains(strConsts, t.Val.Str):
			strConsts = append(strConsts, t.Val.Str)
		case t.Sort == sygus.SortInt && !contains(intConsts, t.Val.Int):
			intConsts = append(intConsts, t.Val.Int)
		}
	})
	if d := pick(r, distractors); r.percent(50) && !contains(strConsts, d) {
		strConsts = append(strConsts, d)
	}
	var sv, iv []string
	for _, v := range params {
		if v.Sort == sygus.SortString {
			sv = append(sv, v.Name)
		} else {
			iv = append(iv, v.Name)
		}
	}
	for _, c := range strConsts {
		sv = append(sv, sygus.StrVal(c).String())
	}
	for _, c := range intConsts {
		iv = append(iv, strconv.FormatInt(c, 10)) // v1 style: -1, not (- 1)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "; H3LIX generated task: %s.\n", desc)
	grammar := fmt.Sprintf("\n ((Start %[1]s (nt%[1]s))\n  (ntString String (%s%s\n  (ntInt Int (%s%s\n  (ntBool Bool (true false%s)",
		body.Sort, strings.Join(sv, " "), stringOps, strings.Join(iv, " "), intOps, boolOps)
	b.WriteString(signature(params, body.Sort, grammar))
	for _, e := range exs {
		args := make([]string, len(e.in))
		for i, v := range e.in {
			args[i] = v.String()
		}
		fmt.Fprintf(&b, "(constraint (= (f %s) %s))\n", strings.Join(args, " "), e.out)
	}
	b.WriteString("(check-synth)\n")
	return b.String()
}

// signature renders set-logic, the synth-fun (with grammar, if any) and the
// declare-vars.
func signature(params []sygus.Var, ret sygus.Sort, grammar string) string {
	var b strings.Builder
	b.WriteString("(set-logic SLIA)\n(synth-fun f (")
	for i, v := range params {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "(%s %s)", v.Name, v.Sort)
	}
	fmt.Fprintf(&b, ") %s%s)\n", ret, grammar)
	for _, v := range params {
		fmt.Fprintf(&b, "(declare-var %s %s)\n", v.Name, v.Sort)
	}
	return b.String()
}

func walk(t *sygus.Term, visit func(*sygus.Term)) {
	visit(t)
	for _, a := range t.Args {
		walk(a, visit)
	}
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
