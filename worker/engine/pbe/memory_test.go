package pbe

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// TestMemoryEstimateAgainstRSS checks the memory estimate against the
// process's peak resident size on a large search. It is opt-in, run alone
// (the peak is the process's):
//
//	H3LIX_PBE_MEM=univ_6.sl:60s go test -run MemoryEstimateAgainstRSS -v ./worker/engine/pbe/
//
// with a task of ../shared/bench/sygus-pbe/sygus2018 and a time budget. It
// fails when the estimate is more than 10 % off the peak.
func TestMemoryEstimateAgainstRSS(t *testing.T) {
	arg := os.Getenv("H3LIX_PBE_MEM")
	if arg == "" {
		t.Skip("set H3LIX_PBE_MEM=TASK:DURATION to measure")
	}
	name, wall, _ := strings.Cut(arg, ":")
	d, err := time.ParseDuration(wall)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("../../../../shared/bench/sygus-pbe/sygus2018", name))
	if err != nil {
		t.Skip(err)
	}
	p, err := sygus.Parse(string(src))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Synthesize(context.Background(), p, Options{}, Limits{Wall: d})
	if err != nil {
		t.Fatal(err)
	}
	peak := statusKB(t, "VmHWM") << 10
	ratio := float64(peak) / float64(out.Stats.Memory)
	t.Logf("%s %s: %d programs, estimate %.3f GB, peak RSS %.3f GB, peak/estimate %.3f", name, d, out.Stats.Bank, float64(out.Stats.Memory)/1e9, float64(peak)/1e9, ratio)
	if ratio < 0.9 || ratio > 1.1 {
		t.Errorf("the estimate is %.0f %% off the peak", (ratio-1)*100)
	}
}

// statusKB reads a kB field of /proc/self/status.
func statusKB(t *testing.T, field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Skipf("no %s in /proc/self/status", field)
	return 0
}
