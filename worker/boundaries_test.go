package worker_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/h3lix/h3lix/"

// goList returns, for every package of the module matching pattern, its
// direct imports (deps=false) or all its transitive dependencies.
func goList(t *testing.T, deps bool, patterns ...string) map[string][]string {
	t.Helper()
	field := "Imports"
	if deps {
		field = "Deps"
	}
	args := append([]string{"list", "-f", `{{.ImportPath}} {{join .` + field + ` " "}}`}, patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			m[f[0]] = f[1:]
		}
	}
	return m
}

func TestImportBoundaries(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	// The engine imports nothing of the chain, not even transitively.
	for pkg, deps := range goList(t, true, "./worker/engine/...") {
		for _, d := range deps {
			if strings.HasPrefix(d, module+"x/") || strings.HasPrefix(d, module+"app") {
				t.Errorf("%s depends on %s: the engine must not know the chain", pkg, d)
			}
		}
	}
	// Only worker/chain and worker/sim import x/ packages directly.
	bridges := map[string]bool{module + "worker/chain": true, module + "worker/sim": true}
	for pkg, imps := range goList(t, false, "./worker/...", "./cmd/h3lix-worker/...") {
		if bridges[pkg] {
			continue
		}
		for _, d := range imps {
			if strings.HasPrefix(d, module+"x/") {
				t.Errorf("%s imports %s: go through worker/chain", pkg, d)
			}
		}
	}
	// Nothing on chain imports the worker.
	for pkg, deps := range goList(t, true, "./x/...", "./app/...", "./cmd/h3lixd/...") {
		for _, d := range deps {
			if strings.HasPrefix(d, module+"worker") {
				t.Errorf("%s depends on %s: the chain must not import the worker", pkg, d)
			}
		}
	}
}
