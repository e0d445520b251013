package sim

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/h3lix/h3lix/worker/energy"
	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/pbe"
	"github.com/h3lix/h3lix/x/ccf/aggregate"
)

// Task is a task of the simulation.
type Task struct {
	Name string
	Spec []byte
	// Family names the kind of task (taskgen's family, a benchmark's
	// family); only Config.Interests reads it.
	Family string
}

// Config configures Simulate.
type Config struct {
	Train   []Task // partitioned privately among the nodes
	HeldOut []Task // solved by every honest node after every round
	// Interests, if positive, makes the nodes personal: each node's owner
	// works on that many task families, shared in a ring so that a family
	// has two owners (one family has one when Nodes × Interests is odd;
	// adversaries own families too; deal.go). A node is dealt training
	// tasks of its families only and judged on the held-out tasks of its
	// families only, its owner's future. Zero deals every training task to any node
	// and judges every node on all held-out tasks.
	Interests int
	// Relevance weighs each verified artifact of the field by its use on
	// the node's own tasks (pbe.Options.Relevance), in every group.
	Relevance bool
	Nodes     int
	Rounds    int
	// Budget is the candidate budget per task; candidate budgets keep the
	// simulation deterministic.
	Budget int64
	// Wall, if positive, is a wall-clock budget per task as well (or alone,
	// with Budget 0). Timed budgets make a run depend on the machine and
	// its load, so its counts are no longer deterministic.
	Wall time.Duration
	// NoGuard turns off the engines' guard (pbe.Options.NoGuard) in every
	// group: each adopts every update it verifies.
	NoGuard bool
	// Adversarial is how many of the nodes publish poisoned artifacts and
	// attest VALID on everything.
	Adversarial int
	Seed        uint64
	// Params are the chain parameters; the zero value means DefaultParams().
	Params Params
	// Progress, if set, receives one line per finished round.
	Progress func(string)
	// Trace, if set, receives each round's field and its inputs.
	Trace func(RoundTrace)
	// Meter measures the energy of the held-out solves (the zero value:
	// CPU time × the default power per core).
	Meter energy.Meter
}

// Cost is what one group's held-out solves cost in a round: the joules
// the meter measured, the CPU seconds and the candidates enumerated, in
// total and per solved task (0 when none was solved). Candidates are
// deterministic; joules and CPU seconds vary with the machine's load.
type Cost struct {
	Joules              float64 `json:"joules"`
	CPUSeconds          float64 `json:"cpu_seconds"`
	Candidates          int64   `json:"candidates"`
	JoulesPerSolved     float64 `json:"joules_per_solved_task"`
	CandidatesPerSolved float64 `json:"candidates_per_solved_task"`
}

// Round is one row of the report.
type Round struct {
	Round int `json:"round"`
	// Held-out tasks solved, summed over the honest nodes of each group.
	Isolated   int `json:"isolated"`
	Collective int `json:"collective"`
	// IsolatedPerNode and CollectivePerNode are the same per honest node:
	// node n's collective count against its own isolated twin's. Issue 10
	// asks that no conditioned node fall below its twin, which the sums
	// alone cannot show.
	IsolatedPerNode   []int `json:"isolated_per_node"`
	CollectivePerNode []int `json:"collective_per_node"`
	// NodesBelow counts the honest nodes whose collective count is below
	// their isolated twin's.
	NodesBelow int `json:"nodes_below_twin"`
	// IsolatedCost and CollectiveCost are what those solves cost.
	IsolatedCost   Cost `json:"isolated_cost"`
	CollectiveCost Cost `json:"collective_cost"`
	// Naive is a group that merges, unverified, the field the chain would
	// build without attestations (only with adversaries).
	Naive     int `json:"naive,omitempty"`
	Published int `json:"published"`
	Accepted  int `json:"accepted"` // verdict VALID, of Published
	Outliers  int `json:"outliers"` // accepted, dropped by the outlier filter
	Field     int `json:"field"`    // entries of the round's field
	Poisoned  int `json:"poisoned"`
	// Filtered counts poisoned artifacts rejected by the verdict or dropped as outliers.
	Filtered        int `json:"filtered"`
	PoisonedInField int `json:"poisoned_in_field"`
	// Kept counts the collective nodes that turned the round's field down:
	// it would have done worse on their own tasks (the engine's guard).
	// Such a node still adopts its own artifacts of the field, as its
	// isolated twin does, when they pass the same rule.
	Kept int `json:"collective_kept"`
	// Mean reputation (ppm) of the honest and the adversarial nodes after the round.
	HonestReputation      uint32 `json:"honest_reputation_ppm"`
	AdversarialReputation uint32 `json:"adversarial_reputation_ppm,omitempty"`
}

