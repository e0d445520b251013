// Package round is the worker's part in each round of the chain: commit
// what the engine distilled, reveal it, verify the artifacts assigned to
// this node, and condition the engine on the finalized field. It is one
// state machine driven by new blocks; every step first reads the chain and
// the journal, so a restart at any point carries on where the last run
// stopped without committing twice or losing a salt.
package round

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/energy"
	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/schedule"
	"github.com/h3lix/h3lix/worker/store"
)

// Adversarial behaviours, for tests of the protocol only.
const (
	AdversaryNone    = ""
	AdversaryPoison  = "poison"               // publish wrong programs
	AdversaryLazy    = "lazy"                 // attest VALID without fetching
	AdversaryOffline = "offline-after-commit" // commit, then never reveal or attest
)

// What the engine is conditioned on after each round (Config.Conditioning).
const (
	ConditionField = "field" // the finalized collective field
	ConditionOwn   = "own"   // only the node's own artifacts of the round: an experiment's isolated control
)

// Config tunes the loop.
type Config struct {
	// Home holds the journal, artifact files and the engine state.
	Home string
	// Tasks are the owner's private tasks, taken TasksPerRound at a time
	// (Source, when set, replaces them with an endless stream); Validation
	// is the held-back split the learning curve is measured on.
	Tasks, Validation []engine.Task
	Source            TaskSource
	TasksPerRound     int
	// SolveBudget is the time the engine may spend on one round's tasks.
	SolveBudget time.Duration
	// Candidates caps each task's search (0 = only time bounds it).
	Candidates int64
	// ValidationCandidates is the fixed budget of the learning curve, so
	// its points are comparable across rounds and machines.
	ValidationCandidates int64
	// MaxArtifacts caps the artifacts committed per round (the chain's
	// max_commits_per_node caps it too).
	MaxArtifacts int
	// FetchTimeout bounds the fetch of one payload.
	FetchTimeout time.Duration
	// KeepRounds: pins of own and field artifacts older than this many
	// rounds are dropped and garbage-collected.
	KeepRounds uint64
	// Energy converts CPU time to joules and CO2e.
	Energy energy.Meter
	// Scheduler, when set, decides per slot whether to do the heavy work
	// (solve and distil) and gives the grid's intensity for its CO2e; nil
	// always works at Energy's static intensity. Verification never waits.
	Scheduler *schedule.Scheduler
	// Adversary selects a test-only misbehaviour; Poison makes a poisoned
	// artifact of an honest one (the engine knows how).
	Adversary string
	// Conditioning is ConditionField (the default) or ConditionOwn.
	Conditioning string
	Poison       func(a engine.Artifact, k int) engine.Artifact
	// Seed makes task order and salts' sources reproducible in tests; the
	// salts themselves always come from crypto/rand.
	Seed uint64
}

func (c *Config) defaults() {
	if c.TasksPerRound <= 0 {
		c.TasksPerRound = 4
	}
	if c.SolveBudget <= 0 {
		c.SolveBudget = 4 * time.Second
	}
	if c.ValidationCandidates <= 0 {
		c.ValidationCandidates = 20_000
	}
	if c.MaxArtifacts <= 0 {
		c.MaxArtifacts = 4
	}
	if c.FetchTimeout <= 0 {
		c.FetchTimeout = 5 * time.Second
	}
	if c.KeepRounds == 0 {
		c.KeepRounds = 8
	}
	if c.Conditioning == "" {
		c.Conditioning = ConditionField
	}
}

// TaskSource is an endless supply of tasks: Tasks(from, n) returns tasks
// from..from+n-1 of the stream, the same ones every time.
type TaskSource interface {
	Tasks(from, n int) ([]engine.Task, error)
}

// Peerer is implemented by stores that dial peers themselves (the embedded
// node); the loop hands it the multiaddrs nodes registered on chain.
type Peerer interface {
	SetPeers(ctx context.Context, peers []peer.AddrInfo) error
}

// Loop takes part in rounds for one node.
type Loop struct {
	cfg      Config
	client   *chain.Client
	signer   *chain.Signer
	store    store.Store
	eng      engine.Engine
	journal  *Journal
	log      *slog.Logger
	metrics  *Metrics
	selfPeer peer.ID

	mu     sync.Mutex
	status Status
	// tried remembers phases that failed for a reason retrying in the
	// same round cannot fix, so the loop does not hammer the chain.
	tried map[string]string
	// clock estimates the block time from the heights seen.
	firstSeen    time.Time
	firstHeight  int64
	nextTask     int
	lastMeasured uint64
	needMeasure  bool
	artifactsDir string
	engineState  string
}

