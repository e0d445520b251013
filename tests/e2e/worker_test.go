package e2e

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/engine/llm/llmtest"
)

var (
	workerOnce sync.Once
	workerPath string
	workerErr  error
)

// workerBinary builds h3lix-worker once per test process.
func workerBinary(t *testing.T) string {
	t.Helper()
	workerOnce.Do(func() {
		dir, err := os.MkdirTemp("", "h3lix-e2e-worker")
		if err != nil {
			workerErr = err
			return
		}
		workerPath = filepath.Join(dir, "h3lix-worker")
		cmd := exec.Command("go", "build", "-o", workerPath, "./cmd/h3lix-worker")
		cmd.Dir = repoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			workerErr = fmt.Errorf("go build h3lix-worker: %v\n%s", err, out)
		}
	})
	require.NoError(t, workerErr)
	return workerPath
}

// worker is one h3lix-worker process of a test, set up as the README says.
type worker struct {
	t         *testing.T
	bin       string
	name, key string
	home      string
	api       string
	adversary string
	cmd       *exec.Cmd
	log       *os.File
	exited    chan struct{}
}

func newWorker(t *testing.T, ln *localnet, i int, key, adversary string) *worker {
	t.Helper()
	w := &worker{t: t, bin: workerBinary(t), name: fmt.Sprintf("worker%d", i), key: key, adversary: adversary,
		home: filepath.Join(ln.dir, "..", fmt.Sprintf("worker%d", i)), api: fmt.Sprintf("127.0.0.1:%d", 8480+ln.offset+i)}
	tasks := filepath.Join(w.home, "tasks")
	w.run("tasks", "gen", "--seed", strconv.Itoa(100+i), "--count", "60", "--out", tasks)
	w.run("init", "--home", w.home, "--chain-id", "h3lix-local", "--node", ln.rpc(0),
		"--grpc", fmt.Sprintf("127.0.0.1:%d", 9090+ln.offset), "--rest", ln.api(0), "--from", key, "--keyring-backend", "test",
		"--keyring-dir", ln.home(0), "--p2p-listen", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", 4001+ln.offset+i),
		"--api-listen", w.api, "--tasks", tasks)
	w.run("register", "--home", w.home, "--bond", "10000000uhlx")
	return w
}

func (w *worker) run(args ...string) string {
	w.t.Helper()
	out, err := exec.Command(w.bin, args...).CombinedOutput()
	require.NoError(w.t, err, "h3lix-worker %s\n%s", strings.Join(args, " "), out)
	return string(out)
}

