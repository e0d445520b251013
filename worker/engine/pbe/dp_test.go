package pbe

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

func learnedSolutions(t *testing.T) []Solved {
	t.Helper()
	var solved []Solved
	for _, name := range []string{"lastname.sl", "area-code.sl", "country.sl", "join.sl", "word-count.sl", "prefix-bool.sl"} {
		p := load(t, name)
		out, err := Synthesize(context.Background(), p, Options{}, Limits{Candidates: testBudget})
		if err != nil || !out.Solved {
			t.Fatalf("%s: %v %s", name, err, out.Reason)
		}
		solved = append(solved, Solved{Problem: p, Term: out.Term, TaskHash: name})
	}
	return solved
}

// TestDPSensitivity is what the privacy guarantee rests on: removing any
// one task moves the released mass and the task count by at most
// dpSensitivity in L1.
func TestDPSensitivity(t *testing.T) {
	solved := learnedSolutions(t)
	all, n := dpMass(solved)
	if n != float64(len(solved)) {
		t.Fatalf("%v tasks, want %d", n, len(solved))
	}
	for i := range solved {
		rest := append(append([]Solved(nil), solved[:i]...), solved[i+1:]...)
		m, k := dpMass(rest)
		l1 := math.Abs(n - k)
		for _, key := range dpDomain {
			l1 += math.Abs(all[key] - m[key])
		}
		for key := range all {
			if !inDPDomain[key] {
				t.Fatalf("mass on %q, outside the public domain", key)
			}
		}
		if l1 > dpSensitivity+1e-9 {
			t.Errorf("without %s the release moves by %.3f in L1, more than %d", solved[i].TaskHash, l1, dpSensitivity)
		}
	}
}

func TestLearnPrivate(t *testing.T) {
	solved := learnedSolutions(t)
	exact, err := LearnPrivate(solved, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	mass, _ := dpMass(solved)
	for k, v := range mass {
		if got := exact.count(k); got != int64(math.Round(v*dpScale*milli)) {
			t.Errorf("noise-free %s = %d, want %v", k, got, v*dpScale*milli)
		}
	}
	if exact.Tasks != int64(len(solved))*milli || exact.DPEpsilonMilli != 0 {
		t.Errorf("noise-free prior: tasks %d, ε %d", exact.Tasks, exact.DPEpsilonMilli)
	}
	if _, err := LearnPrivate(solved, 1000, nil); err == nil {
		t.Error("ε = 1 without a noise source")
	}
	a, _ := LearnPrivate(solved, 1000, rand.New(rand.NewPCG(1, 2)))
	b, _ := LearnPrivate(solved, 1000, rand.New(rand.NewPCG(3, 4)))
	ea, _ := a.Encode()
	eb, _ := b.Encode()
	if string(ea) == string(eb) || a.DPEpsilonMilli != 1000 {
		t.Error("two noise draws gave the same prior")
	}
	for _, p := range []*Prior{exact, a, b} {
		if len(p.Ctx) != 0 || len(p.Library) != 0 {
			t.Errorf("a private prior releases context counts or a library: %+v", p)
		}
		for k := range p.Ops {
			if !inDPDomain[k] {
				t.Errorf("released %q outside the domain", k)
			}
		}
		for k := range p.Consts {
			if !inDPDomain[k] {
				t.Errorf("released %q outside the domain", k)
			}
		}
		enc, _ := p.Encode()
		back, err := DecodePrior(enc)
		if err != nil || back.DPEpsilonMilli != p.DPEpsilonMilli {
			t.Errorf("private prior does not round-trip: %v", err)
		}
	}
}
