package pbe

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/h3lix/h3lix/worker/engine"
)

func solveTask(t *testing.T, e *Engine, name string) engine.Result {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Solve(context.Background(), engine.Task{ID: name, Spec: src}, engine.Budget{Candidates: testBudget})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Solved {
		t.Fatalf("%s unsolved: %s", name, res.Reason)
	}
	return res
}

func distillOne(t *testing.T, e *Engine, res engine.Result) engine.Artifact {
	t.Helper()
	arts, err := e.Distill(context.Background(), []engine.Result{res})
	if err != nil || len(arts) != 1 {
		t.Fatalf("distill: %v (%d artifacts)", err, len(arts))
	}
	return arts[0]
}

// TestPayloadHasNoTaskData is the privacy test: no input or output string
// of the source task appears in the payload.
func TestPayloadHasNoTaskData(t *testing.T) {
	for _, name := range []string{"lastname.sl", "area-code.sl", "country.sl", "join.sl"} {
		t.Run(name, func(t *testing.T) {
			e := New(Options{}, 7)
			res := solveTask(t, e, name)
			a := distillOne(t, e, res)
			p := load(t, name)
			var strs []string
			for _, ex := range p.Examples {
				for _, v := range ex.In {
					strs = append(strs, v.Str)
				}
				strs = append(strs, ex.Out.Str)
			}
			// Provenance digests are hex and may contain digit runs by chance.
			var pl Payload
			if err := json.Unmarshal(a.Payload, &pl); err != nil {
				t.Fatal(err)
			}
			if len(pl.Provenance) != 1 || pl.Provenance[0] != hex.EncodeToString(res.TaskHash[:]) {
				t.Errorf("provenance %v", pl.Provenance)
			}
			payload := strings.ReplaceAll(string(a.Payload), pl.Provenance[0], "")
			for _, s := range strs {
				if len(s) < 3 {
					continue // separators such as ", " are part of programs
				}
				if strings.Contains(payload, s) || strings.Contains(payload, strings.ReplaceAll(s, `"`, `""`)) {
					t.Errorf("payload contains task string %q:\n%s", s, payload)
				}
			}
			if !strings.Contains(payload, `"provenance":["`) {
				t.Errorf("no provenance in %s", payload)
			}
		})
	}
}

func TestArtifactCanonicalAndVerified(t *testing.T) {
	key := []byte("a node's task key")
	e := New(Options{TaskKey: key}, 7)
	res := solveTask(t, e, "lastname.sl")
	a := distillOne(t, e, res)
	twin := New(Options{TaskKey: key}, 7)
	b := distillOne(t, twin, solveTask(t, twin, "lastname.sl"))
	if !bytes.Equal(a.Payload, b.Payload) || a.Manifest != b.Manifest {
		t.Fatal("same work distilled twice gives different artifacts")
	}
	// Another node (another key) cites the same task by another hash.
	other := New(Options{}, 7)
	c := distillOne(t, other, solveTask(t, other, "lastname.sl"))
	if bytes.Equal(a.Payload, c.Payload) {
		t.Fatal("two task keys give the same provenance")
	}
	if a.Manifest.Kind != Kind || a.Manifest.Domain != Domain || a.Manifest.Confidence == 0 || a.Manifest.PayloadSize != uint64(len(a.Payload)) {
		t.Errorf("manifest %+v", a.Manifest)
	}
	if emb, err := e.Embed(a.Payload); err != nil || emb != a.Manifest.Embedding || emb == (engine.Embedding{}) {
		t.Errorf("embedding %v %v", emb, err)
	}
	verifier := New(Options{}, 99)
	solveTask(t, verifier, "country.sl") // a local task of the same signature
	v, err := verifier.Verify(context.Background(), a)
	if err != nil || v.Verdict != engine.VerdictValid || v.Quality < engine.MaxPPM/2 {
		t.Fatalf("verify: %+v %v", v, err)
	}
}

func TestVerifyRejects(t *testing.T) {
	e := New(Options{}, 7)
	good := distillOne(t, e, solveTask(t, e, "area-code.sl"))
	pl, err := DecodePayload(good.Payload)
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(p *Payload)) engine.Artifact {
		var c Payload
		_ = json.Unmarshal(good.Payload, &c)
		f(&c)
		b, err := c.Encode()
		if err != nil {
			t.Fatal(err)
		}
		a, err := artifactOf(&c, good.Manifest.Confidence)
		if err != nil {
			t.Fatal(err)
		}
		a.Payload = b
		return a
	}
	cases := []struct {
		name string
		a    engine.Artifact
		want engine.Verdict
		msg  string
	}{
		{"wrong check vector", mutate(func(p *Payload) { p.Checks[2].Out = `"forged"` }), engine.VerdictInvalid, "check vector 2"},
		{"too few checks", mutate(func(p *Payload) { p.Checks = p.Checks[:2] }), engine.VerdictInvalid, "check vectors"},
		{"poisoned prior", mutate(func(p *Payload) { p.PriorDelta.Ops["str.replace"] = 1_000_000 }), engine.VerdictInvalid, "prior delta"},
		{"other program", mutate(func(p *Payload) { p.Program = "(str.substr $0 0 3)" }), engine.VerdictInvalid, ""},
		{"no provenance", mutate(func(p *Payload) { p.Provenance = nil }), engine.VerdictInvalid, "provenance"},
		{"constant program", mutate(func(p *Payload) {
			c, _ := ParseCanonical(`"x"`, p.Params, p.Ret)
			p.Program, p.PriorDelta = Canonical(c), deltaOf(c, len(p.Params))
			for i := range p.Checks {
				p.Checks[i].Out = `"x"`
			}
		}), engine.VerdictInvalid, "reads none of its parameters"},
		{"constant checks", mutate(func(p *Payload) {
			// Reads its parameter, yet gives "" on every check.
			c, _ := ParseCanonical(`(str.substr $0 0 0)`, p.Params, p.Ret)
			p.Program, p.PriorDelta = Canonical(c), deltaOf(c, len(p.Params))
			for i := range p.Checks {
				p.Checks[i].Out = `""`
			}
		}), engine.VerdictInvalid, "same output"},
		{"unknown schema", mutate(func(p *Payload) { p.Schema = "h3lix/pbe/artifact/v9" }), engine.VerdictUnavailable, "schema"},
		{"other DSL", mutate(func(p *Payload) { p.DSL = "00" }), engine.VerdictUnavailable, "DSL"},
	}
	notCanonical := good
	notCanonical.Payload = append([]byte(" "), good.Payload...)
	cases = append(cases, struct {
		name string
		a    engine.Artifact
		want engine.Verdict
		msg  string
	}{"not canonical", notCanonical, engine.VerdictInvalid, "canonical"})
	wrongEmb := good
	wrongEmb.Manifest.Embedding[0]++
	cases = append(cases, struct {
		name string
		a    engine.Artifact
		want engine.Verdict
		msg  string
	}{"manifest embedding", wrongEmb, engine.VerdictInvalid, "embedding"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := e.Verify(context.Background(), c.a)
			if err != nil {
				t.Fatal(err)
			}
			if v.Verdict != c.want || !strings.Contains(v.Reason, c.msg) {
				t.Errorf("got %s (%s), want %s (%s)", v.Verdict, v.Reason, c.want, c.msg)
			}
		})
	}
	_ = pl
}