// New builds a loop. selfPeer is the store's peer id (empty for a Kubo
// store), so the loop does not dial itself.
func New(cfg Config, client *chain.Client, signer *chain.Signer, st store.Store, eng engine.Engine, selfPeer peer.ID, log *slog.Logger, m *Metrics) (*Loop, error) {
	cfg.defaults()
	if cfg.Home == "" {
		return nil, errors.New("round: home directory is empty")
	}
	j, err := OpenJournal(filepath.Join(cfg.Home, "data", "journal.jsonl"))
	if err != nil {
		return nil, err
	}
	l := &Loop{
		cfg: cfg, client: client, signer: signer, store: st, eng: eng, journal: j, log: log, metrics: m, selfPeer: selfPeer,
		tried:        map[string]string{},
		artifactsDir: filepath.Join(cfg.Home, "data", "artifacts"),
		engineState:  filepath.Join(cfg.Home, "data", "engine-state.json"),
		needMeasure:  len(cfg.Validation) > 0,
	}
	if err := os.MkdirAll(l.artifactsDir, 0o700); err != nil {
		return nil, err
	}
	if err := l.loadEngineState(); err != nil {
		return nil, err
	}
	l.status.Operator = signer.Address().String()
	l.status.PeerID = selfPeer.String()
	l.status.Engine = eng.Name()
	l.status.Tasks, l.status.ValidationTasks = len(cfg.Tasks), len(cfg.Validation)
	l.status.Adversary = cfg.Adversary
	l.status.Conditioning = cfg.Conditioning
	l.status.Energy.Method = cfg.Energy.Method
	if l.status.Energy.Method == "" {
		l.status.Energy.Method = energy.MethodCPUTime
	}
	// Resume the task cursor where the journal says the last run was.
	for _, r := range j.Rounds() {
		if s := j.Round(r); len(s.Artifacts) > 0 || s.Skipped != "" {
			l.nextTask += cfg.TasksPerRound
		}
		if s := j.Round(r); s.Conditioned {
			l.status.FieldRound = r
		}
	}
	return l, nil
}

// Journal exposes the journal (for status and tests).
func (l *Loop) Journal() *Journal { return l.journal }

// Close closes the journal.
func (l *Loop) Close() error { return l.journal.Close() }

func (l *Loop) loadEngineState() error {
	st, ok := l.eng.(engine.Stateful)
	if !ok {
		return nil
	}
	b, err := os.ReadFile(l.engineState)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := st.LoadState(b); err != nil {
		return fmt.Errorf("engine state %s: %w (move the file away to start from the engine's defaults)", l.engineState, err)
	}
	return nil
}

func (l *Loop) saveEngineState() error {
	st, ok := l.eng.(engine.Stateful)
	if !ok {
		return nil
	}
	b, err := st.SaveState()
	if err != nil {
		return err
	}
	return writeFileSync(l.engineState, b)
}

// Run follows the chain until ctx ends. Errors of one step are logged and
// shown in the status; the next block tries again.
func (l *Loop) Run(ctx context.Context) error {
	heights := l.client.Heights(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case h, ok := <-heights:
			if !ok {
				return nil
			}
			l.observeHeight(h)
			if err := l.Step(ctx); err != nil && ctx.Err() == nil {
				l.log.Warn("round step failed", "height", h, "err", err)
				l.setError(err)
				l.metrics.Errors.WithLabelValues("step").Inc()
			}
		}
	}
}

func (l *Loop) observeHeight(h int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.firstSeen.IsZero() {
		l.firstSeen, l.firstHeight = time.Now(), h
	}
}

// blockTime is the average block interval seen so far (1 s until a few
// blocks have passed).
func (l *Loop) blockTime(h int64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.firstSeen.IsZero() || h-l.firstHeight < 3 {
		return time.Second
	}
	return time.Since(l.firstSeen) / time.Duration(h-l.firstHeight)
}

