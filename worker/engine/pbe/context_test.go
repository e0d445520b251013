package pbe

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// TestPriorSchemaV3 pins the prior schema: v3 carries context counts and
// typed holes, and v1 and v2 priors are rejected with a message that says
// why.
func TestPriorSchemaV3(t *testing.T) {
	if PriorSchema != "h3lix/pbe/prior/v3" {
		t.Fatalf("schema %s: bump this test together with the encoding", PriorSchema)
	}
	p := NewPrior()
	p.Tasks = milli
	p.Ops["str.++"] = milli
	p.Ctx[ctxKey("str.++", 1, `c:" "`)] = milli
	b, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schema":"h3lix/pbe/prior/v3","dsl":"` + DSLFingerprint + `","tasks":1000,"ops":{"str.++":1000},"consts":{},"ctx":{"str.++#1>c:\" \"":1000},"library":null}`
	if string(b) != want {
		t.Fatalf("encoding\n got %s\nwant %s", b, want)
	}
	back, err := DecodePrior(b)
	if err != nil {
		t.Fatal(err)
	}
	if b2, _ := back.Encode(); !bytes.Equal(b, b2) {
		t.Error("v3 prior does not round-trip")
	}
	if _, err := DecodePrior([]byte(strings.Replace(want, "prior/v3", "prior/v2", 1))); err == nil || !strings.Contains(err.Error(), "typed holes") {
		t.Errorf("v2 prior: %v", err)
	}
	v1 := strings.Replace(strings.Replace(want, "prior/v3", "prior/v1", 1), `"ctx":{"str.++#1>c:\" \"":1000},`, "", 1)
	if _, err := DecodePrior([]byte(v1)); err == nil || !strings.Contains(err.Error(), "no context counts") {
		t.Errorf("v1 prior: %v", err)
	}
	// A parent key with '>' in it (">=") is split at its slot, not inside.
	g := &grammar{nts: []gnt{{name: "B", sort: sygus.SortBool}, {name: "I", sort: sygus.SortInt}}}
	g.prods = []prod{
		{nt: 0, kind: pkOp, op: sygus.OpGe, args: []int{1, 1}, key: ">="},
		{nt: 1, kind: pkConst, val: sygus.IntVal(0), key: "c:0"},
		{nt: 1, kind: pkConst, val: sygus.IntVal(1), key: "c:1"},
		{nt: 1, kind: pkOp, op: sygus.OpAdd, args: []int{1, 1}, key: "+"},
	}
	g.nts[0].prods, g.nts[1].prods = []int{0}, []int{1, 2, 3}
	ge := NewPrior()
	ge.Tasks = milli
	ge.Ctx[ctxKey(">=", 1, "c:0")] = 100 * milli
	tb := contextCosts(g, baseWeights(g, ge), ge)
	if d := tb.deltas[tb.ctxOf[0][0]]; d[1] == 0 || d[3] != 0 {
		t.Errorf(">= slot 0 has no data, so constants must cost more there than + (deltas %v)", d)
	}
	neg := strings.Replace(want, `":1000},"library"`, `":-1},"library"`, 1)
	if _, err := DecodePrior([]byte(neg)); err == nil {
		t.Error("negative context count accepted")
	}
}

