package node

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	logging "github.com/ipfs/go-log/v2"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/h3lix/h3lix/worker/api"
	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/energy"
	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/llm"
	"github.com/h3lix/h3lix/worker/engine/pbe"
	"github.com/h3lix/h3lix/worker/round"
	"github.com/h3lix/h3lix/worker/store"
)

// Node is a running worker: chain client, store, engine, round loop, API.
type Node struct {
	Cfg    Config
	Log    *slog.Logger
	Client *chain.Client
	Signer *chain.Signer
	Store  store.Store
	Engine engine.Engine
	Loop   *round.Loop
	reg    *prometheus.Registry
	// gatherers are the registries /metrics serves: the worker's own and
	// the store's (libp2p, bitswap, gateway).
	gatherers prometheus.Gatherers
	key       chain.NodeKey
}

// NewLogger builds the structured logger the config asks for.
func NewLogger(c LogConfig, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(strings.ToLower(c.Level)))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// NodeKeyPath is the node key file of a worker home.
func NodeKeyPath(home string) string { return filepath.Join(home, NodeKeyFile) }

// OpenSigner opens the keyring and the chain client for cfg.
func OpenSigner(cfg Config, in io.Reader) (*chain.Client, *chain.Signer, error) {
	kr, err := chain.OpenKeyring(cfg.Keyring.Backend, cfg.Keyring.Dir, in)
	if err != nil {
		return nil, nil, err
	}
	client, err := chain.Dial(chain.Config{ChainID: cfg.Chain.ID, GRPC: cfg.Chain.GRPC, RPC: cfg.Chain.Node,
		GasAdjustment: cfg.Chain.GasAdjustment, GasPrices: cfg.Chain.GasPrices, TxTimeout: cfg.Chain.TxTimeout})
	if err != nil {
		return nil, nil, err
	}
	signer, err := client.Signer(kr, cfg.Keyring.From)
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	return client, signer, nil
}

// NewEngine builds the configured engine. An llm engine whose server does
// not answer is still built: it solves with the embedded engine alone until
// the server is back, and says so in the log and /status.
func NewEngine(ctx context.Context, cfg Config, log *slog.Logger) (engine.Engine, error) {
	inner := pbe.New(pbe.Options{MemBudget: cfg.Engine.MemBudgetMB << 20, TaskKey: taskKey(cfg.Home, log), GuardCandidates: cfg.Round.Candidates}, cfg.Engine.Seed)
	switch cfg.Engine.Kind {
	case "pbe":
		return inner, nil
	case "llm":
		e, err := llm.New(cfg.Engine.LLM.Client(), inner, log)
		if err != nil {
			return nil, fmt.Errorf("engine.llm: %w", err)
		}
		cctx, cancel := context.WithTimeout(ctx, cfg.Engine.LLM.Timeout)
		defer cancel()
		if err := e.Check(cctx); err != nil {
			log.Warn("the language model is not available; solving with the embedded engine alone until it is", "err", err)
		} else {
			log.Info("language model ready", "url", cfg.Engine.LLM.URL, "model", cfg.Engine.LLM.Model)
		}
		return e, nil
	}
	return nil, fmt.Errorf("engine.kind %q: use pbe or llm", cfg.Engine.Kind)
}

// taskKey keys the provenance hashes of the node's artifacts
// (pbe.Engine.TaskHash). It derives from the node key, so a task solved
// again after a restart is cited by the same hash, and it never leaves the
// machine. Without a node key (a home not initialised) the engine draws a
// key of its own.
func taskKey(home string, log *slog.Logger) []byte {
	if home == "" {
		return nil
	}
	k, err := chain.LoadNodeKey(NodeKeyPath(home))
	if err != nil {
		log.Warn("no node key to derive the task key from; provenance hashes change at each start", "err", err)
		return nil
	}
	m := hmac.New(sha256.New, k.Priv.Seed())
	m.Write([]byte("h3lix/pbe/task-key/v1"))
	return m.Sum(nil)
}

// Status is what GET /status shows: the round loop's status and, for the
// llm engine, what it asked of the model.
type Status struct {
	round.Status
	LLM *llm.Stats `json:"llm,omitempty"`
}