// Step does whatever the current phase asks of this node. It is safe to
// call at any time and any number of times.
func (l *Loop) Step(ctx context.Context) error {
	rs, err := l.client.CurrentRound(ctx)
	if err != nil {
		return err
	}
	l.setRound(rs)
	l.forgetTried(rs.Round.Id)
	// The field of the last round first: the new round's work should use it.
	if err := l.conditionOnLatest(ctx, rs); err != nil {
		l.log.Warn("conditioning on the field failed", "err", err)
		l.setError(err)
		l.metrics.Errors.WithLabelValues("condition").Inc()
	}
	switch rs.Phase {
	case chain.PhaseCommit:
		if err := l.commit(ctx, rs); err != nil {
			return fmt.Errorf("commit, round %d: %w", rs.Round.Id, err)
		}
	case chain.PhaseReveal:
		if err := l.reveal(ctx, rs); err != nil {
			return fmt.Errorf("reveal, round %d: %w", rs.Round.Id, err)
		}
		l.measureIfDue(ctx)
	case chain.PhaseAttest:
		if err := l.attest(ctx, rs); err != nil {
			return fmt.Errorf("attest, round %d: %w", rs.Round.Id, err)
		}
	case chain.PhaseDisclose:
		if err := l.disclose(ctx, rs); err != nil {
			return fmt.Errorf("disclose, round %d: %w", rs.Round.Id, err)
		}
	}
	return nil
}

// blocksLeft is how many blocks of the phase are still to come after the
// one a transaction sent now would most likely land in.
func blocksLeft(rs chain.RoundStatus) int64 {
	end := chain.PhaseEnd(rs.Round, rs.Phase)
	return end - (rs.Height + 1)
}

// txContext bounds a transaction to the end of its phase: a tx that is not
// in a block by then will be refused anyway, and a tx lost from the mempool
// (a validator restart) must not hold the loop for the client's whole
// timeout. The next step re-reads the chain and sends again if needed.
func (l *Loop) txContext(ctx context.Context, rs chain.RoundStatus) (context.Context, context.CancelFunc) {
	d := time.Duration(max(blocksLeft(rs)+2, 3))*l.blockTime(rs.Height) + 2*time.Second
	return context.WithTimeout(ctx, d)
}

// refused marks key as tried when the chain refused the transaction —
// sending the same one again in this round cannot help — and returns the
// chain's reason.
func (l *Loop) refused(key string, err error) (string, bool) {
	var te *chain.TxError
	if !errors.As(err, &te) {
		return "", false
	}
	l.markTried(key, te.Log)
	return te.Log, true
}

// observeTx records a round transaction's broadcast and inclusion times,
// and the broadcast in the round's publishing overhead.
func (l *Loop) observeTx(kind string, r uint64, start time.Time, res *chain.Result) {
	l.metrics.TxSeconds.WithLabelValues(kind).Observe(res.Broadcast.Seconds())
	l.metrics.TxInclusion.WithLabelValues(kind).Observe(time.Since(start).Seconds())
	ms := float64(res.Broadcast.Microseconds()) / 1000
	l.mu.Lock()
	defer l.mu.Unlock()
	switch kind {
	case "commit":
		l.overhead(r).CommitMs += ms
	case "reveal":
		l.overhead(r).RevealMs += ms
	}
}

// markTried records a failure that retrying in this round cannot fix.
func (l *Loop) markTried(key, why string) {
	l.mu.Lock()
	l.tried[key] = why
	l.mu.Unlock()
}

// forgetTried drops what was tried in rounds that can no longer act, so
// the map stays as small as the rounds in flight.
func (l *Loop) forgetTried(current uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k := range l.tried {
		i := strings.LastIndexByte(k, '/')
		if r, err := strconv.ParseUint(k[i+1:], 10, 64); err == nil && r+2 < current {
			delete(l.tried, k)
		}
	}
}

func (l *Loop) wasTried(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.tried[key]
	return ok
}

// refreshPeers points the store at every active node's registered
// multiaddrs: the identity registry is the routing table.
func (l *Loop) refreshPeers(ctx context.Context) {
	p, ok := l.store.(Peerer)
	if !ok {
		return
	}
	nodes, err := l.client.ActiveNodes(ctx)
	if err != nil {
		l.log.Warn("reading the node registry for peers", "err", err)
		return
	}
	var peers []peer.AddrInfo
	for _, n := range nodes {
		id, err := peer.Decode(n.PeerId)
		if err != nil || id == l.selfPeer {
			continue
		}
		ai := peer.AddrInfo{ID: id}
		for _, s := range n.Multiaddrs {
			if a, err := ma.NewMultiaddr(s); err == nil {
				ai.Addrs = append(ai.Addrs, a)
			}
		}
		if len(ai.Addrs) > 0 {
			peers = append(peers, ai)
		}
	}
	if err := p.SetPeers(ctx, peers); err != nil {
		l.log.Warn("setting peers", "err", err)
	}
}