// TestLearnContextCounts checks that learning counts every parent/slot/child
// edge, and that an artifact's prior derives the same counts from its
// program.
func TestLearnContextCounts(t *testing.T) {
	p := load(t, "join.sl")
	term, err := ParseCanonical(`(str.++ $0 (str.++ " (" (str.++ $1 ")")))`, []string{"String", "String"}, "String")
	if err != nil {
		t.Fatal(err)
	}
	pr, err := Learn([]Solved{{Problem: p, Term: term, TaskHash: "x"}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{
		"str.++#0>v:String":  2 * milli,
		"str.++#1>str.++":    2 * milli,
		`str.++#0>c:?String`: milli, // " (" occurs in the outputs: a hole
		`str.++#0>c:" ("`:    0,
		`str.++#1>c:")"`:     milli,
		"str.++#0>c:\"(\"":   0,
		"str.++#1>v:String":  0,
		"str.++#0>str.++":    0,
		"str.substr#0>str.+": 0,
	}
	for k, v := range want {
		if pr.Ctx[k] != v {
			t.Errorf("ctx[%s] = %d, want %d", k, pr.Ctx[k], v)
		}
	}
	pl, err := NewPayload(Canonical(term), []string{"String", "String"}, "String", Secrets(p), []string{"x"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := pl.Prior().Ctx; !equalCounts(got, pr.Ctx) {
		t.Errorf("payload prior ctx %v, want %v", got, pr.Ctx)
	}
}

func prodByKey(t *testing.T, g *grammar, key string) int {
	t.Helper()
	for id, pd := range g.prods {
		if pd.key == key {
			return id
		}
	}
	t.Fatalf("no production %s", key)
	return -1
}

// TestContextCosts checks the context table: without context counts every
// slot costs the context-free cost (all deltas 0); with them a production is
// cheaper in the slot it was seen in, no delta is negative, and the stored
// cost is the cheapest over the slots.
func TestContextCosts(t *testing.T) {
	p := load(t, "join.sl")
	g, err := compileGrammar(p)
	if err != nil {
		t.Fatal(err)
	}
	w := baseWeights(g, NewPrior())
	tb := contextCosts(g, w, NewPrior())
	cf := costsFrom(g, w)
	for id := range g.prods {
		if tb.base[id] != cf[id] {
			t.Errorf("uniform: base cost of %s is %d, context-free %d", g.prods[id].key, tb.base[id], cf[id])
		}
	}
	if tb.maxD != 0 {
		t.Errorf("uniform: max delta %d", tb.maxD)
	}

	pr := NewPrior()
	pr.Tasks = 10 * milli
	pr.Consts[`c:" "`] = 10 * milli
	pr.Ctx[ctxKey("str.++", 1, `c:" "`)] = 50 * milli
	pr.Ctx[ctxKey("str.++", 0, "v:String")] = 50 * milli
	w = baseWeights(g, pr)
	tb = contextCosts(g, w, pr)
	concat, space := prodByKey(t, g, "str.++"), prodByKey(t, g, `c:" "`)
	cost := func(parent, slot, child int) int {
		return tb.base[child] + int(tb.deltas[tb.ctxOf[parent][slot]][child])
	}
	if a, b := cost(concat, 1, space), cost(concat, 0, space); a >= b {
		t.Errorf(`" " costs %d in str.++ slot 1 and %d in slot 0; want cheaper where it was seen`, a, b)
	}
	for ci, d := range tb.deltas {
		for child, v := range d {
			if v < 0 {
				t.Fatalf("context %d: negative delta %d for %s", ci, v, g.prods[child].key)
			}
		}
	}
	if tb.base[space] != cost(concat, 1, space) {
		t.Errorf("stored cost %d of \" \" is not its cheapest slot cost %d", tb.base[space], cost(concat, 1, space))
	}
	// The learned context makes the task's solution cheaper to reach.
	u, err := Synthesize(context.Background(), p, Options{}, Limits{Candidates: testBudget})
	if err != nil || !u.Solved {
		t.Fatalf("uniform: %v %s", err, u.Reason)
	}
	c, err := Synthesize(context.Background(), p, Options{Prior: pr}, Limits{Candidates: testBudget})
	if err != nil || !c.Solved {
		t.Fatalf("with context prior: %v %s", err, c.Reason)
	}
	t.Logf("candidates: uniform %d, context prior %d", u.Stats.Candidates, c.Stats.Candidates)
}

// TestJITRaisesUsedProductions is the regression test of the JIT update:
// Probe's p^(1-fit) must make a production of a partial solution cheaper,
// also when the prior's weights exceed 1.
func TestJITRaisesUsedProductions(t *testing.T) {
	p := load(t, "join.sl")
	g, err := compileGrammar(p)
	if err != nil {
		t.Fatal(err)
	}
	pr := NewPrior()
	pr.Tasks = 10 * milli
	pr.Ops["str.++"] = 80 * milli
	pr.Ops["str.substr"] = 20 * milli
	base := baseWeights(g, pr)
	prob := probabilities(g, base)
	id := prodByKey(t, g, "str.substr")
	if base[id] <= 1 {
		t.Fatalf("weight %f: the test needs a weight above 1", base[id])
	}
	fit := make([]float64, len(prob))
	fit[id] = 0.5 // a partial solution right on half the examples used it
	before, after := costsFrom(g, base)[id], costsFrom(g, jitWeights(prob, fit))[id]
	if after >= before {
		t.Errorf("JIT update: cost of str.substr %d -> %d, want cheaper", before, after)
	}
}

// TestTwoValuedRemainder: "append , USA unless the text already ends with
// USA" is a concatenation whose remainder takes two values, built from two
// stored constants and one stored predicate.
func TestTwoValuedRemainder(t *testing.T) {
	src := `(set-logic SLIA)
(synth-fun f ((a String)) String
  ((Start String (S))
   (S String (a "," " " "USA" (str.++ S S) (str.at S I) (ite B S S)))
   (I Int (0 1 (str.len S)))
   (B Bool ((str.suffixof S S) (str.contains S S)))))
(declare-var a String)
(constraint (= (f "Ithaca, NY, USA") "Ithaca, NY, USA"))
(constraint (= (f "Los Angeles, CA") "Los Angeles, CA, USA"))
(constraint (= (f "Ann Arbor, MI, USA") "Ann Arbor, MI, USA"))
(constraint (= (f "College Park, MD") "College Park, MD, USA"))
(check-synth)`
	p, err := sygus.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Synthesize(context.Background(), p, Options{}, Limits{Candidates: 200_000})
	if err != nil || !out.Solved {
		t.Fatalf("%v %s", err, out.Reason)
	}
	if got := Canonical(out.Term); !strings.Contains(got, "ite") {
		t.Errorf("solution %s has no conditional", got)
	}
}
