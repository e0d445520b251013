package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const committedDefinition = "../../networks/experiment/network.env"

func TestReadDefinition(t *testing.T) {
	d, err := readDefinition(committedDefinition)
	require.NoError(t, err)
	require.Equal(t, 4, d.Validators)
	require.Equal(t, 8, d.Workers)
	require.Equal(t, []string{"poison", "lazy"}, d.Adversaries)
	require.Equal(t, 2, d.Controls)
	require.Equal(t, []string{"with", "without"}, d.Mixes)
	require.Equal(t, 30, d.roundBlocksSum, "10,5,10 plus a disclose phase as long as the reveal")
	require.Len(t, d.Faults, 3)

	t.Setenv("NETWORK_ROUNDS", "7")
	t.Setenv("NETWORK_FAULTS", "worker-cut@6")
	d, err = readDefinition(committedDefinition)
	require.NoError(t, err)
	require.Equal(t, 7, d.Rounds, "the environment wins over the file")
	require.Equal(t, []fault{{Kind: faultWorkerCut, Round: 6}}, d.Faults)
}

func TestReadDefinitionRejects(t *testing.T) {
	base := map[string]string{}
	f, err := os.Open(committedDefinition)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && strings.HasPrefix(k, "NETWORK_") {
			base[k] = v
		}
	}
	for _, tc := range []struct{ key, value, want string }{
		{"NETWORK_VALIDATORS", "0", "NETWORK_VALIDATORS"},
		{"NETWORK_BLOCK_TIME", "fast", "NETWORK_BLOCK_TIME"},
		{"NETWORK_ROUND_BLOCKS", "10,5", "commit,reveal,attest"},
		{"NETWORK_ROUND_BLOCKS", "10,x,10", "phase 2"},
		{"NETWORK_ADVERSARIES", "poison,evil", `"evil" is not a behaviour`},
		{"NETWORK_WORKERS", "4", "leaves no conditioned worker"},
		{"NETWORK_MIXES", "sometimes", `"sometimes"`},
		{"NETWORK_MIXES", "", "NETWORK_MIXES is empty"},
		{"NETWORK_FAULTS", "meteor@2", "kinds are"},
		{"NETWORK_FAULTS", "validator@0", "KIND@ROUND"},
		{"NETWORK_FAULTS", "validator@6", "leaves no measured round after it"},
		{"NETWORK_CANDIDATES", "-5", "NETWORK_CANDIDATES"},
		{"NETWORK_TASKS", "", ""},
	} {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			vals := map[string]string{}
			for k, v := range base {
				vals[k] = v
			}
			if tc.want == "" { // a missing key
				delete(vals, tc.key)
				tc.want = tc.key + " is missing"
			} else {
				vals[tc.key] = tc.value
			}
			_, err := parseDefinition("def.env", vals)
			require.ErrorContains(t, err, tc.want)
			require.ErrorContains(t, err, "def.env")
		})
	}
	// A validator fault needs a chain that survives it.
	vals := map[string]string{}
	for k, v := range base {
		vals[k] = v
	}
	vals["NETWORK_VALIDATORS"] = "3"
	_, err = parseDefinition("def.env", vals)
	require.ErrorContains(t, err, "stopping a validator needs 4")

	bad := filepath.Join(t.TempDir(), "bad.env")
	require.NoError(t, os.WriteFile(bad, []byte("ROUNDS=3\n"), 0o600))
	_, err = readDefinition(bad)
	require.ErrorContains(t, err, "bad.env:1: want NETWORK_KEY=VALUE")
	_, err = readDefinition(filepath.Join(t.TempDir(), "none.env"))
	require.ErrorContains(t, err, "experiment definition")
}

// echoServer echoes each line back.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); c.Close() }()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(c net.Conn, msg string) (string, error) {
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte(msg + "\n")); err != nil {
		return "", err
	}
	return bufio.NewReader(c).ReadString('\n')
}

