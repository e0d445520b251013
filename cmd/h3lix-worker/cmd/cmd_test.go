package cmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/h3lix/h3lix/worker/engine/llm/llmtest"
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
	"github.com/h3lix/h3lix/worker/sim"
)

const testdata = "../../../worker/engine/pbe/testdata"

func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	root := NewRootCmd()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errb.String(), err
}

func TestSolve(t *testing.T) {
	out, _, err := run(t, "solve", filepath.Join(testdata, "area-code.sl"), "--candidates", "1000000")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out) != "(define-fun f ((s String)) String (str.substr s 4 3))" {
		t.Errorf("output %q", out)
	}
	// Unsolved within the budget: (fail) and success.
	out, stderr, err := run(t, "solve", filepath.Join(testdata, "lastname.sl"), "--candidates", "50")
	if err != nil || strings.TrimSpace(out) != "(fail)" || !strings.Contains(stderr, "candidate budget") {
		t.Errorf("got %q %q %v", out, stderr, err)
	}
	bad := filepath.Join(t.TempDir(), "bad.sl")
	if err := os.WriteFile(bad, []byte("(set-logic SLIA)\n(synth-fun f ((x String)) String\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "solve", bad); err == nil || !strings.Contains(err.Error(), "line 2: unclosed") {
		t.Errorf("parse error: %v", err)
	}
}

func TestLearnAndBench(t *testing.T) {
	dir := t.TempDir()
	prior := filepath.Join(dir, "prior.json")
	if _, _, err := run(t, "pbe", "learn", "--tasks", testdata, "--out", prior, "--candidates", "2000000"); err != nil {
		t.Fatal(err)
	}
	js := filepath.Join(dir, "out.json")
	out, progress, err := run(t, "bench", "pbe", "--tasks", testdata, "--candidates", "2000000", "--prior", prior, "--json", js)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "solved") || !strings.Contains(progress, "[  1/  6]") {
		t.Errorf("summary %q progress %q", out, progress)
	}
	var rep benchReport
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil || len(rep.Results) != 6 {
		t.Fatalf("json: %v %d", err, len(rep.Results))
	}
	for _, r := range rep.Results {
		if !r.Solved {
			t.Errorf("%s unsolved: %s", r.Task, r.Reason)
		}
	}
}

func TestBenchCollective(t *testing.T) {
	args := []string{"bench", "collective", "--train", testdata, "--held-out", testdata, "--nodes", "2", "--rounds", "1", "--candidates", "100000"}
	if _, _, err := run(t, args...); err == nil || !strings.Contains(err.Error(), "share input/output examples") || !strings.Contains(err.Error(), "--allow-overlap") {
		t.Fatalf("training on the held-out tasks: %v", err)
	}
	out, stderr, err := run(t, append(args, "--allow-overlap")...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "isolated") || !strings.Contains(out, "collective") || !strings.Contains(out, "in-sample") || !strings.Contains(stderr, "warning") {
		t.Errorf("table %q", out)
	}
	if _, _, err := run(t, "bench", "collective", "--train", t.TempDir()); err == nil {
		t.Error("missing task directory must be an error")
	}
	// Several seeds: the mean per round and the range of the gain.
	js := filepath.Join(t.TempDir(), "seeds.json")
	out, _, err = run(t, append(args, "--allow-overlap", "--seeds", "2", "--json", js)...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "gain mean") || !strings.Contains(out, "seeds 1..2") || !strings.Contains(out, "nodes below their twin") {
		t.Errorf("seeds table %q", out)
	}
	var sr seedsReport
	b, _ := os.ReadFile(js)
	if err := json.Unmarshal(b, &sr); err != nil || len(sr.Runs) != 2 || len(sr.Summary) != 1 || sr.Sample != sampleIn || sr.Summary[0].Nodes != 4 {
		t.Errorf("seeds json: %v %+v", err, sr.Summary)
	}
	if _, _, err := run(t, append(args, "--allow-overlap", "--seeds", "0")...); err == nil || !strings.Contains(err.Error(), "--seeds") {
		t.Errorf("--seeds 0: %v", err)
	}
}

