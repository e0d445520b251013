package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/h3lix/h3lix/worker/node"
	"github.com/h3lix/h3lix/worker/round"
)

// staticGrid is the intensity (g CO2e/kWh) without a trace.
const staticGrid = 380

// Roles of the workers.
const (
	roleConditioned = "conditioned"
	roleControl     = "control"
	roleAdversary   = "adversary"
)

// worker is one h3lix-worker process of the experiment.
type worker struct {
	Index     int      `json:"index"`
	Name      string   `json:"name"`
	Role      string   `json:"role"`
	Behaviour string   `json:"behaviour,omitempty"`
	Address   string   `json:"address"`
	Validator int      `json:"validator"`
	Tasks     []string `json:"tasks"`
	home      string
	api       string
	p2pPort   int
	proxies   []*proxy // chain RPC, gRPC, REST and inbound IPFS
	cmd       *exec.Cmd
	exited    chan struct{}
}

// network is one mix of the experiment: validators (scripts/localnet.sh)
// and workers (started here, each behind its proxies).
type network struct {
	def      definition
	mix      string
	dir      string
	repo     string
	h3lixd   string
	binary   string
	workers  []*worker
	tasksDir string // per-worker task slices
	heldOut  string
	// carbonTrace is the grid trace every worker replays ("" = static).
	carbonTrace string
	out         io.Writer
	http        *http.Client
}

func (n *network) logf(format string, args ...any) {
	fmt.Fprintf(n.out, "[%s %s] %s\n", time.Now().Format("15:04:05"), n.mix, fmt.Sprintf(format, args...))
}

func (n *network) port(base, i int) int { return base + n.def.PortOffset + i }
func (n *network) rest(i int) string    { return fmt.Sprintf("http://127.0.0.1:%d", n.port(restBase, i)) }
func (n *network) node0() string        { return filepath.Join(n.dir, "node0") }

// localnet runs scripts/localnet.sh on this network's directory.
func (n *network) localnet(args ...string) (string, error) {
	cmd := exec.Command("bash", append([]string{filepath.Join(n.repo, "scripts", "localnet.sh")}, args...)...)
	cmd.Dir = n.repo
	cmd.Env = append(os.Environ(),
		"LOCALNET_DIR="+n.dir, "H3LIXD="+n.h3lixd, "H3LIX_WORKER="+n.binary,
		"LOCALNET_PORT_OFFSET="+strconv.Itoa(n.def.PortOffset), "LOCALNET_WORKERS=0",
		"LOCALNET_CHAIN_ID="+n.def.ChainID, "LOCALNET_BLOCK_TIME="+n.def.BlockTime.String(),
		"LOCALNET_ROUND_BLOCKS="+n.def.RoundBlocks, "LOCALNET_MAX_COMMITS="+strconv.Itoa(n.def.MaxCommits))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("localnet.sh %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// cli runs h3lixd against validator 0 with node0's test keyring.
func (n *network) cli(args ...string) (string, error) {
	cmd := exec.Command(n.h3lixd, append(args, "--home", n.node0(), "--keyring-backend", "test")...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	if err != nil {
		return buf.String(), fmt.Errorf("h3lixd %s: %w: %s", args[0], err, strings.TrimSpace(buf.String()))
	}
	return strings.TrimSpace(buf.String()), nil
}

func (n *network) workerCLI(args ...string) error {
	out, err := exec.Command(n.binary, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("h3lix-worker %s: %w: %s", args[0], err, strings.TrimSpace(string(out)))
	}
	return nil
}

// getJSON reads a REST or status document.
func (n *network) getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := n.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(b)))
	}
	return json.Unmarshal(b, v)
}

// startValidators creates the chain afresh and starts its validators.
func (n *network) startValidators() error {
	if _, err := os.Stat(n.dir); err == nil {
		_, _ = n.localnet("reset")
		if err := os.RemoveAll(n.dir); err != nil {
			return err
		}
	}
	n.logf("starting %d validators in %s", n.def.Validators, n.dir)
	_, err := n.localnet("start", strconv.Itoa(n.def.Validators))
	return err
}