// LoadTasks reads the .sl files of dir and splits them, deterministically
// by name, into the tasks the node works on in rounds and a validation
// split that only measures its learning curve.
func LoadTasks(dir string, validationShare float64) (work, validation []engine.Task, err error) {
	if dir == "" {
		return nil, nil, errors.New("no task directory: pass --tasks DIR (your own .sl tasks) or set round.tasks_dir")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.sl"))
	if err != nil {
		return nil, nil, err
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("no .sl tasks in %s (generate some with 'h3lix-worker tasks gen --seed N --out %s')", dir, dir)
	}
	sort.Strings(files)
	for _, f := range files {
		spec, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		t := engine.Task{ID: filepath.Base(f), Spec: spec}
		// A hash of the name decides the split, so adding a task does not
		// move the others between the splits.
		h := fnv.New32a()
		h.Write([]byte(t.ID))
		if float64(h.Sum32()%1000) < validationShare*1000 {
			validation = append(validation, t)
		} else {
			work = append(work, t)
		}
	}
	if len(work) == 0 {
		work, validation = validation, nil
	}
	return work, validation, nil
}

// Open builds every part of the worker and checks that the node registered
// on chain is this one: same operator, same node key (peer id).
func Open(ctx context.Context, cfg Config, log *slog.Logger) (_ *Node, err error) {
	quietIPFSLogs(cfg.Log.Level)
	n := &Node{Cfg: cfg, Log: log, reg: prometheus.NewRegistry()}
	n.gatherers = prometheus.Gatherers{n.reg}
	defer func() {
		if err != nil {
			n.Close()
		}
	}()
	n.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	key, err := chain.LoadNodeKey(NodeKeyPath(cfg.Home))
	if err != nil {
		return nil, fmt.Errorf("node key: %w (run 'h3lix-worker init --home %s' to create one)", err, cfg.Home)
	}
	n.key = key
	if n.Client, n.Signer, err = OpenSigner(cfg, os.Stdin); err != nil {
		return nil, err
	}
	if err := waitForChain(ctx, n.Client, log); err != nil {
		return nil, err
	}
	registered, err := n.Client.Node(ctx, n.Signer.Address().String())
	if errors.Is(err, chain.ErrNotFound) {
		return nil, fmt.Errorf("%s (%s) has no node on chain %s: run 'h3lix-worker register --home %s --bond 10000000uhlx' first",
			cfg.Keyring.From, n.Signer.Address(), cfg.Chain.ID, cfg.Home)
	}
	if err != nil {
		return nil, err
	}
	if registered.PeerId != key.PeerID {
		return nil, fmt.Errorf("the chain has peer id %s registered for %s, but %s holds %s: use the node key you registered, or rotate it with 'h3lixd tx identity rotate-node-key %s --from %s'",
			registered.PeerId, n.Signer.Address(), NodeKeyPath(cfg.Home), key.PeerID, NodeKeyPath(cfg.Home), cfg.Keyring.From)
	}
	var selfPeer peer.ID
	switch cfg.IPFS.Mode {
	case "embedded":
		emb, err := store.NewEmbedded(ctx, store.EmbeddedConfig{Dir: filepath.Join(cfg.Home, "data", "ipfs"), Identity: key.Priv,
			ListenAddrs: cfg.P2P.Listen, DHT: cfg.P2P.DHT, FetchTimeout: cfg.IPFS.FetchTimeout})
		if err != nil {
			return nil, fmt.Errorf("embedded IPFS: %w", err)
		}
		n.Store, selfPeer = emb, emb.PeerID()
		if selfPeer.String() != key.PeerID {
			return nil, fmt.Errorf("IPFS peer id %s differs from the node key's %s", selfPeer, key.PeerID)
		}
		n.gatherers = append(n.gatherers, emb.Registry())
		announce := cfg.P2P.Announce
		if len(announce) == 0 {
			announce = cfg.P2P.Listen
		}
		if !sameSet(announce, registered.Multiaddrs) {
			log.Warn("the multiaddrs registered on chain differ from this worker's; other workers may not reach it",
				"registered", registered.Multiaddrs, "announce", announce,
				"fix", fmt.Sprintf("h3lixd tx identity update-node --from %s --multiaddrs %s", cfg.Keyring.From, strings.Join(announce, ",")))
		}
	case "kubo":
		n.Store = store.NewKubo(store.KuboConfig{URL: cfg.IPFS.KuboURL, Timeout: cfg.IPFS.FetchTimeout})
	}
	if n.Engine, err = NewEngine(ctx, cfg, log); err != nil {
		return nil, err
	}
	var (
		work, validation []engine.Task
		source           round.TaskSource
	)
	if src, val, isStream, err := TaskStream(cfg.Round.TasksDir); isStream {
		if err != nil {
			return nil, err
		}
		source, validation = src, val
	} else if work, validation, err = LoadTasks(cfg.Round.TasksDir, cfg.Round.ValidationShare); err != nil {
		return nil, err
	}
	if cfg.Round.ValidationDir != "" {
		held, err := HeldOutTasks(cfg.Round.ValidationDir, work, validation)
		if err != nil {
			return nil, err
		}
		if source == nil {
			work = append(work, validation...)
		}
		validation = held
	}
	meter, why := energy.NewMeter(cfg.Energy.WattsPerCore, cfg.Energy.GridGPerKWh, cfg.Energy.RenewablePPM, energy.LinuxPaths)
	log.Info("energy meter", "method", meter.Method, "why", why)
	sched, err := NewScheduler(cfg, log)
	if err != nil {
		return nil, err
	}
	rc := round.Config{
		Home: cfg.Home, Tasks: work, Source: source, Validation: validation, TasksPerRound: cfg.Round.TasksPerRound,
		SolveBudget: cfg.Round.SolveBudget, Candidates: cfg.Round.Candidates, ValidationCandidates: cfg.Round.ValidationCandidates,
		MaxArtifacts: cfg.Round.MaxArtifacts, FetchTimeout: cfg.IPFS.FetchTimeout, KeepRounds: cfg.IPFS.KeepRounds,
		Energy:    meter,
		Scheduler: sched,
		Adversary: cfg.Round.Adversary, Conditioning: cfg.Round.Conditioning, Seed: cfg.Engine.Seed,
	}
	if cfg.Round.Adversary == round.AdversaryPoison {
		rc.Poison = pbe.Poison
	}
	if cfg.Round.Adversary != "" {
		log.Warn("ADVERSARIAL TEST MODE: this worker misbehaves on purpose", "behaviour", cfg.Round.Adversary)
	}
	if n.Loop, err = round.New(rc, n.Client, n.Signer, n.Store, n.Engine, selfPeer, log, round.NewMetrics(n.reg)); err != nil {
		return nil, err
	}
	log.Info("worker ready", "operator", n.Signer.Address().String(), "peer_id", key.PeerID, "tasks", taskCount(len(work), source), "validation", len(validation),
		"conditioning", cfg.Round.Conditioning, "ipfs", cfg.IPFS.Mode, "engine", n.Engine.Name())
	return n, nil
}

func taskCount(n int, src round.TaskSource) string {
	if src != nil {
		return "generated stream"
	}
	return strconv.Itoa(n)
}

// waitForChain retries until the node answers with the right chain id, so
// a worker started next to a validator that is still booting just waits.
func waitForChain(ctx context.Context, c *chain.Client, log *slog.Logger) error {
	backoff := 500 * time.Millisecond
	for attempt := 0; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := c.CheckChainID(cctx)
		cancel()
		if err == nil {
			return nil
		}
		if strings.Contains(err.Error(), "runs chain") || attempt >= 20 {
			return err
		}
		if attempt == 0 {
			log.Info("waiting for the chain", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// Run runs the round loop and the API until ctx ends, then shuts down.
func (n *Node) Run(ctx context.Context, ready func(apiAddr string)) error {
	var gw = (*store.Embedded)(nil)
	if e, ok := n.Store.(*store.Embedded); ok {
		gw = e
	}
	opts := api.Options{
		Status: func() any {
			st := Status{Status: n.Loop.Status()}
			if e, ok := n.Engine.(*llm.Engine); ok {
				s := e.Stats()
				st.LLM = &s
			}
			return st
		},
		Engine:    n.Engine,
		Gatherers: n.gatherers,
		ChainREST: n.Cfg.Chain.REST,
		Healthy: func(ctx context.Context) error {
			_, err := n.Client.LatestHeight(ctx)
			return err
		},
	}
	if gw != nil {
		opts.Gateway = gw.Gateway(store.GatewayConfig{})
	}
	opts.Store = n.Store
	if p, err := n.Client.ArtifactParams(ctx); err == nil {
		opts.MaxPayload = int64(p.MaxPayloadSize)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	apiErr := make(chan error, 1)
	go func() { apiErr <- api.Serve(ctx, n.Cfg.API.Listen, api.Handler(opts), ready) }()
	loopErr := make(chan error, 1)
	go func() { loopErr <- n.Loop.Run(ctx) }()
	var err error
	select {
	case err = <-apiErr:
		cancel()
		<-loopErr
	case err = <-loopErr:
		cancel()
		<-apiErr
	case <-ctx.Done():
		<-loopErr
		err = <-apiErr
	}
	n.Log.Info("worker stopped")
	return err
}

// Close releases everything Open built.
func (n *Node) Close() {
	if n.Loop != nil {
		n.Loop.Close()
	}
	if n.Store != nil {
		n.Store.Close()
	}
	if n.Client != nil {
		n.Client.Close()
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}

// quietIPFSLogs keeps libp2p and boxo's go-log output at warnings unless
// debugging: their info logs are noise for a worker's owner.
func quietIPFSLogs(level string) {
	if strings.EqualFold(level, "debug") {
		return
	}
	_ = logging.SetLogLevel("*", "error")
}