// TestBenchFlagsRejected: a bad number fails at once, by its flag's name,
// before any task is loaded (the task directories here do not exist) and
// before anything is written.
func TestBenchFlagsRejected(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none")
	js := filepath.Join(t.TempDir(), "out.json")
	coll := func(args ...string) []string {
		return append([]string{"bench", "collective", "--train", none, "--held-out", none, "--json", js}, args...)
	}
	pbeArgs := func(args ...string) []string {
		return append([]string{"bench", "pbe", "--tasks", none, "--json", js}, args...)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{coll("--nodes", "0"), "--nodes 0: want at least 1"},
		{coll("--rounds", "0"), "--rounds 0: want at least 1"},
		{coll("--seeds", "0"), "--seeds 0: want at least 1"},
		{coll("--candidates", "-5"), "--candidates -5"},
		{coll("--candidates", "0"), "needs a --timeout"},
		{coll("--timeout", "-1s"), "--timeout -1s"},
		{coll("--held-out-n", "-3"), "--held-out-n -3"},
		{coll("--interests", "-1"), "--interests -1"},
		{coll("--adversarial", "-0.1"), "--adversarial -0.1: want a share"},
		{coll("--adversarial", "1.5"), "--adversarial 1.5: want a share"},
		{coll("--adversarial", "NaN"), "--adversarial NaN"},
		{coll("--nodes", "2", "--adversarial", "0.75"), "every node an adversary"},
		{pbeArgs("--kfold", "1"), "--kfold 1: want 0"},
		{pbeArgs("--kfold", "-2"), "--kfold -2"},
		{pbeArgs("--threads", "0"), "--threads 0"},
		{pbeArgs("--candidates", "-1"), "--candidates -1"},
		{pbeArgs("--prior", none), "no such file"},
		{[]string{"pbe", "learn", "--tasks", none, "--timeout", "-1s"}, "--timeout -1s"},
		{[]string{"solve", filepath.Join(testdata, "area-code.sl"), "--candidates", "-1"}, "--candidates -1"},
		{[]string{"solve", filepath.Join(testdata, "area-code.sl"), "--timeout", "-1s"}, "--timeout -1s"},
		{[]string{"bench", "energy", "--trace", none, "--duty", "NaN"}, "--duty NaN: must be in (0, 1]"},
	} {
		if _, _, err := run(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
	if _, err := os.Stat(js); !os.IsNotExist(err) {
		t.Errorf("a refused run wrote %s (%v)", js, err)
	}
	// A time budget alone is a valid setting: the flags pass, and the run
	// stops at the missing tasks.
	if _, _, err := run(t, coll("--timeout", "1s", "--candidates", "0")...); err == nil || !strings.Contains(err.Error(), "no .sl tasks") {
		t.Errorf("--timeout 1s --candidates 0: got %v, want the missing tasks' error", err)
	}
}

// TestBenchCollectiveInterests: personal nodes over generated tasks, whose
// file names carry their family. Two nodes that share one interest are each
// judged on that family's held-out tasks only; more interests than the
// tasks' families is a clear error before any solving.
func TestBenchCollectiveInterests(t *testing.T) {
	train, held := filepath.Join(t.TempDir(), "train"), filepath.Join(t.TempDir(), "held")
	for dir, seed := range map[string]string{train: "1", held: "2"} {
		if _, _, err := run(t, "tasks", "gen", "--seed", seed, "--count", "43", "--out", dir); err != nil {
			t.Fatal(err)
		}
	}
	js := filepath.Join(t.TempDir(), "rep.json")
	out, _, err := run(t, "bench", "collective", "--train", train, "--held-out", held, "--nodes", "2", "--rounds", "1", "--candidates", "2000", "--interests", "1", "--relevance", "--json", js)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "personal (1 families per node") || !strings.Contains(out, "relevance-weighted") || !strings.Contains(out, "out-of-sample") {
		t.Errorf("table %q", out)
	}
	var rep sim.Report
	b, _ := os.ReadFile(js)
	if err := json.Unmarshal(b, &rep); err != nil || rep.Interests != 1 || !rep.Relevance || rep.HeldOutTotal != 2 || rep.HeldOut != 43 {
		t.Errorf("json: %v interests %d relevance %v held-out total %d of %d", err, rep.Interests, rep.Relevance, rep.HeldOutTotal, rep.HeldOut)
	}
	if _, _, err := run(t, "bench", "collective", "--train", train, "--held-out", held, "--nodes", "4", "--interests", "40"); err == nil || !strings.Contains(err.Error(), "need 80 families") {
		t.Errorf("--interests 40: %v", err)
	}
}

// TestBenchSample: bench pbe refuses to report rates of tasks that share
// an example with what the prior learned from, and labels every report.
func TestBenchSample(t *testing.T) {
	dir := t.TempDir()
	prior := filepath.Join(dir, "prior.json")
	if _, _, err := run(t, "pbe", "learn", "--tasks", testdata, "--out", prior, "--candidates", "200000"); err != nil {
		t.Fatal(err)
	}
	// Another set: one task of its own, sharing no example with testdata.
	other := filepath.Join(dir, "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	task := "(set-logic SLIA)\n(synth-fun f ((s String)) String)\n(constraint (= (f \"ab-cd\") \"cd\"))\n(constraint (= (f \"xy-zw\") \"zw\"))\n(check-synth)\n"
	if err := os.WriteFile(filepath.Join(other, "suffix.sl"), []byte(task), 0o644); err != nil {
		t.Fatal(err)
	}
	sample := func(args ...string) (string, string, error) {
		js := filepath.Join(dir, "rep.json")
		_ = os.Remove(js)
		_, stderr, err := run(t, append([]string{"bench", "pbe", "--candidates", "200000", "--json", js}, args...)...)
		if err != nil {
			return "", stderr, err
		}
		var rep benchReport
		b, _ := os.ReadFile(js)
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		return rep.Sample, stderr, nil
	}
	for _, c := range []struct {
		args    []string
		want    string
		warning string
		err     string
	}{
		{args: []string{"--tasks", testdata, "--prior", prior, "--prior-tasks", testdata}, err: "share input/output examples"},
		{args: []string{"--tasks", testdata, "--prior", prior, "--prior-tasks", testdata, "--allow-overlap"}, want: sampleIn, warning: "in-sample"},
		{args: []string{"--tasks", other, "--prior", prior, "--prior-tasks", testdata}, want: sampleOut},
		{args: []string{"--tasks", other, "--prior", prior}, want: sampleUnchecked, warning: "--prior-tasks"},
		{args: []string{"--tasks", other}, want: sampleNone},
		{args: []string{"--tasks", testdata, "--kfold", "3"}, want: sampleOut},
		{args: []string{"--tasks", other, "--prior-tasks", testdata}, err: "pass the prior too"},
	} {
		got, stderr, err := sample(c.args...)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v: error %v, want %q", c.args, err, c.err)
			}
		case err != nil:
			t.Errorf("%v: %v", c.args, err)
		case got != c.want || !strings.Contains(stderr, c.warning):
			t.Errorf("%v: sample %q (stderr %q), want %q with a warning %q", c.args, got, stderr, c.want, c.warning)
		}
	}
}

// TestBenchThreads: tasks solved side by side under a candidate budget
// give the same results, in task order, as one at a time.
func TestBenchThreads(t *testing.T) {
	var reps [2]benchReport
	for i, threads := range []string{"1", "3"} {
		js := filepath.Join(t.TempDir(), "rep.json")
		if _, _, err := run(t, "bench", "pbe", "--tasks", testdata, "--candidates", "300000", "--threads", threads, "--json", js); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(js)
		if err := json.Unmarshal(b, &reps[i]); err != nil {
			t.Fatal(err)
		}
	}
	if len(reps[0].Results) != 6 || len(reps[1].Results) != 6 {
		t.Fatalf("results %d and %d", len(reps[0].Results), len(reps[1].Results))
	}
	for i, a := range reps[0].Results {
		b := reps[1].Results[i]
		if a.Task != b.Task || a.Solved != b.Solved || a.Program != b.Program || a.Candidates != b.Candidates {
			t.Errorf("threads change %s: %+v vs %+v", a.Task, a, b)
		}
	}
}

// TestFamilyFoldsJoinSharedExamples: two tasks of different families that
// share an example land in one fold.
func TestFamilyFoldsJoinSharedExamples(t *testing.T) {
	mk := func(name, ex string) *task {
		p, err := sygus.Parse("(set-logic SLIA)\n(synth-fun f ((s String)) String)\n" + ex + "(check-synth)\n")
		if err != nil {
			t.Fatal(err)
		}
		return &task{name: name, p: p}
	}
	shared := `(constraint (= (f "a b") "b"))` + "\n"
	tasks := []*task{
		mk("alpha.sl", shared),
		mk("beta.sl", `(constraint (= (f "c d") "d"))`+"\n"),
		mk("gamma.sl", `(constraint (= (f "e f") "f"))`+"\n"+shared),
		mk("alpha-long.sl", `(constraint (= (f "g h") "h"))`+"\n"),
	}
	folds := familyFolds(tasks, 3)
	if folds[0] != folds[2] || folds[0] != folds[3] || folds[1] == folds[0] {
		t.Errorf("folds %v: alpha, gamma (shared example) and alpha-long (family) must be together, beta apart", folds)
	}
}

// TestSolveWithLLM runs the command against a real Ollama: the
// answer is the embedded engine's (a story-writing model cannot change
// it), the note says what the model gave, and a server that is down gives a
// warning and the same answer.
func TestSolveWithLLM(t *testing.T) {
	task := filepath.Join(testdata, "area-code.sl")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--engine", "gpt"}, `--engine "gpt"`},
		{[]string{"--engine", "llm"}, "model: empty"},
		{[]string{"--engine", "llm", "--llm-model", "m", "--llm-url", "https://gpu.example.com/v1"}, "not on this machine"},
		{[]string{"--engine", "llm", "--llm-model", "m", "--llm-weight", "1"}, "--llm-weight"},
	} {
		if _, _, err := run(t, append([]string{"solve", task}, c.args...)...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.args, err, c.want)
		}
	}
	if testing.Short() {
		t.Skip("starts an Ollama server")
	}
	srv := llmtest.Start(t)
	want := "(define-fun f ((s String)) String (str.substr s 4 3))"
	args := []string{"solve", "--engine", "llm", "--llm-url", srv.BaseURL, "--llm-model", llmtest.Model, "--llm-samples", "2", "--candidates", "1000000",
		"--timeout", "5m", task} // the model shares two cores with the other test packages
	out, stderr, err := run(t, args...)
	if err != nil || strings.TrimSpace(out) != want || !strings.Contains(stderr, "2 samples") {
		t.Errorf("guided: %q %q %v", out, stderr, err)
	}
	srv.Stop()
	out, stderr, err = run(t, args...)
	if err != nil || strings.TrimSpace(out) != want || !strings.Contains(stderr, "warning:") || !strings.Contains(stderr, "embedded engine alone") {
		t.Errorf("server down: %q %q %v", out, stderr, err)
	}
}
