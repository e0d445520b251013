package pbe

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/h3lix/h3lix/worker/engine"
)

// story is what the 260K-parameter test model writes: no term at all.
const story = "Once upon a time, there was a little girl named Lily. She loved to play outside (in the sun) with her dog."

func TestGuideCountsAndChecks(t *testing.T) {
	p := load(t, "lastname.sl")
	correct := "```\n(define-fun f ((x String)) String (str.substr x (+ (str.indexof x \" \" 0) 1) (str.len x)))\n```"
	wrongConst := "(define-fun f ((x String)) String (str.substr x (+ (str.indexof x \".\" 0) 1) (str.len x)))"
	outOfGrammar := "(define-fun f ((x String)) String (str.substr x (+ (str.indexof x \" \" 0) 1) (- (str.len x) 0 0)))"

	pr, st, sol := Guide(p, []string{story, wrongConst, "(str.len name) and then (str.at"})
	if sol != nil {
		t.Errorf("a wrong program was taken as the answer: %s", sol)
	}
	if st.Samples != 3 || st.Parsed != 1 || st.Partial != 1 || st.Fragments != 2 {
		t.Errorf("stats %+v, want 3 samples, 1 parsed, 1 partial, 2 fragments", st)
	}
	if pr.Tasks != 2*milli {
		t.Errorf("prior tasks %d, want two samples' worth", pr.Tasks)
	}
	// str.len: once in the whole body (1) and once in the fragment (1/2).
	if got := pr.Ops["str.len"]; got != milli+milli/2 {
		t.Errorf("str.len count %d, want %d", got, milli+milli/2)
	}
	if pr.Consts[`c:"."`] != milli || len(pr.Ctx) == 0 {
		t.Errorf("constants %v / context %d: the whole body's constant and edges must count", pr.Consts, len(pr.Ctx))
	}

	if _, _, sol := Guide(p, []string{outOfGrammar}); sol != nil {
		t.Errorf("a program outside the task's grammar was taken as the answer: %s", sol)
	}
	if _, _, sol := Guide(p, []string{story, correct}); sol == nil || p.Check(sol) != nil {
		t.Errorf("the correct sample was not taken: %v", sol)
	}
}

func TestSolveGuided(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "lastname.sl"))
	if err != nil {
		t.Fatal(err)
	}
	task := engine.Task{ID: "lastname", Spec: src}
	budget := engine.Budget{Candidates: testBudget}
	ctx := context.Background()

	plain, err := New(Options{}, 1).Solve(ctx, task, budget)
	if err != nil || !plain.Solved {
		t.Fatalf("unguided: %+v %v", plain, err)
	}
	// Garbage changes nothing: same answer after the same candidates.
	garbage, st, err := New(Options{}, 1).SolveGuided(ctx, task, budget, []string{story, story, "((("}, 500_000)
	if err != nil || garbage.Answer != plain.Answer || garbage.Candidates != plain.Candidates {
		t.Errorf("garbage samples changed the search: %q after %d vs %q after %d (%v)", garbage.Answer, garbage.Candidates, plain.Answer, plain.Candidates, err)
	}
	if st.Parsed != 0 || st.Fragments != 0 {
		t.Errorf("stats %+v from stories", st)
	}
	// A nearly right sample (wrong separator) makes the search cheaper.
	near := "(define-fun f ((x String)) String (str.substr x (+ (str.indexof x \".\" 0) 1) (str.len x)))"
	guided, st, err := New(Options{}, 1).SolveGuided(ctx, task, budget, []string{near, near}, 500_000)
	if err != nil || !guided.Solved {
		t.Fatalf("guided: %+v %v", guided, err)
	}
	if guided.Candidates >= plain.Candidates {
		t.Errorf("guided search took %d candidates, unguided %d: the samples' productions did not help", guided.Candidates, plain.Candidates)
	}
	if st.Parsed != 2 {
		t.Errorf("stats %+v", st)
	}
	// A correct sample is the answer, checked, with no search.
	correct := "(define-fun f ((x String)) String (str.substr x (+ (str.indexof x \" \" 0) 1) (str.len x)))"
	direct, _, err := New(Options{}, 1).SolveGuided(ctx, task, budget, []string{story, correct}, 500_000)
	if err != nil || !direct.Solved || direct.Candidates != 0 {
		t.Errorf("correct sample: %+v %v", direct, err)
	}
	t.Logf("candidates: unguided %d, guided by a near miss %d", plain.Candidates, guided.Candidates)
}

func TestMixGuideWeight(t *testing.T) {
	learned := NewPrior()
	learned.Tasks = 50 * milli
	learned.Ops["str.++"] = 40 * milli
	g := NewPrior()
	g.Tasks = 4 * milli
	g.Ops["str.substr"] = 4 * milli
	m, err := mixGuide(learned, g, 500_000)
	if err != nil {
		t.Fatal(err)
	}
	// Half the evidence: the guide counts as 50 tasks, its 4 substr as 50.
	if m.Tasks != 100*milli || m.Ops["str.substr"] != 50*milli || m.Ops["str.++"] != 40*milli {
		t.Errorf("mixed %d tasks, substr %d, ++ %d", m.Tasks, m.Ops["str.substr"], m.Ops["str.++"])
	}
	if same, _ := mixGuide(learned, g, 0); same != learned {
		t.Error("weight 0 must leave the prior as it is")
	}
	if _, err := mixGuide(learned, g, 4_000_000_000); err != nil {
		t.Errorf("an oversized weight must be capped, not fail: %v", err)
	}
}
