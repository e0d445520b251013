package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNetworkExperiment runs `make network` small: one mix, 4 validators,
// 4 workers (a poisoner, a control, two conditioned), 2 measured rounds,
// with every fault in round 1: a validator stopped for the round, a worker
// SIGKILLed between its commit and its reveal, another cut off for the
// round. The experiment's own checks (rounds on schedule, no honest
// commitment lost, no poison in a field, every fault survived) must pass,
// and the report must be written. About 3.5 minutes.
func TestNetworkExperiment(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e")
	}
	root := repoRoot(t)
	bin := filepath.Join(t.TempDir(), "h3lix-network")
	build := exec.Command("go", "build", "-o", bin, "./cmd/h3lix-network")
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, string(out))

	dir := t.TempDir()
	report := filepath.Join(dir, "report")
	cmd := exec.Command(bin, "--h3lixd", binary(t), "--worker", workerBinary(t), "--out", report)
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"NETWORK_DIR="+filepath.Join(dir, ".network"), "NETWORK_PORT_OFFSET=800",
		"NETWORK_MIXES=with", "NETWORK_ROUNDS=2", "NETWORK_WORKERS=4", "NETWORK_ADVERSARIES=poison", "NETWORK_CONTROLS=1",
		"NETWORK_FAULTS=validator@1,worker-kill@1,worker-cut@1")
	out, err = cmd.CombinedOutput()
	t.Logf("h3lix-network:\n%s", tail(string(out), 4000))
	require.NoError(t, err)

	b, err := os.ReadFile(filepath.Join(report, "report.json"))
	require.NoError(t, err)
	var r struct {
		Sample string `json:"sample"`
		Mixes  []struct {
			Rounds []struct {
				Measured [2]int `json:"measured"`
			} `json:"rounds"`
			Faults []struct {
				Kind     string `json:"kind"`
				Target   string `json:"target"`
				Survived bool   `json:"survived"`
			} `json:"faults"`
			Checks []struct {
				Name string `json:"name"`
				OK   bool   `json:"ok"`
			} `json:"checks"`
		} `json:"mixes"`
	}
	require.NoError(t, json.Unmarshal(b, &r))
	require.Contains(t, r.Sample, "out of sample")
	require.Len(t, r.Mixes, 1)
	m := r.Mixes[0]
	require.Len(t, m.Rounds, 2)
	last := m.Rounds[len(m.Rounds)-1]
	require.Equal(t, [2]int{2, 1}, last.Measured, "both conditioned workers and the control measured after the last round")
	require.Len(t, m.Faults, 3)
	for _, f := range m.Faults {
		require.NotEmpty(t, f.Target, "fault %s hit nobody", f.Kind)
		require.True(t, f.Survived, "fault %s on %s", f.Kind, f.Target)
	}
	require.Len(t, m.Checks, 7)
	for _, c := range m.Checks {
		require.True(t, c.OK, c.Name)
	}
	for _, f := range []string{"README.md", "heldout.png", "field.png", "reputation.png", "blocktime.png"} {
		st, err := os.Stat(filepath.Join(report, f))
		require.NoError(t, err)
		require.NotZero(t, st.Size(), f)
	}
}