// planWorkers assigns roles and task slices. The adversaries come first,
// then the controls, then the conditioned workers; without adversaries
// (mix "without") their slots are conditioned workers with the same tasks.
func (n *network) planWorkers(slices [][]string) {
	adv := n.def.Adversaries
	if n.mix == "without" {
		adv = nil
	}
	for i := range n.def.Workers {
		// The last validator is the one the fault stops, so no worker
		// leans on it (with a single validator, all lean on that one).
		w := &worker{Index: i, Name: fmt.Sprintf("worker%d", i), Validator: i % max(1, n.def.Validators-1), Tasks: slices[i]}
		switch {
		case i < len(n.def.Adversaries) && adv != nil:
			w.Role, w.Behaviour = roleAdversary, adv[i]
		case i >= len(n.def.Adversaries) && i < len(n.def.Adversaries)+n.def.Controls:
			w.Role = roleControl
		default:
			w.Role = roleConditioned
		}
		w.home = filepath.Join(n.dir, w.Name)
		w.p2pPort = n.port(workerP2PBase, i)
		w.api = fmt.Sprintf("http://127.0.0.1:%d", n.port(workerAPIBase, i))
		n.workers = append(n.workers, w)
	}
}

// setupWorkers funds, configures and registers every worker.
func (n *network) setupWorkers() error {
	var addrs []string
	for _, w := range n.workers {
		if _, err := n.cli("keys", "add", w.Name); err != nil {
			return err
		}
		a, err := n.cli("keys", "show", w.Name, "-a")
		if err != nil {
			return err
		}
		w.Address = a
		addrs = append(addrs, a)
	}
	args := append([]string{"tx", "bank", "multi-send", "alice"}, addrs...)
	args = append(args, "100000000uhlx", "--chain-id", n.def.ChainID, "--node", fmt.Sprintf("tcp://127.0.0.1:%d", n.port(rpcBase, 0)),
		"--gas", "auto", "--gas-adjustment", "1.5", "-y", "-o", "json")
	if _, err := n.cli(args...); err != nil {
		return fmt.Errorf("funding the workers: %w", err)
	}
	if err := n.waitBlocks(2); err != nil {
		return err
	}
	for _, w := range n.workers {
		if err := n.setupWorker(w); err != nil {
			return fmt.Errorf("%s: %w", w.Name, err)
		}
		n.logf("registered %s (%s%s, %d tasks, chain via validator %d)", w.Name, w.Role, suffix(w.Behaviour), len(w.Tasks), w.Validator)
	}
	return nil
}

func suffix(b string) string {
	if b == "" {
		return ""
	}
	return ": " + b
}

