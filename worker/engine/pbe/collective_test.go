package pbe

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestSimulateFiltersAdversaries(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.sl")
	var tasks []SimTask
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tasks = append(tasks, SimTask{Name: filepath.Base(f), Spec: src})
	}
	cfg := SimConfig{Train: tasks, HeldOut: tasks[:3], Nodes: 3, Rounds: 2, Budget: 300_000, Adversarial: 1, Seed: 5}
	rep, err := Simulate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rounds) != 2 || rep.HonestNodes != 2 {
		t.Fatalf("report %+v", rep)
	}
	poisoned, filtered := 0, 0
	for _, r := range rep.Rounds {
		poisoned += r.Poisoned
		filtered += r.Filtered
		if r.Accepted != r.Published-r.Poisoned {
			t.Errorf("round %d: accepted %d of %d with %d poisoned", r.Round, r.Accepted, r.Published, r.Poisoned)
		}
	}
	if poisoned == 0 || filtered != poisoned {
		t.Errorf("poisoned %d, filtered %d", poisoned, filtered)
	}
	again, _ := Simulate(context.Background(), cfg)
	for i := range rep.Rounds {
		if rep.Rounds[i] != again.Rounds[i] {
			t.Errorf("round %d not deterministic: %+v vs %+v", i+1, rep.Rounds[i], again.Rounds[i])
		}
	}
}