func TestProxyCut(t *testing.T) {
	p, err := newProxy(echoServer(t))
	require.NoError(t, err)
	defer p.Close()

	c, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	got, err := roundTrip(c, "hello")
	require.NoError(t, err)
	require.Equal(t, "hello\n", got)

	// Cutting drops the open connection and refuses new ones.
	p.SetCut(true)
	_, err = roundTrip(c, "again")
	require.Error(t, err, "an open connection must not survive the cut")
	c2, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err, "the port stays open during a cut")
	_, err = roundTrip(c2, "during")
	require.Error(t, err)

	// Restored, it forwards again on the same port.
	p.SetCut(false)
	c3, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	got, err = roundTrip(c3, "back")
	require.NoError(t, err)
	require.Equal(t, "back\n", got)
}

// task writes a one-example task whose example is (in, out).
func task(t *testing.T, dir, name, in, out string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o700))
	p := filepath.Join(dir, name)
	spec := `(set-logic SLIA)
(synth-fun f ((x String)) String ((Start String (x (str.++ Start Start) " "))))
(constraint (= (f "` + in + `") "` + out + `"))
(check-synth)
`
	require.NoError(t, os.WriteFile(p, []byte(spec), 0o600))
	return p
}

func TestSliceTasks(t *testing.T) {
	dir := t.TempDir()
	for i := range 10 {
		task(t, dir, fmt.Sprintf("t%02d.sl", i), fmt.Sprint(i), fmt.Sprint(i))
	}
	slices, err := sliceTasks(dir, 3)
	require.NoError(t, err)
	seen := map[string]int{}
	for i, s := range slices {
		for _, f := range s {
			seen[f]++
		}
		require.Len(t, s, []int{4, 3, 3}[i])
	}
	require.Len(t, seen, 10)
	for f, n := range seen {
		require.Equal(t, 1, n, "%s in two slices", f)
	}
	_, err = sliceTasks(dir, 11)
	require.ErrorContains(t, err, "fewer than the 11 workers")
}

func TestCheckSplit(t *testing.T) {
	dir := t.TempDir()
	w0 := []string{task(t, dir+"/w", "a.sl", "ab", "ab ab")}
	w1 := []string{task(t, dir+"/w", "b.sl", "cd", "cd cd")}
	task(t, dir+"/held", "h.sl", "ef", "ef ef")
	label, err := checkSplit([][]string{w0, w1}, dir+"/held")
	require.NoError(t, err)
	require.Contains(t, label, "out of sample")

	task(t, dir+"/held", "dup.sl", "cd", "cd cd")
	_, err = checkSplit([][]string{w0, w1}, dir+"/held")
	require.ErrorContains(t, err, "dup.sl and b.sl")
	require.ErrorContains(t, err, "in-sample")

	_, err = checkSplit([][]string{w0}, t.TempDir())
	require.ErrorContains(t, err, "no .sl tasks")
}

func sampleReport() *report {
	d, _ := parseDefinition("x", map[string]string{
		"NETWORK_VALIDATORS": "4", "NETWORK_BLOCK_TIME": "1s", "NETWORK_ROUND_BLOCKS": "10,5,10", "NETWORK_MAX_COMMITS": "4",
		"NETWORK_CHAIN_ID": "c", "NETWORK_PORT_OFFSET": "0", "NETWORK_WORKERS": "4", "NETWORK_ADVERSARIES": "poison",
		"NETWORK_CONTROLS": "1", "NETWORK_MIXES": "with,without", "NETWORK_ROUNDS": "2", "NETWORK_TASKS_PER_ROUND": "1",
		"NETWORK_CANDIDATES": "10", "NETWORK_HELDOUT_CANDIDATES": "10", "NETWORK_TASKS": "t", "NETWORK_HELDOUT": "h",
		"NETWORK_CARBON_TRACE": "", "NETWORK_FAULTS": "", "NETWORK_DIR": "d", "NETWORK_OUT": "o"})
	r := &report{Generated: time.Unix(0, 0).UTC(), Definition: d, Sample: "out of sample", TaskSource: "t", Grid: "static"}
	for i, mix := range []string{"with", "without"} {
		ws := []*worker{{Name: "worker0", Role: roleAdversary, Behaviour: "poison"}, {Name: "worker1", Role: roleControl}, {Name: "worker2", Role: roleConditioned}}
		m := &mixReport{Mix: mix, Workers: ws, FirstRound: 2, LastRound: 3, HeldOut: 10,
			Curves: map[string]map[uint64]int{"worker0": {2: 1}, "worker1": {0: 5, 2: 5, 3: 5}, "worker2": {0: 5, 2: 6, 3: 7 + i}}}
		for k := 1; k <= 2; k++ {
			m.Rounds = append(m.Rounds, roundRow{K: k, Round: uint64(k + 1), FieldEntries: 3, Accepted: 3, Joules: 30, Reputation: map[string]uint32{"worker1": 500_000}})
		}
		n := &network{workers: ws}
		n.fillRates(m)
		r.Mixes = append(r.Mixes, m)
	}
	return r
}