func (n *network) setupWorker(w *worker) error {
	v := w.Validator
	for _, target := range []string{
		fmt.Sprintf("127.0.0.1:%d", n.port(rpcBase, v)), fmt.Sprintf("127.0.0.1:%d", n.port(grpcBase, v)),
		fmt.Sprintf("127.0.0.1:%d", n.port(restBase, v)), fmt.Sprintf("127.0.0.1:%d", w.p2pPort),
	} {
		p, err := newProxy(target)
		if err != nil {
			return err
		}
		w.proxies = append(w.proxies, p)
	}
	tasks := filepath.Join(n.tasksDir, w.Name)
	if err := n.workerCLI("init", "--home", w.home, "--chain-id", n.def.ChainID,
		"--node", "tcp://"+w.proxies[0].Addr(), "--grpc", w.proxies[1].Addr(), "--rest", "http://"+w.proxies[2].Addr(),
		"--from", w.Name, "--keyring-backend", "test", "--keyring-dir", n.node0(),
		"--p2p-listen", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", w.p2pPort), "--api-listen", strings.TrimPrefix(w.api, "http://"),
		"--tasks", tasks, "--grid-zone", "DE"); err != nil {
		return err
	}
	cfg, err := node.Load(w.home, nil)
	if err != nil {
		return err
	}
	// Peers dial the worker through its IPFS proxy.
	cfg.P2P.Announce = []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", w.proxies[3].Port())}
	cfg.Round.TasksPerRound = n.def.TasksPerRound
	cfg.Round.Candidates = n.def.Candidates
	cfg.Round.ValidationCandidates = n.def.HeldOutBudget
	cfg.Round.ValidationDir = n.heldOut
	cfg.Round.ValidationShare = 0
	cfg.Round.Adversary = w.Behaviour
	cfg.Round.Conditioning = round.ConditionField
	if w.Role == roleControl {
		cfg.Round.Conditioning = round.ConditionOwn
	}
	cfg.Engine.MemBudgetMB = 256
	if n.carbonTrace != "" {
		cfg.Energy.CarbonSource, cfg.Energy.CarbonTrace = "trace", n.carbonTrace
	} else {
		cfg.Energy.CarbonSource, cfg.Energy.GridGPerKWh = "static", staticGrid
	}
	b, err := node.Render(cfg)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(w.home, node.ConfigFile), b, 0o600); err != nil {
		return err
	}
	return n.workerCLI("register", "--home", w.home, "--bond", "10000000uhlx")
}

// startWorker starts (or restarts) a worker process, appending to its log.
func (n *network) startWorker(w *worker) error {
	logf, err := os.OpenFile(filepath.Join(w.home, "worker.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(n.binary, "run", "--home", w.home)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	w.cmd, w.exited = cmd, make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) {
		_ = c.Wait()
		logf.Close()
		close(done)
	}(cmd, w.exited)
	return nil
}

// stopWorker signals a worker and waits for it (SIGKILL after 10 s).
func (n *network) stopWorker(w *worker, sig syscall.Signal) {
	if w.cmd == nil {
		return
	}
	_ = w.cmd.Process.Signal(sig)
	select {
	case <-w.exited:
	case <-time.After(10 * time.Second):
		_ = w.cmd.Process.Kill()
		<-w.exited
	}
	w.cmd = nil
}

// shutdown stops every worker and validator and closes the proxies. The
// network's directory stays for inspection.
func (n *network) shutdown() {
	for _, w := range n.workers {
		n.stopWorker(w, syscall.SIGTERM)
		for _, p := range w.proxies {
			p.Close()
		}
	}
	_, _ = n.localnet("stop")
}

// height is validator i's latest height (0 when it does not answer).
func (n *network) height(ctx context.Context, i int) int64 {
	var st struct {
		Result struct {
			SyncInfo struct {
				Height string `json:"latest_block_height"`
			} `json:"sync_info"`
		} `json:"result"`
	}
	if err := n.getJSON(ctx, fmt.Sprintf("http://127.0.0.1:%d/status", n.port(rpcBase, i)), &st); err != nil {
		return 0
	}
	h, _ := strconv.ParseInt(st.Result.SyncInfo.Height, 10, 64)
	return h
}

func (n *network) waitBlocks(k int64) error {
	ctx := context.Background()
	h0 := n.height(ctx, 0)
	for range 120 {
		if n.height(ctx, 0) >= h0+k {
			return nil
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("validator 0 made no %d blocks in 30 s", k)
}

// sliceTasks deals the .sl files of dir to k workers: sorted by name, task
// j goes to worker j mod k, so the slices are disjoint and every worker's
// is private to it.
func sliceTasks(dir string, k int) ([][]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sl"))
	if err != nil {
		return nil, err
	}
	if len(files) < k {
		return nil, fmt.Errorf("%s holds %d tasks, fewer than the %d workers", dir, len(files), k)
	}
	sort.Strings(files)
	out := make([][]string, k)
	for j, f := range files {
		out[j%k] = append(out[j%k], f)
	}
	return out, nil
}

// copyTasks writes a worker's slice into its own directory.
func copyTasks(files []string, dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}