// Report is the outcome of Simulate.
type Report struct {
	HonestNodes int     `json:"honest_nodes"`
	HeldOut     int     `json:"held_out"`
	Rounds      []Round `json:"rounds"`
	// Baseline is the held-out solved per node before any round (uniform
	// prior); with interests, where each node has its own held-out tasks,
	// the mean per node rounded down. BaselineTotal is exact.
	Baseline int `json:"baseline"`
	// HeldOutTotal is the number of held-out solves per group and round,
	// the denominator of its rates: honest nodes × held-out tasks, or with
	// interests the sum of each honest node's own held-out tasks.
	HeldOutTotal int `json:"held_out_total"`
	// BaselineTotal is the held-out solved by all honest nodes under the
	// uniform prior, out of HeldOutTotal.
	BaselineTotal int `json:"baseline_total"`
	// Interests and Relevance echo the Config.
	Interests int  `json:"interests,omitempty"`
	Relevance bool `json:"relevance,omitempty"`
	// Candidates and Timeout are the per-task budget (Config.Budget, Wall).
	Candidates int64  `json:"candidates_per_task"`
	Timeout    string `json:"timeout_per_task,omitempty"`
	NoGuard    bool   `json:"no_guard,omitempty"`
	Params     Params `json:"params"`
	// Sample is set by the caller that checked the split: "out-of-sample"
	// when no held-out task shares an example with a training task.
	Sample string `json:"sample,omitempty"`
}

// RoundTrace is one round's field with the inputs it was built from, so a
// test can rebuild it with aggregate.BuildField and compare.
type RoundTrace struct {
	Round      int
	Candidates []aggregate.Candidate // accepted, not outliers, in the order BuildField got them
	PrevEMA    []aggregate.DomainVector
	Params     aggregate.FieldParams
	Field      aggregate.Field
	// Conditioned is what the collective nodes conditioned on, in field order.
	Conditioned []engine.WeightedArtifact
}

