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

// TestRelevanceWeighsByOwnTasks: with Options.Relevance an artifact of the
// field counts in proportion to its verified quality on the node's own
// tasks. The node's task is area-code.sl: an artifact of the same task
// from another node fits it (quality 1), one of lastname.sl does not
// (quality below 1), and the node's prior becomes exactly the merge at
// those weights. Without Relevance both count fully.
func TestRelevanceWeighsByOwnTasks(t *testing.T) {
	producer := New(Options{}, 3)
	field := []engine.WeightedArtifact{
		{Artifact: distillOne(t, producer, solveTask(t, producer, "area-code.sl")), Weight: engine.MaxPPM},
		{Artifact: distillOne(t, producer, solveTask(t, producer, "lastname.sl")), Weight: engine.MaxPPM},
	}
	node := func(rel bool) *Engine {
		e := New(Options{NoGuard: true, Relevance: rel}, 7)
		solveTask(t, e, "area-code.sl")
		return e
	}
	want := func(e *Engine, weights ...int64) *Prior {
		t.Helper()
		ws := []Weighted{{e.Prior(), 1_000_000}}
		for i, w := range field {
			pl, err := DecodePayload(w.Artifact.Payload)
			if err != nil {
				t.Fatal(err)
			}
			ws = append(ws, Weighted{artifactPrior(pl, e.seed), weights[i]})
		}
		m, err := merged(ws)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	rel := node(true)
	var q []int64
	for _, w := range field {
		v, err := rel.Verify(context.Background(), w.Artifact)
		if err != nil || v.Verdict != engine.VerdictValid {
			t.Fatalf("verify: %+v %v", v, err)
		}
		q = append(q, int64(v.Quality))
	}
	if q[0] != int64(engine.MaxPPM) || q[1] >= q[0] || q[1] < int64(engine.MaxPPM)/2 {
		t.Fatalf("qualities %v: want the own family's artifact at 1 and the other family's in [1/2, 1)", q)
	}
	expect := want(rel, q[0], q[1])
	if _, err := rel.Condition(context.Background(), field); err != nil {
		t.Fatal(err)
	}
	if !samePrior(t, rel.Prior(), expect) {
		t.Error("with Relevance the prior is not the merge at the artifacts' qualities")
	}

	plain := node(false)
	expect = want(plain, 1_000_000, 1_000_000)
	if _, err := plain.Condition(context.Background(), field); err != nil {
		t.Fatal(err)
	}
	if !samePrior(t, plain.Prior(), expect) {
		t.Error("without Relevance the prior is not the merge at full weight")
	}
	if samePrior(t, rel.Prior(), plain.Prior()) {
		t.Error("Relevance changed nothing")
	}
}

// TestRelevanceWhenTheFieldIsKept: when the guard turns a field down and
// the node adopts only its own artifacts, Relevance weighs those too. The
// node's own tasks are area-code.sl and lastname.sl; its area-code
// artifact does not fit lastname.sl, so its quality is below one, and the
// prior the node ends with is the merge at that weight.
func TestRelevanceWhenTheFieldIsKept(t *testing.T) {
	producer := New(Options{}, 3)
	var field []engine.WeightedArtifact
	for _, name := range []string{"word-count.sl", "join.sl", "country.sl"} {
		field = append(field, engine.WeightedArtifact{Artifact: distillOne(t, producer, solveTask(t, producer, name)), Weight: engine.MaxPPM})
	}
	node := New(Options{Relevance: true}, 7)
	mine := distillOne(t, node, solveTask(t, node, "area-code.sl"))
	solveTask(t, node, "lastname.sl")
	field = append(field, engine.WeightedArtifact{Artifact: mine, Weight: engine.MaxPPM / 20})

	v, err := node.Verify(context.Background(), mine)
	if err != nil || v.Verdict != engine.VerdictValid || v.Quality >= engine.MaxPPM {
		t.Fatalf("own artifact: %+v %v; want valid with quality below one", v, err)
	}
	pl, err := DecodePayload(mine.Payload)
	if err != nil {
		t.Fatal(err)
	}
	want, err := merged([]Weighted{{node.Prior(), 1_000_000}, {artifactPrior(pl, node.seed), int64(v.Quality)}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := node.Condition(context.Background(), field)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Kept, "adopted its own 1 artifacts") {
		t.Fatalf("report %+v: want the field turned down and the own artifact adopted", rep)
	}
	if !samePrior(t, node.Prior(), want) {
		t.Error("the own artifact was not adopted at its quality")
	}
}
