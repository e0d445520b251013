package pbe

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// TestFieldTeachesLikeLearn is the static half of docs/collective.md: the
// programs the engine finds on euphony-train at 10k candidates, shared as
// artifacts and conditioned on (Condition), must teach a node what a prior
// learned from the same solutions (Learn) teaches, measured out of sample
// on sygus2018 at 10k. Before sub-program libraries (artifactPrior) and
// related check inputs (relateStrings), 10 of 40 solutions could not be
// checked and so never became artifacts, and the conditioned node solved
// 51 held-out tasks against Learn's 61. About 2 s.
func TestFieldTeachesLikeLearn(t *testing.T) {
	load := func(dir string) []engine.Task {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sl"))
		if len(files) == 0 {
			if os.Getenv("H3LIX_REQUIRE_SHARED") != "" {
				t.Fatalf("H3LIX_REQUIRE_SHARED is set but %s has no tasks", dir)
			}
			t.Skipf("%s is absent: the shared benchmark sets are not part of the repository", dir)
		}
		var out []engine.Task
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, engine.Task{ID: filepath.Base(f), Spec: b})
		}
		return out
	}
	train, held := load(sharedSets[0]), load(sharedSets[1])
	ctx := context.Background()
	budget := engine.Budget{Candidates: 10_000}
	producer := New(Options{}, 1)
	var solved []Solved
	var field []engine.WeightedArtifact
	for _, task := range train {
		res, err := producer.Solve(ctx, task, budget)
		if err != nil || !res.Solved {
			continue
		}
		p, _ := sygus.Parse(string(task.Spec))
		params, ret, err := parseSignature(res.Signature)
		if err != nil {
			t.Fatal(err)
		}
		term, err := ParseCanonical(res.Program, params, ret)
		if err != nil {
			t.Fatal(err)
		}
		solved = append(solved, Solved{Problem: p, Term: term, TaskHash: task.ID})
		arts, err := producer.Distill(ctx, []engine.Result{res})
		if err != nil {
			t.Fatal(err)
		}
		if len(arts) == 0 {
			t.Errorf("%s: solved as %s, but no artifact could be made of it", task.ID, res.Program)
		}
		for _, a := range arts {
			field = append(field, engine.WeightedArtifact{Artifact: a, Weight: 1_000_000})
		}
	}
	rate := func(pr *Prior) int {
		e := New(Options{Prior: pr}, 1)
		n := 0
		for _, h := range held {
			if res, err := e.Solve(ctx, h, budget); err == nil && res.Solved {
				n++
			}
		}
		return n
	}
	learned, err := Learn(solved, 1)
	if err != nil {
		t.Fatal(err)
	}
	receiver := New(Options{}, 2)
	rep, err := receiver.Condition(ctx, field)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != len(field) {
		t.Fatalf("accepted %d of %d honest artifacts: %v", rep.Accepted, len(field), rep.Reasons)
	}
	uniform, byLearn, byField := rate(NewPrior()), rate(learned), rate(receiver.Prior())
	t.Logf("held-out solved at 10k (out of sample): uniform %d, learned from %d solutions %d, conditioned on their %d artifacts %d",
		uniform, len(solved), byLearn, len(field), byField)
	if byField < byLearn-1 || byField <= uniform {
		t.Errorf("conditioned on the field: %d held-out tasks; learned from the same solutions: %d; uniform: %d", byField, byLearn, uniform)
	}
}
