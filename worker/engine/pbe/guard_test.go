package pbe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/h3lix/h3lix/worker/engine"
)

// TestGuardKeepsWhatHurts: a node whose own task is area-code.sl is offered
// a field that only teaches other families. With the update it would spend
// more candidates on its own task (135 instead of 125 at 10k), so it keeps
// its prior and says why; with NoGuard it adopts the update. A field of its
// own family is adopted.
func TestGuardKeepsWhatHurts(t *testing.T) {
	producer := New(Options{}, 3)
	var other []engine.WeightedArtifact
	for _, name := range []string{"lastname.sl", "word-count.sl", "join.sl", "country.sl"} {
		other = append(other, engine.WeightedArtifact{Artifact: distillOne(t, producer, solveTask(t, producer, name)), Weight: engine.MaxPPM})
	}
	node := func(opts Options) *Engine {
		e := New(opts, 7)
		solveTask(t, e, "area-code.sl")
		return e
	}

	guarded := node(Options{})
	before := guarded.Prior()
	rep, err := guarded.Condition(context.Background(), other)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != len(other) || !strings.Contains(rep.Kept, "own tasks at 10000 candidates") {
		t.Fatalf("report %+v: want every artifact verified and the prior kept, judged at the default 10000 candidates", rep)
	}
	if !samePrior(t, before, guarded.Prior()) {
		t.Error("the guard turned the field down but the prior changed")
	}

	// The guard judges at the node's budget (Options.GuardCandidates): at
	// 2 candidates neither prior solves the node's task, so the same field
	// no longer does worse there and is adopted.
	tiny := node(Options{GuardCandidates: 2})
	if rep, err := tiny.Condition(context.Background(), other); err != nil || rep.Kept != "" || samePrior(t, before, tiny.Prior()) {
		t.Fatalf("GuardCandidates 2: report %+v, err %v", rep, err)
	}

	open := node(Options{NoGuard: true})
	rep, err = open.Condition(context.Background(), other)
	if err != nil || rep.Kept != "" || samePrior(t, before, open.Prior()) {
		t.Fatalf("NoGuard: report %+v, err %v, prior changed %v", rep, err, !samePrior(t, before, open.Prior()))
	}

	// The same family: an artifact of area-code.sl from another node
	// teaches what the node's own task needs.
	own := []engine.WeightedArtifact{{Artifact: distillOne(t, producer, solveTask(t, producer, "area-code.sl")), Weight: engine.MaxPPM}}
	adopter := node(Options{})
	if rep, err := adopter.Condition(context.Background(), own); err != nil || rep.Kept != "" || samePrior(t, before, adopter.Prior()) {
		t.Fatalf("own family: report %+v, err %v", rep, err)
	}
}

// TestGuardKeepsItsOwnWork: a field the guard turns down (four artifacts
// of other families, and the node's own at a low field weight) still holds
// the node's own artifact. The node adopts that artifact alone, weighed as
// its isolated twin (conditioned on its own artifact only) weighs it, and
// ends with the twin's prior: turning a field down never costs it its own
// work.
func TestGuardKeepsItsOwnWork(t *testing.T) {
	producer := New(Options{}, 3)
	var field []engine.WeightedArtifact
	for _, name := range []string{"lastname.sl", "word-count.sl", "join.sl", "country.sl"} {
		field = append(field, engine.WeightedArtifact{Artifact: distillOne(t, producer, solveTask(t, producer, name)), Weight: engine.MaxPPM})
	}
	node, twin := New(Options{}, 7), New(Options{}, 7)
	mine := distillOne(t, node, solveTask(t, node, "area-code.sl"))
	solveTask(t, twin, "area-code.sl")
	field = append(field, engine.WeightedArtifact{Artifact: mine, Weight: engine.MaxPPM / 20})

	rep, err := node.Condition(context.Background(), field)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Kept, "own tasks") || !strings.Contains(rep.Kept, "adopted its own 1 artifacts") {
		t.Fatalf("report %+v: want the field turned down and the own artifact adopted", rep)
	}
	if rep, err := twin.Condition(context.Background(), []engine.WeightedArtifact{{Artifact: mine, Weight: engine.MaxPPM}}); err != nil || rep.Kept != "" {
		t.Fatalf("twin: report %+v, err %v", rep, err)
	}
	if !samePrior(t, node.Prior(), twin.Prior()) {
		t.Error("the node's prior differs from its isolated twin's")
	}
}

func samePrior(t *testing.T, a, b *Prior) bool {
	t.Helper()
	x, err := a.Encode()
	if err != nil {
		t.Fatal(err)
	}
	y, err := b.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return string(x) == string(y)
}

// TestProbeIsNotKept: a task solved as a measurement (Probe) is not kept
// among the node's own tasks, so the guard and verification never learn
// from a held-out set.
func TestProbeIsNotKept(t *testing.T) {
	e := New(Options{}, 7)
	src, err := os.ReadFile(filepath.Join("testdata", "area-code.sl"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Solve(context.Background(), engine.Task{ID: "probe", Spec: src, Probe: true}, engine.Budget{Candidates: testBudget}); err != nil {
		t.Fatal(err)
	}
	if len(e.local) != 0 {
		t.Fatalf("a probe was kept as an own task (%d)", len(e.local))
	}
	solveTask(t, e, "area-code.sl")
	if len(e.local) != 1 {
		t.Fatalf("an own task was not kept (%d)", len(e.local))
	}
}