// Simulate runs the collective experiment: every round each node solves its
// next private batch and distils artifacts, the round is attested and
// finalized as on chain (see the package doc), collective nodes condition on
// the field and isolated nodes on their own artifacts. After each round
// every honest node solves the held-out tasks.
func Simulate(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Nodes <= 0 || cfg.Rounds <= 0 || cfg.Adversarial < 0 || cfg.Adversarial >= cfg.Nodes {
		return Report{}, fmt.Errorf("simulate: need nodes > adversarial >= 0 and rounds > 0")
	}
	if cfg.Interests < 0 || cfg.Interests > 0 && cfg.Nodes < 2 {
		return Report{}, fmt.Errorf("simulate: interests %d with %d nodes: need interests >= 0, and at least 2 nodes to share them", cfg.Interests, cfg.Nodes)
	}
	if cfg.Budget < 0 || cfg.Wall < 0 || cfg.Budget == 0 && cfg.Wall == 0 {
		return Report{}, fmt.Errorf("simulate: need a positive candidate budget, a positive wall-clock budget, or both (got %d candidates, %s)", cfg.Budget, cfg.Wall)
	}
	p := cfg.Params
	if p == (Params{}) {
		p = DefaultParams()
	}
	if err := p.validate(); err != nil {
		return Report{}, fmt.Errorf("simulate: %w", err)
	}
	progress := cfg.Progress
	if progress == nil {
		progress = func(string) {}
	}
	honest := cfg.Nodes - cfg.Adversarial
	batches := partition(cfg.Train, cfg.Nodes, cfg.Rounds, cfg.Seed)
	// held[n] is what honest node n is judged on.
	held := make([][]Task, honest)
	for n := range held {
		held[n] = cfg.HeldOut
	}
	if cfg.Interests > 0 {
		var err error
		if batches, held, err = dealInterests(cfg.Train, cfg.HeldOut, cfg.Nodes, honest, cfg.Rounds, cfg.Interests, cfg.Seed); err != nil {
			return Report{}, fmt.Errorf("simulate: %w", err)
		}
	}
	seed := func(n int) uint64 { return cfg.Seed*1000 + uint64(n) }
	names := make([]string, cfg.Nodes)
	rep := make([]uint32, cfg.Nodes)
	isolated := make([]*pbe.Engine, honest)
	// Nodes 0..honest-1 are the collective (verifying) honest nodes, the
	// rest adversaries; all of them publish.
	nodes := make([]*pbe.Engine, cfg.Nodes)
	opts := pbe.Options{NoGuard: cfg.NoGuard, GuardCandidates: cfg.Budget, Relevance: cfg.Relevance}
	var naive []*pbe.Engine
	for n := range nodes {
		names[n] = fmt.Sprintf("node%03d", n)
		rep[n] = p.InitialScorePPM
		nodes[n] = pbe.New(opts, seed(n))
		if n < honest {
			isolated[n] = pbe.New(opts, seed(n))
		}
	}
	collective := nodes[:honest]
	if cfg.Adversarial > 0 {
		naive = make([]*pbe.Engine, honest)
		for n := range naive {
			naive[n] = pbe.New(opts, seed(n))
		}
	}
	budget := engine.Budget{Candidates: cfg.Budget, Wall: cfg.Wall, Seed: cfg.Seed}
	// heldOut solves, on engine n of a group (honest node n), held[n];
	// the solves run one after another on this goroutine, so the process's CPU
	// time over the span is theirs (plus the garbage collector's share).
	heldOutCost := func(es []*pbe.Engine) (int, []int, Cost, error) {
		total := 0
		per := make([]int, len(es))
		var c Cost
		span := cfg.Meter.Start()
		for n, e := range es {
			for _, t := range held[n] {
				res, err := e.Solve(ctx, engine.Task{ID: t.Name, Spec: t.Spec, Probe: true}, budget)
				if err != nil {
					continue // unsupported held-out task: counts as unsolved
				}
				c.Candidates += res.Candidates
				if res.Solved {
					total++
					per[n]++
				}
			}
		}
		r := span.Stop()
		c.Joules, c.CPUSeconds = r.Exact, r.CPU.Seconds()
		if total > 0 {
			c.JoulesPerSolved = c.Joules / float64(total)
			c.CandidatesPerSolved = float64(c.Candidates) / float64(total)
		}
		return total, per, c, ctx.Err()
	}
	heldOut := func(es []*pbe.Engine) (int, error) {
		n, _, _, err := heldOutCost(es)
		return n, err
	}
	solveBatch := func(e *pbe.Engine, tasks []Task) ([]engine.Artifact, error) {
		var solved []engine.Result
		for _, t := range tasks {
			res, err := e.Solve(ctx, engine.Task{ID: t.Name, Spec: t.Spec}, budget)
			if err != nil {
				continue
			}
			if res.Solved {
				solved = append(solved, res)
			}
		}
		return e.Distill(ctx, solved)
	}

	rpt := Report{HonestNodes: honest, HeldOut: len(cfg.HeldOut), Params: p, Candidates: cfg.Budget, NoGuard: cfg.NoGuard,
		Interests: cfg.Interests, Relevance: cfg.Relevance}
	for _, h := range held {
		rpt.HeldOutTotal += len(h)
	}
	if cfg.Wall > 0 {
		rpt.Timeout = cfg.Wall.String()
	}
	var err error
	if cfg.Interests > 0 {
		// Every node is judged on its own tasks, so each has its own
		// baseline; before the first round all priors are uniform.
		if rpt.BaselineTotal, err = heldOut(isolated); err != nil {
			return rpt, err
		}
		rpt.Baseline = rpt.BaselineTotal / honest
	} else {
		// All nodes solve the same tasks under the same uniform prior:
		// one node's count is everyone's.
		if rpt.Baseline, err = heldOut(isolated[:1]); err != nil {
			return rpt, err
		}
		rpt.BaselineTotal = rpt.Baseline * honest
	}
	var (
		nextID   uint64 = 1
		poisoned int
		prevEMA  []aggregate.DomainVector
	)
	for round := 0; round < cfg.Rounds; round++ {
		row := Round{Round: round + 1}

		// Commit and reveal.
		var arts []published
		for n, e := range nodes {
			out, err := solveBatch(e, batches[n][round])
			if err != nil {
				return rpt, err
			}
			for _, a := range out {
				bad := n >= honest
				if bad {
					// A global count alternates the two attacks across rounds.
					a = pbe.Poison(a, poisoned)
					poisoned++
					row.Poisoned++
				}
				arts = append(arts, newPublished(nextID, n, a, bad))
				nextID++
			}
		}
		row.Published = len(arts)

		// Attest: weights frozen at the start of the phase, as on chain.
		cum := make([]uint64, cfg.Nodes)
		weight := make([]uint64, cfg.Nodes)
		var total uint64
		for n, r := range rep {
			weight[n] = uint64(max(r, 1)) // a zero score can still be drawn
			total += weight[n]
			cum[n] = total
		}
		seedR := roundSeed(cfg.Seed, round)
		votes := make([][]vote, len(arts))
		for i, a := range arts {
			for _, v := range assign(seedR, a.id, a.producer, cum, p.VerifiersPerArtifact) {
				att := aggregate.Attestation{Verifier: names[v], Weight: weight[v]}
				if v >= honest {
					att.Verdict, att.Quality = aggregate.VerdictValid, aggregate.PPM // collusion
				} else {
					res, err := nodes[v].Verify(ctx, a.art)
					if err != nil {
						return rpt, err
					}
					verdict, ok := aggregateVerdict(res.Verdict)
					if !ok {
						continue // nothing the chain would accept as an attestation
					}
					att.Verdict, att.Quality = verdict, uint32(min(res.Quality, engine.MaxPPM))
				}
				votes[i] = append(votes[i], vote{node: v, att: att})
			}
		}

		// Finalize.
		fin, err := finalize(arts, votes, rep, names, prevEMA, p)
		if err != nil {
			return rpt, fmt.Errorf("round %d: %w", row.Round, err)
		}
		field := weighted(fin.field, arts)
		if cfg.Trace != nil {
			cfg.Trace(RoundTrace{Round: row.Round, Candidates: fin.candidates, PrevEMA: prevEMA, Params: p.Field, Field: fin.field, Conditioned: field})
		}
		prevEMA = fin.field.EMA
		row.Field = len(fin.field.Entries)
		for i, j := range fin.judged {
			if j.verdict.Accepted {
				row.Accepted++
			}
			if j.outlier {
				row.Outliers++
			}
			if arts[i].poisoned {
				if !j.verdict.Accepted || j.outlier {
					row.Filtered++
				}
				if j.inField {
					row.PoisonedInField++
				}
			}
		}
		row.HonestReputation = mean(rep[:honest])
		row.AdversarialReputation = mean(rep[honest:])

		// Condition.
		for n := range isolated {
			out, err := solveBatch(isolated[n], batches[n][round])
			if err != nil {
				return rpt, err
			}
			own := make([]published, len(out))
			for i, a := range out {
				own[i] = newPublished(uint64(i+1), n, a, false)
			}
			f, err := trustedField(own, names, p, false)
			if err != nil {
				return rpt, err
			}
			if _, err := isolated[n].Condition(ctx, weighted(f, own)); err != nil {
				return rpt, err
			}
		}
		for _, e := range collective {
			cr, err := e.Condition(ctx, field)
			if err != nil {
				return rpt, err
			}
			if cr.Kept != "" {
				row.Kept++
			}
		}
		if naive != nil {
			f, err := trustedField(arts, names, p, true)
			if err != nil {
				return rpt, err
			}
			unverified := weighted(f, arts)
			for _, e := range naive {
				if err := e.ConditionUnverified(unverified); err != nil {
					return rpt, err
				}
			}
		}

		if row.Isolated, row.IsolatedPerNode, row.IsolatedCost, err = heldOutCost(isolated); err != nil {
			return rpt, err
		}
		if row.Collective, row.CollectivePerNode, row.CollectiveCost, err = heldOutCost(collective); err != nil {
			return rpt, err
		}
		for n := range row.CollectivePerNode {
			if row.CollectivePerNode[n] < row.IsolatedPerNode[n] {
				row.NodesBelow++
			}
		}
		if naive != nil {
			if row.Naive, err = heldOut(naive); err != nil {
				return rpt, err
			}
		}
		rpt.Rounds = append(rpt.Rounds, row)
		progress(fmt.Sprintf("round %d: isolated %d, collective %d, naive %d of %d; %d of %d nodes below their twin; %d published, %d accepted, %d outliers, field %d, kept by %d; %d poisoned, %d filtered; reputation honest %d adversarial %d ppm",
			row.Round, row.Isolated, row.Collective, row.Naive, rpt.HeldOutTotal, row.NodesBelow, honest, row.Published, row.Accepted, row.Outliers, row.Field, row.Kept,
			row.Poisoned, row.Filtered, row.HonestReputation, row.AdversarialReputation))
	}
	return rpt, nil
}

