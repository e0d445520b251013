package pbe

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// sharedBench is the public benchmark set next to the repository; it is not
// part of it.
const sharedBench = "../../../../shared/bench/sygus-pbe/sygus2018"

// TestSharedBenchRegression solves sygus2018 with a deterministic budget of
// 100k candidates per task (72 of 86 when measured, docs/pbe-engine.md).
// It takes about a second; opt in with H3LIX_PBE_BENCH=1.
func TestSharedBenchRegression(t *testing.T) {
	if os.Getenv("H3LIX_PBE_BENCH") == "" {
		t.Skip("set H3LIX_PBE_BENCH=1 to run against ../shared/bench/sygus-pbe")
	}
	files, _ := filepath.Glob(filepath.Join(sharedBench, "*.sl"))
	if len(files) == 0 {
		t.Skipf("%s is absent: the shared benchmark set is not part of the repository", sharedBench)
	}
	solved := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := sygus.Parse(string(src))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out, err := Synthesize(context.Background(), p, Options{}, Limits{Candidates: 100_000})
		if err == nil && out.Solved {
			solved++
		}
	}
	if solved < 72 {
		t.Errorf("solved %d of %d with 100k candidates per task, measured 72", solved, len(files))
	}
}