func TestPriorMergeAndLearn(t *testing.T) {
	var solved []Solved
	for _, name := range []string{"lastname.sl", "area-code.sl", "join.sl"} {
		p := load(t, name)
		out, err := Synthesize(context.Background(), p, Options{}, Limits{Candidates: testBudget})
		if err != nil || !out.Solved {
			t.Fatalf("%s: %v", name, err)
		}
		solved = append(solved, Solved{Problem: p, Term: out.Term, TaskHash: name})
	}
	a, err := Learn(solved[:2], 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Learn(solved[2:], 1)
	if err != nil {
		t.Fatal(err)
	}
	if a.Ops["str.substr"] == 0 || a.Tasks != 2*milli || len(a.Library) == 0 {
		t.Fatalf("learned prior: %+v", a)
	}
	for _, l := range a.Library {
		if bad, err := RunChecks(l.Program, l.Params, l.Holes, l.Ret, l.Checks); err != nil || bad >= 0 {
			t.Errorf("library entry %s fails its own checks", l.Program)
		}
	}
	m1, err := Merge([]Weighted{{a, 250_000}, {b, 750_000}})
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := Merge([]Weighted{{b, 750_000}, {a, 250_000}})
	e1, _ := m1.Encode()
	e2, _ := m2.Encode()
	if !bytes.Equal(e1, e2) {
		t.Error("merge depends on input order")
	}
	if want := a.Ops["str.substr"]/4 + b.Ops["str.substr"]*3/4; m1.Ops["str.substr"] != want {
		t.Errorf("weighted count %d, want %d", m1.Ops["str.substr"], want)
	}
	back, err := DecodePrior(e1)
	if err != nil {
		t.Fatal(err)
	}
	if e3, _ := back.Encode(); !bytes.Equal(e1, e3) {
		t.Error("prior encoding does not round-trip")
	}
	other := NewPrior()
	other.DSL = "feedface"
	if _, err := Merge([]Weighted{{a, 1_000_000}, {other, 1_000_000}}); err == nil {
		t.Error("priors of different DSLs merged")
	}
	// Solving with the learned prior still finds correct programs.
	p := load(t, "lastname.sl")
	out, err := Synthesize(context.Background(), p, Options{Prior: m1, JIT: true}, Limits{Candidates: testBudget})
	if err != nil || !out.Solved {
		t.Fatalf("with prior: %v %s", err, out.Reason)
	}
}

func TestConditionFiltersPoison(t *testing.T) {
	producer := New(Options{}, 3)
	good := distillOne(t, producer, solveTask(t, producer, "lastname.sl"))
	var bad Payload
	_ = json.Unmarshal(good.Payload, &bad)
	bad.PriorDelta.Ops["str.replace"] = 50_000_000
	poisoned, err := artifactOf(&bad, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	node := New(Options{}, 4)
	rep, err := node.Condition(context.Background(), []engine.WeightedArtifact{{Artifact: good, Weight: 500_000}, {Artifact: poisoned, Weight: 500_000}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 1 || rep.Rejected != 1 {
		t.Fatalf("report %+v", rep)
	}
	pr := node.Prior()
	if pr.Ops["str.replace"] != 0 || pr.Ops["str.substr"] == 0 {
		t.Errorf("conditioned prior: %+v", pr)
	}
	// The library holds the verified program and its sub-programs that
	// read the parameter, each proven by its own check vectors.
	var gp Payload
	_ = json.Unmarshal(good.Payload, &gp)
	progs := map[string]bool{}
	for _, e := range pr.Library {
		progs[e.Program] = true
		if i, err := RunChecks(e.Program, e.Params, e.Holes, e.Ret, e.Checks); err != nil || i >= 0 || len(e.Checks) == 0 {
			t.Errorf("library entry %s: checks fail at %d (%v)", e.Program, i, err)
		}
	}
	if !progs[gp.Program] || len(pr.Library) < 2 {
		t.Errorf("library %v lacks the program %s or its sub-programs", progs, gp.Program)
	}
}