func (w *worker) start() {
	w.t.Helper()
	args := []string{"run", "--home", w.home, "--log-format", "json"}
	if w.adversary != "" {
		args = append(args, "--adversary", w.adversary)
	}
	f, err := os.OpenFile(filepath.Join(w.home, "worker.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(w.t, err)
	w.log = f
	w.cmd = exec.Command(w.bin, args...)
	w.cmd.Stdout, w.cmd.Stderr = f, f
	require.NoError(w.t, w.cmd.Start())
	w.exited = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) { _ = c.Wait(); close(done) }(w.cmd, w.exited)
}

func (w *worker) alive() bool {
	select {
	case <-w.exited:
		return false
	default:
		return true
	}
}

func (w *worker) kill(sig syscall.Signal) {
	if w.cmd == nil || !w.alive() {
		return
	}
	_ = w.cmd.Process.Signal(sig)
	select {
	case <-w.exited:
	case <-time.After(20 * time.Second):
		_ = w.cmd.Process.Kill()
		<-w.exited
	}
	w.log.Close()
}

type workerStatus struct {
	Round         uint64 `json:"round"`
	Phase         string `json:"phase"`
	Committed     uint64 `json:"artifacts_committed"`
	Revealed      uint64 `json:"artifacts_revealed"`
	Attested      uint64 `json:"attestations_sent"`
	Disclosed     uint64 `json:"attestations_disclosed"`
	FetchedRemote uint64 `json:"payloads_fetched_remote"`
	Verified      uint64 `json:"payloads_verified"`
	FieldRound    uint64 `json:"field_round"`
	Energy        struct {
		Method          string  `json:"method"`
		Joules          uint64  `json:"joules"`
		MgCO2e          uint64  `json:"mg_co2e"`
		SolvedTasks     uint64  `json:"solved_tasks"`
		JoulesPerSolved float64 `json:"joules_per_solved_task"`
	} `json:"energy"`
	Scheduler *struct {
		Work            bool    `json:"work"`
		Reason          string  `json:"reason"`
		Intensity       float64 `json:"intensity_g_per_kwh"`
		IntensitySource string  `json:"intensity_source"`
	} `json:"scheduler"`
	LLM *struct {
		Tasks     int    `json:"tasks"`
		Guided    int    `json:"guided"`
		Samples   int    `json:"samples"`
		Fallbacks int    `json:"fallbacks"`
		LastError string `json:"last_error"`
	} `json:"llm"`
	Field struct {
		Accepted int `json:"accepted"`
		Rejected int `json:"rejected"`
	} `json:"field"`
	LastCommit struct {
		Round uint64 `json:"round"`
	} `json:"last_commit"`
	LastAttest struct {
		Verdicts map[string]int `json:"verdicts"`
	} `json:"last_attest"`
	LearningCurve []json.RawMessage `json:"learning_curve"`
}

func (w *worker) status() (workerStatus, error) {
	var s workerStatus
	c := http.Client{Timeout: 3 * time.Second}
	resp, err := c.Get("http://" + w.api + "/status")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

func (w *worker) logTail() string {
	b, _ := os.ReadFile(filepath.Join(w.home, "worker.log"))
	return tail(string(b), 4000)
}

func fileHash(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	s := sha256.Sum256(b)
	return fmt.Sprintf("%x", s[:8])
}

type chainArtifact struct {
	ID       string `json:"id"`
	Round    string `json:"round"`
	Producer string `json:"producer"`
	Status   string `json:"status"`
	Manifest *struct {
		Kind   string `json:"kind"`
		Energy struct {
			Joules string `json:"joules"`
			MgCO2e string `json:"mg_co2e"`
			Method string `json:"method"`
		} `json:"energy"`
	} `json:"manifest"`
}

// positive reads a uint64 that proto JSON writes as a string.
func positive(s string) bool {
	n, err := strconv.ParseUint(s, 10, 64)
	return err == nil && n > 0
}

// carbonTrace writes a trace of two days around now in the shared traces'
// CSV format, clean at night and dirty by day, so a worker replaying it
// has a live intensity and a history to learn from.
func carbonTrace(t *testing.T) string {
	var b strings.Builder
	b.WriteString("Time,Carbon Intensity\n")
	now := time.Now().UTC().Truncate(time.Hour)
	for at := now.Add(-48 * time.Hour); at.Before(now.Add(48 * time.Hour)); at = at.Add(30 * time.Minute) {
		fmt.Fprintf(&b, "%s,%d\n", at.Format("2006-01-02 15:04:05"), 200+at.Hour()*10)
	}
	path := filepath.Join(t.TempDir(), "grid.csv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path
}

// TestWorkers runs the network worker as a user would: a validator, three
// honest workers and one that publishes poisoned artifacts, set up with
// init/register/run. Over several rounds payloads must move between workers
// over bitswap, the field must hold only honest artifacts, the honest
// workers' priors must change, the poisoner must lose reputation, a worker
// killed with SIGKILL between its commit and its reveal must reveal in the
// same round after a restart, and the workers must survive a restart of
// their validator.
func TestWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds h3lixd and h3lix-worker and runs a network")
	}
	ln := startLocalnet(t, 1, 600, "LOCALNET_ROUND_BLOCKS=8,5,8")
	keys := []string{"alice", "bob", "carol", "dave"}
	addr := map[string]string{}
	for _, k := range keys {
		addr[k] = strings.TrimSpace(ln.mustCLI("keys", "show", k, "-a"))
	}
	// Two more adversaries on fresh accounts: a verifier that attests
	// without fetching, and a producer that goes offline after committing.
	adversaries := map[string]string{"dave": "poison", "lazy": "lazy", "offline": "offline-after-commit"}
	var fresh []string
	for _, k := range []string{"lazy", "offline"} {
		ln.mustCLI("keys", "add", k)
		addr[k] = strings.TrimSpace(ln.mustCLI("keys", "show", k, "-a"))
		fresh = append(fresh, addr[k])
	}
	ln.tx(append(append([]string{"tx", "bank", "multi-send", "alice"}, fresh...), "100000000uhlx")...)
	keys = append(keys, "lazy", "offline")
	var ws []*worker
	for i, k := range keys {
		ws = append(ws, newWorker(t, ln, i, k, adversaries[k]))
	}
	// Carol's worker reads its grid's intensity from a trace replayed live
	// (the others keep the static default), so her artifacts carry CO2e.
	// Where Ollama and the tiny test model are at hand (CI builds them),
	// her engine is the llm one, guided by a real model server: one short
	// sample for one task per round, with one exemplar, and an 8 s budget
	// (the commit phase caps it) of which sampling may take half. Sampling
	// takes 0.2-1.1 s on an idle machine (the byte-level prompt is 600 to
	// 1,100 tokens) and several times that on one busy with three
	// validators and six workers; a task whose sample misses its half is
	// solved by the embedded engine alone, and its artifact says so.
	carolCfg := filepath.Join(ws[2].home, "config.toml")
	body, err := os.ReadFile(carolCfg)
	require.NoError(t, err)
	edits := []string{`carbon_source = "static"`, `carbon_source = "trace"`,
		`carbon_trace = ""`, `carbon_trace = "` + carbonTrace(t) + `"`}
	carolLLM := llmtest.Available() == nil
	if carolLLM {
		srv := llmtest.Start(t)
		edits = append(edits, `kind = "pbe"`, `kind = "llm"`, `url = "http://127.0.0.1:11434/v1"`, `url = "`+srv.BaseURL+`"`,
			`model = ""`, `model = "`+llmtest.Model+`"`, `samples = 4`, `samples = 1`, `max_tokens = 256`, `max_tokens = 32`,
			`tasks_per_round = 4`, `tasks_per_round = 1`, `exemplars = 4`, `exemplars = 1`,
			`solve_budget = "4s"`, `solve_budget = "8s"`)
	} else {
		t.Logf("carol keeps the pbe engine: %v", llmtest.Available())
	}
	for i := 0; i < len(edits); i += 2 {
		require.Contains(t, string(body), edits[i], "the rendered config changed")
	}
	body = []byte(strings.NewReplacer(edits...).Replace(string(body)))
	require.NoError(t, os.WriteFile(carolCfg, body, 0o600))
	// run refuses a home whose key has no node on chain, and one whose node
	// key is not the registered one, saying what to do.
	stranger := filepath.Join(t.TempDir(), "stranger")
	out, err := exec.Command(ws[0].bin, "init", "--home", stranger, "--chain-id", "h3lix-local", "--node", ln.rpc(0),
		"--grpc", fmt.Sprintf("127.0.0.1:%d", 9090+ln.offset), "--from", "validator", "--keyring-backend", "test",
		"--keyring-dir", ln.home(0), "--tasks", filepath.Join(ws[0].home, "tasks")).CombinedOutput()
	require.NoError(t, err, string(out))
	out, err = exec.Command(ws[0].bin, "run", "--home", stranger).CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), "has no node on chain")
	require.Contains(t, string(out), "h3lix-worker register")
	wrongKey := filepath.Join(t.TempDir(), "wrong-key")
	require.NoError(t, os.MkdirAll(wrongKey, 0o700))
	cfg, err := os.ReadFile(filepath.Join(ws[0].home, "config.toml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(wrongKey, "config.toml"), cfg, 0o600))
	strangerKey, err := os.ReadFile(filepath.Join(stranger, "node_key.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(wrongKey, "node_key.json"), strangerKey, 0o600))
	out, err = exec.Command(ws[0].bin, "run", "--home", wrongKey).CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(out), "use the node key you registered")

	for _, w := range ws {
		w.start()
	}
	t.Cleanup(func() {
		for _, w := range ws {
			w.kill(syscall.SIGTERM)
			if t.Failed() {
				t.Logf("%s log (tail):\n%s", w.name, w.logTail())
			}
		}
	})
	for _, w := range ws {
		require.Eventually(t, func() bool { _, err := w.status(); return err == nil }, time.Minute, 250*time.Millisecond,
			"%s API never answered:\n%s", w.name, w.logTail())
	}

	currentRound := func() (uint64, string) {
		var cr struct {
			Round struct {
				ID string `json:"id"`
			} `json:"round"`
			Phase string `json:"phase"`
		}
		ln.getJSON(ln.api(0)+"/h3lix/ccf/v1/current_round", &cr)
		id, _ := strconv.ParseUint(cr.Round.ID, 10, 64)
		return id, cr.Phase
	}
	artifactsOf := func(who string, round uint64) []chainArtifact {
		var res struct {
			Artifacts []chainArtifact `json:"artifacts"`
		}
		ln.getJSON(ln.api(0)+"/h3lix/artifact/v1/nodes/"+addr[who]+"/artifacts?pagination.limit=1000", &res)
		var out []chainArtifact
		for _, a := range res.Artifacts {
			if a.Round == strconv.FormatUint(round, 10) {
				out = append(out, a)
			}
		}
		return out
	}
	waitRound := func(r uint64, phase string, timeout time.Duration) {
		t.Helper()
		require.Eventually(t, func() bool {
			id, p := currentRound()
			return id > r || id == r && (phase == "" || p == phase)
		}, timeout, 200*time.Millisecond, "round %d phase %s not reached", r, phase)
	}

	// 1. A first round in which every honest worker commits.
	start, _ := currentRound()
	first := start + 1
	waitRound(first+1, "", 3*time.Minute)
	for _, k := range keys[:3] {
		arts := artifactsOf(k, first)
		require.NotEmpty(t, arts, "%s committed nothing in round %d", k, first)
		for _, a := range arts {
			require.Equal(t, "ARTIFACT_STATUS_REVEALED", a.Status, "%s artifact %s", k, a.ID)
			// Every reveal records the measured energy and how it was measured.
			require.NotNil(t, a.Manifest)
			require.True(t, positive(a.Manifest.Energy.Joules), "%s artifact %s: joules %q", k, a.ID, a.Manifest.Energy.Joules)
			require.NotEqual(t, "ENERGY_METHOD_UNSPECIFIED", a.Manifest.Energy.Method, "%s artifact %s", k, a.ID)
			if k == "carol" {
				require.True(t, positive(a.Manifest.Energy.MgCO2e), "carol's CO2e comes from her trace")
				if carolLLM {
					require.Contains(t, []string{"pbe/program", "pbe/program/llm"}, a.Manifest.Kind, "carol's artifacts say whether a model guided them")
				}
			}
		}
	}
	var ff struct {
		Field struct {
			Energy struct {
				Joules    string `json:"joules"`
				MgCO2e    string `json:"mg_co2e"`
				PerValid  string `json:"ug_co2e_per_valid_artifact"`
				MeasuredJ string `json:"measured_joules"`
			} `json:"energy"`
		} `json:"field"`
	}
	ln.getJSON(fmt.Sprintf("%s/h3lix/ccf/v1/fields/%d", ln.api(0), first), &ff)
	require.True(t, positive(ff.Field.Energy.Joules), "the field's REST output has the round's energy totals: %+v", ff.Field.Energy)
	require.True(t, positive(ff.Field.Energy.MgCO2e), "%+v", ff.Field.Energy)
	require.True(t, positive(ff.Field.Energy.PerValid), "%+v", ff.Field.Energy)
	t.Logf("round %d energy: %+v", first, ff.Field.Energy)
	carol, err := ws[2].status()
	require.NoError(t, err)
	require.NotNil(t, carol.Scheduler, "carol's /status shows the scheduler's decision")
	require.True(t, carol.Scheduler.Work, carol.Scheduler.Reason)
	require.Contains(t, []string{"live", "cached"}, carol.Scheduler.IntensitySource, "carol's intensity comes from her trace")
	require.Positive(t, carol.Energy.SolvedTasks)
	require.Positive(t, carol.Energy.JoulesPerSolved)
	if carolLLM {
		require.NotNil(t, carol.LLM, "carol's /status shows what she asked of the model")
		require.Positive(t, carol.LLM.Tasks, "%+v", *carol.LLM)
	}
	statePath := filepath.Join(ws[0].home, "data", "engine-state.json")

	// 2. SIGKILL bob's worker after its commit, before its reveal; restart it.
	killRound, _ := currentRound()
	bob := ws[1]
	require.Eventually(t, func() bool {
		s, err := bob.status()
		return err == nil && s.LastCommit.Round == killRound && s.Phase == "commit"
	}, 2*time.Minute, 100*time.Millisecond, "bob did not commit in the commit phase of round %d", killRound)
	bob.kill(syscall.SIGKILL)
	if _, phase := currentRound(); phase == "PHASE_COMMIT" {
		for _, a := range artifactsOf("bob", killRound) {
			require.Equal(t, "ARTIFACT_STATUS_COMMITTED", a.Status, "killed before its reveal")
		}
	}
	bob.start()
	waitRound(killRound, "attest", 2*time.Minute)
	killed := artifactsOf("bob", killRound)
	require.NotEmpty(t, killed)
	for _, a := range killed {
		require.Equal(t, "ARTIFACT_STATUS_REVEALED", a.Status, "the restarted worker revealed in the same round")
	}
	stateBefore := fileHash(statePath)
	require.NotEmpty(t, stateBefore, "alice's worker saved a conditioned prior")

	// 3. Restart the validator; the workers keep running and carry on.
	out2, err := ln.script(nil, "stop-node", "0")
	out = []byte(out2)
	require.NoError(t, err, string(out))
	time.Sleep(3 * time.Second)
	out2, err = ln.script(nil, "start-node", "0")
	require.NoError(t, err, out2)
	require.Eventually(t, func() bool {
		resp, err := http.Get(ln.api(0) + "/h3lix/ccf/v1/current_round") //nolint:gosec // loopback
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 2*time.Minute, 250*time.Millisecond, "the restarted validator's REST API did not come back")
	afterRestart, _ := currentRound()
	waitRound(afterRestart+3, "", 5*time.Minute)
	for _, w := range ws {
		require.True(t, w.alive(), "%s exited during the validator restart:\n%s", w.name, w.logTail())
	}
	// Two rounds, not one: carol works on a single task per round, and a
	// round whose task she does not solve in time rightly commits nothing.
	for _, k := range keys[:3] {
		arts := append(artifactsOf(k, afterRestart+1), artifactsOf(k, afterRestart+2)...)
		require.NotEmpty(t, arts, "%s committed in the two rounds after the validator restart", k)
	}

	// 4. What the network learned.
	last, _ := currentRound()
	withField := 0
	for r := first; r < last; r++ {
		var f struct {
			Field struct {
				Entries []struct {
					Producer string `json:"producer"`
				} `json:"entries"`
			} `json:"field"`
		}
		ln.getJSON(fmt.Sprintf("%s/h3lix/ccf/v1/fields/%d", ln.api(0), r), &f)
		if len(f.Field.Entries) > 0 {
			withField++
		}
		for _, e := range f.Field.Entries {
			require.NotEqual(t, addr["dave"], e.Producer, "a poisoned artifact entered the field of round %d", r)
		}
	}
	// A round cut by the validator restart may have had no commit window.
	require.GreaterOrEqual(t, withField, int(last-first)-1, "rounds %d..%d with a field", first, last-1)
	require.NotEqual(t, stateBefore, fileHash(statePath), "alice's prior changed with later fields")
	for _, w := range ws[:3] {
		s, err := w.status()
		require.NoError(t, err)
		require.Positive(t, s.FetchedRemote, "%s fetched payloads from other workers over bitswap", w.name)
		require.Positive(t, s.Verified, "%s verified the payloads it attested", w.name)
		require.Positive(t, s.Attested, "%s attested", w.name)
		require.Positive(t, s.Disclosed, "%s disclosed its sealed verdicts", w.name)
		require.Positive(t, s.Field.Accepted, "%s conditioned on a field", w.name)
		require.GreaterOrEqual(t, len(s.LearningCurve), 2, "%s measured its learning curve", w.name)
		t.Logf("%s: committed %d, revealed %d, attested %d, fetched %d remote, last verdicts %v",
			w.name, s.Committed, s.Revealed, s.Attested, s.FetchedRemote, s.LastAttest.Verdicts)
	}
	type reputation struct {
		Score      uint32 `json:"score_ppm"`
		Accepted   string `json:"artifacts_accepted"`
		Rejected   string `json:"artifacts_rejected"`
		Unrevealed string `json:"artifacts_unrevealed"`
		Slashes    string `json:"slashes"`
	}
	repOf := func(who string) reputation {
		var r struct {
			Reputation reputation `json:"reputation"`
		}
		ln.getJSON(ln.api(0)+"/h3lix/reputation/v1/scores/"+addr[who], &r)
		return r.Reputation
	}
	score := func(who string) int { return int(repOf(who).Score) }
	// The poisoner: every artifact rejected, its bond slashed, and its score
	// below every honest worker's: a round with an INVALID artifact scores 0
	// however honestly the node verified in it.
	dave := repOf("dave")
	require.Equal(t, "0", dave.Accepted, "no poisoned artifact was accepted")
	require.NotEqual(t, "0", dave.Rejected, "the poisoned artifacts were rejected")
	require.NotEqual(t, "0", dave.Slashes, "the poisoner's bond was slashed")
	var node struct {
		Node struct {
			Bond struct {
				Amount string `json:"amount"`
			} `json:"bond"`
		} `json:"node"`
	}
	ln.getJSON(ln.api(0)+"/h3lix/identity/v1/nodes/"+addr["dave"], &node)
	bond, _ := strconv.Atoi(node.Node.Bond.Amount)
	require.Less(t, bond, 10_000_000, "the poisoner's bond shrank")
	for _, k := range keys[:3] {
		r := repOf(k)
		require.Equal(t, "0", r.Rejected, "%s had an honest artifact rejected", k)
		require.Greater(t, int(r.Score), 250_000, "%s gained reputation (initial score 0.25)", k)
		require.Greater(t, int(r.Score), score("dave"), "%s ranks above the poisoner", k)
	}
	// The lazy verifier attested without fetching anything to verify.
	lazy, err := ws[4].status()
	require.NoError(t, err)
	require.Positive(t, lazy.Attested, "the lazy worker attested")
	require.Zero(t, lazy.Verified, "the lazy worker verified nothing")
	// The offline producer committed and never revealed; it lost reputation.
	var committedOffline int
	for r := first; r < last; r++ {
		for _, a := range artifactsOf("offline", r) {
			committedOffline++
			require.Equal(t, "ARTIFACT_STATUS_COMMITTED", a.Status, "the offline worker revealed artifact %s", a.ID)
		}
	}
	require.Positive(t, committedOffline, "the offline worker committed")
	require.NotEqual(t, "0", repOf("offline").Unrevealed, "the offline worker's commits count as unrevealed")
	require.Less(t, score("offline"), 250_000, "unrevealed commits cost reputation")
	for _, k := range keys[:3] {
		require.Greater(t, score(k), score("offline"), "%s ranks above the offline worker", k)
	}
	t.Logf("reputation: alice %d, bob %d, carol %d, dave (poisoner) %d, lazy %d, offline %d",
		score("alice"), score("bob"), score("carol"), score("dave"), score("lazy"), score("offline"))
	t.Logf("rounds %d..%d, %d with a field", first, last-1, withField)
	if carolLLM {
		// Over all these rounds the model guided some of carol's tasks, and
		// her artifacts' kinds agree with what /status counts: one marked as
		// guided for each guided task she distilled, none beyond.
		s, err := ws[2].status()
		require.NoError(t, err)
		require.Positive(t, s.LLM.Guided, "no task of carol's was guided by the model: %+v", *s.LLM)
		require.Positive(t, s.LLM.Samples, "%+v", *s.LLM)
		var guided, plain int
		for r := first; r <= last; r++ {
			for _, a := range artifactsOf("carol", r) {
				switch {
				case a.Manifest == nil: // committed, not yet revealed: no kind to count
				case a.Manifest.Kind == "pbe/program/llm":
					guided++
				default:
					plain++
				}
			}
		}
		require.Positive(t, guided, "carol's guided tasks gave artifacts marked as guided")
		require.LessOrEqual(t, guided, s.LLM.Guided, "more artifacts claim guidance than tasks were guided")
		t.Logf("carol's model: %+v; her artifacts: %d guided, %d by the embedded engine alone", *s.LLM, guided, plain)
	}

	// 5. Alice's dashboard, in a real browser, agrees with the chain and
	// follows it to the next field.
	checkDashboard(t, ws[0].api, ln.api(0), 2*time.Minute)
}