func TestReport(t *testing.T) {
	r := sampleReport()
	with := r.mix("with")
	require.InDelta(t, 70.0, with.Rounds[1].Conditioned, 1e-9)
	require.InDelta(t, 50.0, with.Rounds[1].Control, 1e-9)
	require.InDelta(t, 20.0, with.Rounds[1].Gain, 1e-9)
	require.Equal(t, [2]int{1, 1}, with.Rounds[1].Measured)

	dir := t.TempDir()
	require.NoError(t, r.write(dir))
	md, err := os.ReadFile(filepath.Join(dir, "README.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), "conditioned 70.0 % vs control 50.0 %: **+20.0 points**")
	require.Contains(t, string(md), "conditioned 80.0 % vs control 50.0 %: **+30.0 points**")
	require.Contains(t, string(md), "The gain with adversaries is 67 % of the gain without them")
	require.Contains(t, string(md), "| 10.0 |", "joules per valid artifact")
	require.NotContains(t, string(md), "one draw", "one conditioned worker is no set of identical curves")
	for _, png := range []string{"heldout.png", "field.png", "reputation.png", "blocktime.png"} {
		b, err := os.ReadFile(filepath.Join(dir, png))
		require.NoError(t, err)
		require.True(t, bytes.HasPrefix(b, []byte("\x89PNG")), png)
	}
	// report DIR draws the same files again from report.json.
	require.NoError(t, os.Remove(filepath.Join(dir, "README.md")))
	cmd := rootCmd()
	cmd.SetArgs([]string{"report", dir})
	require.NoError(t, cmd.Execute())
	again, err := os.ReadFile(filepath.Join(dir, "README.md"))
	require.NoError(t, err)
	require.Equal(t, string(md), string(again))
}

func TestCheckRun(t *testing.T) {
	honest, poisoner := "h3lix1honest", "h3lix1poison"
	n := &network{def: definition{Rounds: 1, roundBlocksSum: 30}, workers: []*worker{
		{Name: "worker0", Role: roleAdversary, Behaviour: "poison", Address: poisoner},
		{Name: "worker1", Role: roleConditioned, Address: honest},
	}}
	good := roundRow{K: 1, Round: 2, StartHeight: 31, FinalizedHeight: 61,
		artifacts: []chainArtifact{{ID: 1, Producer: honest, Status: "ARTIFACT_STATUS_REVEALED"}, {ID: 2, Producer: poisoner, Status: "ARTIFACT_STATUS_COMMITTED"}}}
	failed := func(m *mixReport) []string {
		var out []string
		for _, c := range m.Checks {
			if !c.OK {
				out = append(out, c.Name)
			}
		}
		return out
	}
	m := &mixReport{Rounds: []roundRow{good}}
	n.checkRun(m)
	require.Empty(t, failed(m), "an adversary's unrevealed commit is not a loss")

	lost := good
	lost.artifacts = []chainArtifact{{ID: 1, Producer: honest, Status: "ARTIFACT_STATUS_COMMITTED"}}
	m = &mixReport{Rounds: []roundRow{lost}}
	n.checkRun(m)
	require.Equal(t, []string{"no honest commitment lost"}, failed(m))

	poisoned := good
	poisoned.PoisonedInField = 1
	m = &mixReport{Rounds: []roundRow{poisoned}}
	n.checkRun(m)
	require.Equal(t, []string{"no poisoned artifact in a field"}, failed(m))

	crashed := &mixReport{Rounds: []roundRow{good}, Crashed: []string{"worker1"}}
	n.checkRun(crashed)
	require.Equal(t, []string{"no worker crashed"}, failed(crashed))

	late := good
	late.FinalizedHeight = 31 + 33
	m = &mixReport{Rounds: []roundRow{late}}
	n.checkRun(m)
	require.Equal(t, []string{"every round finalized on schedule"}, failed(m))

	// A commit the cut worker made just before its cut cannot be revealed:
	// the cut fault says so, and it is no loss of a crash.
	m = &mixReport{Rounds: []roundRow{lost}, Faults: []faultEvent{{Kind: faultWorkerCut, Round: 2, Target: "worker1"}},
		Curves: map[string]map[uint64]int{"worker1": {3: 40}}}
	n.checkRun(m)
	require.Empty(t, failed(m))
	require.Contains(t, m.Faults[0].Detail, "1 artifact(s) it committed just before the cut")
	m = &mixReport{Rounds: []roundRow{lost}, Faults: []faultEvent{{Kind: faultWorkerCut, Round: 3, Target: "worker1"}}}
	n.checkRun(m)
	require.Contains(t, failed(m), "no honest commitment lost", "a cut in another round excuses nothing")

	// A worker killed between commit and reveal must have revealed.
	m = &mixReport{Rounds: []roundRow{lost}, Faults: []faultEvent{{Kind: faultWorkerKill, Round: 2, Target: "worker1", ids: []uint64{1}}}}
	n.checkRun(m)
	require.Contains(t, failed(m), "fault worker-kill survived")
}

func TestIdenticalCurves(t *testing.T) {
	m := &mixReport{Workers: []*worker{{Name: "a", Role: roleConditioned}, {Name: "b", Role: roleConditioned}, {Name: "c", Role: roleControl}},
		Curves: map[string]map[uint64]int{"a": {1: 5, 2: 6}, "b": {1: 5}, "c": {1: 9}}}
	require.Equal(t, 2, m.identicalCurves(roleConditioned), "b missed round 2 but agrees where measured")
	m.Curves["b"][2] = 7
	require.Equal(t, 0, m.identicalCurves(roleConditioned))
	require.Equal(t, 1, m.identicalCurves(roleControl))
}

func TestEnergyByRole(t *testing.T) {
	art := func(producer, status string, j, mg uint64) chainArtifact {
		a := chainArtifact{Producer: producer, Status: status}
		if j > 0 {
			a.Manifest = &chainManifest{}
			a.Manifest.Energy.Joules, a.Manifest.Energy.MgCO2e, a.Manifest.Energy.Method = u64(j), u64(mg), "ENERGY_METHOD_CPU_TIME"
		}
		return a
	}
	n := &network{workers: []*worker{{Address: "c", Role: roleConditioned}, {Address: "k", Role: roleControl}}}
	m := &mixReport{Rounds: []roundRow{
		{artifacts: []chainArtifact{art("c", "ARTIFACT_STATUS_REVEALED", 3, 2), art("k", "ARTIFACT_STATUS_REVEALED", 5, 4)}},
		{artifacts: []chainArtifact{art("c", "ARTIFACT_STATUS_REVEALED", 1, 1), art("c", "ARTIFACT_STATUS_COMMITTED", 9, 9), art("x", "ARTIFACT_STATUS_REVEALED", 7, 7)}},
	}}
	n.energyByRole(m)
	require.Equal(t, groupEnergy{Artifacts: 2, Joules: 4, MgCO2e: 3, Method: "ENERGY_METHOD_CPU_TIME"}, m.Energy[roleConditioned], "unrevealed and unknown producers left out")
	require.Equal(t, groupEnergy{Artifacts: 1, Joules: 5, MgCO2e: 4, Method: "ENERGY_METHOD_CPU_TIME"}, m.Energy[roleControl])
}
