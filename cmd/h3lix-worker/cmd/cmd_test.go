package cmd

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/h3lix/h3lix/worker/engine/llm/llmtest"
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
	out, _, err := run(t, "bench", "collective", "--train", testdata, "--held-out", testdata, "--nodes", "2", "--rounds", "1", "--candidates", "100000")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "isolated") || !strings.Contains(out, "collective") {
		t.Errorf("table %q", out)
	}
	if _, _, err := run(t, "bench", "collective", "--train", t.TempDir()); err == nil {
		t.Error("missing task directory must be an error")
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