// partition deals the training tasks privately: a seeded shuffle dealt
// round-robin, batches[node][round].
func partition(train []Task, nodes, rounds int, seed uint64) [][][]Task {
	order := make([]int, len(train))
	for i := range order {
		order[i] = i
	}
	r := splitmix{s: seed}
	shuffle(len(order), &r, func(i, j int) { order[i], order[j] = order[j], order[i] })
	batches := make([][][]Task, nodes)
	for n := range batches {
		batches[n] = make([][]Task, rounds)
	}
	for k, i := range order {
		n := k % nodes
		round := (k / nodes) % rounds
		batches[n][round] = append(batches[n][round], train[i])
	}
	return batches
}

// splitmix is SplitMix64: a seeded, platform-independent shuffle.
type splitmix struct{ s uint64 }

func (r *splitmix) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// roundSeed stands in for the chain's seed from the block hash and round.
func roundSeed(seed uint64, round int) []byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], seed)
	binary.BigEndian.PutUint64(b[8:], uint64(round))
	sum := sha256.Sum256(append([]byte("h3lix/sim/seed/v1"), b[:]...))
	return sum[:]
}

// mean is the integer mean in ppm, 0 for no nodes.
func mean(scores []uint32) uint32 {
	if len(scores) == 0 {
		return 0
	}
	var s uint64
	for _, x := range scores {
		s += uint64(x)
	}
	return uint32(s / uint64(len(scores)))
}
