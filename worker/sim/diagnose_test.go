package sim

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/pbe"
)

// TestDiagnoseCollective is the measurement behind docs/collective.md
// "Diagnosis": it runs the default simulation (8 nodes, 5 rounds, 10k
// candidates, euphony-train -> sygus2018, out of sample), prints what each
// round's field holds, and conditions fresh engines on the same accepted
// artifacts in three ways: round by round with the field's weights (what a
// collective node does), all at once with the same weights, and all at once
// with equal weights. Opt in: H3LIX_SIM_DIAGNOSE=1 (about 30 s).
func TestDiagnoseCollective(t *testing.T) {
	if os.Getenv("H3LIX_SIM_DIAGNOSE") == "" {
		t.Skip("set H3LIX_SIM_DIAGNOSE=1 to run the collective diagnosis against ../shared/bench/sygus-pbe")
	}
	load := func(dir string) []Task {
		files, _ := filepath.Glob(filepath.Join("../../../shared/bench/sygus-pbe", dir, "*.sl"))
		if len(files) == 0 {
			t.Skipf("../shared/bench/sygus-pbe/%s is absent", dir)
		}
		var out []Task
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, Task{Name: filepath.Base(f), Spec: b})
		}
		return out
	}
	train, held := load("euphony-train"), load("sygus2018")
	var fields [][]engine.WeightedArtifact
	var producers []int
	cfg := Config{Train: train, HeldOut: held, Nodes: 8, Rounds: 5, Budget: 10_000, Seed: 1,
		Trace: func(r RoundTrace) {
			fields = append(fields, r.Conditioned)
			ps := map[string]bool{}
			for _, e := range r.Field.Entries {
				ps[e.Producer] = true
			}
			producers = append(producers, len(ps))
		}}
	rep, err := Simulate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	solved := func(e *pbe.Engine) int {
		n := 0
		for _, h := range held {
			res, err := e.Solve(ctx, engine.Task{ID: h.Name, Spec: h.Spec}, engine.Budget{Candidates: cfg.Budget})
			if err == nil && res.Solved {
				n++
			}
		}
		return n
	}
	byRound := pbe.New(pbe.Options{}, 1)
	var all []engine.WeightedArtifact
	t.Logf("round | field | producers | kinds | by round (field weights) | simulation's collective node mean")
	for r, f := range fields {
		kinds := map[string]int{}
		for _, w := range f {
			kinds[w.Artifact.Manifest.Kind]++
		}
		if _, err := byRound.Condition(ctx, f); err != nil {
			t.Fatal(err)
		}
		all = append(all, f...)
		t.Logf("%d | %d | %d | %v | %d/%d | %.1f/%d", r+1, len(f), producers[r], kinds, solved(byRound), len(held),
			float64(rep.Rounds[r].Collective)/float64(rep.HonestNodes), len(held))
	}
	once := pbe.New(pbe.Options{}, 1)
	if _, err := once.Condition(ctx, all); err != nil {
		t.Fatal(err)
	}
	equal := append([]engine.WeightedArtifact(nil), all...)
	for i := range equal {
		equal[i].Weight = 1
	}
	onceEqual := pbe.New(pbe.Options{}, 1)
	if _, err := onceEqual.Condition(ctx, equal); err != nil {
		t.Fatal(err)
	}
	t.Logf("the same %d artifacts: round by round %d, all at once (field weights) %d, all at once (equal weights) %d of %d held-out tasks",
		len(all), solved(byRound), solved(once), solved(onceEqual), len(held))
}
