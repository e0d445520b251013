package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
	"github.com/h3lix/h3lix/worker/engine/pbe/taskgen"
)

func TestTasksGen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tasks")
	out, progress, err := run(t, "tasks", "gen", "--seed", "7", "--count", "5", "--out", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress, "wrote 5 tasks (seed 7)") {
		t.Errorf("summary %q", progress)
	}
	want, err := taskgen.Generate(7, 5, taskgen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(out)
	if len(lines) != len(want) {
		t.Fatalf("printed %d paths, want %d:\n%s", len(lines), len(want), out)
	}
	for i, path := range lines {
		if path != filepath.Join(dir, taskgen.FileNames(want)[i]) {
			t.Errorf("path %d: %s", i, path)
		}
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(src, want[i].Spec) {
			t.Errorf("%s differs from taskgen.Generate's task", path)
		}
		if _, err := sygus.Parse(string(src)); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	// The generated directory is a task directory like any other.
	if _, _, err := run(t, "bench", "pbe", "--tasks", dir, "--candidates", "1000"); err != nil {
		t.Errorf("bench pbe on the generated tasks: %v", err)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--seed", "7", "--count", "5", "--out", dir}, "already exists"},
		{[]string{"--count", "5", "--out", dir}, `"seed" not set`},
		{[]string{"--seed", "7", "--count", "0", "--out", dir}, "--count must be positive"},
	} {
		if _, _, err := run(t, append([]string{"tasks", "gen"}, c.args...)...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want an error containing %q", c.args, err, c.want)
		}
	}
}
