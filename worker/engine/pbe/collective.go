package pbe

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/h3lix/h3lix/worker/engine"
)

// SimTask is a task of the collective simulation.
type SimTask struct {
	Name string
	Spec []byte
}

// SimConfig configures Simulate.
type SimConfig struct {
	Train   []SimTask // partitioned privately among the nodes
	HeldOut []SimTask // solved by every node after every round
	Nodes   int
	Rounds  int
	// Budget is the candidate budget per task; candidate budgets keep the
	// simulation deterministic.
	Budget int64
	// Adversarial is how many of the nodes publish poisoned artifacts.
	Adversarial int
	Seed        uint64
	// Progress, if set, receives one line per finished step.
	Progress func(string)
}

// SimRound is one row of the result.
type SimRound struct {
	Round int `json:"round"`
	// Held-out tasks solved, summed over the honest nodes of each group.
	Isolated   int `json:"isolated"`
	Collective int `json:"collective"`
	// Naive is the collective group merging the field without verifying it
	// (only with adversaries).
	Naive     int `json:"naive,omitempty"`
	Published int `json:"published"`
	Accepted  int `json:"accepted"` // by a verifying node, of Published
	Poisoned  int `json:"poisoned"`
	Filtered  int `json:"filtered"` // poisoned artifacts rejected by verification
}

// SimReport is the outcome of Simulate.
type SimReport struct {
	HonestNodes int        `json:"honest_nodes"`
	HeldOut     int        `json:"held_out"`
	Rounds      []SimRound `json:"rounds"`
	Baseline    int        `json:"baseline"` // held-out solved per node before any round (uniform prior)
}

// Simulate runs the collective experiment of issue 4 §7: every round each
// node solves its next private batch, distils artifacts, the artifacts of
// all nodes form a field weighted by confidence, and collective nodes
// condition on it while isolated nodes condition on their own artifacts
// only. After each round every honest node solves the held-out tasks.
func Simulate(ctx context.Context, cfg SimConfig) (SimReport, error) {
	if cfg.Nodes <= 0 || cfg.Rounds <= 0 || cfg.Adversarial >= cfg.Nodes {
		return SimReport{}, fmt.Errorf("simulate: need nodes > adversarial >= 0 and rounds > 0")
	}
	progress := cfg.Progress
	if progress == nil {
		progress = func(string) {}
	}
	// Private partition: a seeded shuffle dealt round-robin.
	order := make([]int, len(cfg.Train))
	for i := range order {
		order[i] = i
	}
	r := rng{s: cfg.Seed}
	for i := len(order) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		order[i], order[j] = order[j], order[i]
	}
	batches := make([][][]SimTask, cfg.Nodes) // [node][round]
	for n := range batches {
		batches[n] = make([][]SimTask, cfg.Rounds)
	}
	for k, i := range order {
		n := k % cfg.Nodes
		round := (k / cfg.Nodes) % cfg.Rounds
		batches[n][round] = append(batches[n][round], cfg.Train[i])
	}
	honest := cfg.Nodes - cfg.Adversarial
	seed := func(n int) uint64 { return cfg.Seed*1000 + uint64(n) }
	isolated := make([]*Engine, honest)
	collective := make([]*Engine, honest)
	var naive []*Engine
	producers := make([]*Engine, cfg.Nodes) // the nodes that publish: collective honest + adversaries
	for n := 0; n < cfg.Nodes; n++ {
		if n < honest {
			isolated[n] = New(Options{}, seed(n))
			collective[n] = New(Options{}, seed(n))
			producers[n] = collective[n]
		} else {
			producers[n] = New(Options{}, seed(n))
		}
	}
	if cfg.Adversarial > 0 {
		naive = make([]*Engine, honest)
		for n := range naive {
			naive[n] = New(Options{}, seed(n))
		}
	}
	budget := engine.Budget{Candidates: cfg.Budget, Seed: cfg.Seed}
	heldOut := func(es []*Engine) (int, error) {
		total := 0
		for _, e := range es {
			for _, t := range cfg.HeldOut {
				res, err := e.Solve(ctx, engine.Task{ID: t.Name, Spec: t.Spec}, budget)
				if err != nil {
					continue // unsupported held-out task: counts as unsolved
				}
				if res.Solved {
					total++
				}
			}
		}
		return total, ctx.Err()
	}
	rep := SimReport{HonestNodes: honest, HeldOut: len(cfg.HeldOut)}
	base, err := heldOut(isolated[:1])
	if err != nil {
		return rep, err
	}
	rep.Baseline = base
	solveBatch := func(e *Engine, tasks []SimTask) ([]engine.Artifact, error) {
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
	for round := 0; round < cfg.Rounds; round++ {
		row := SimRound{Round: round + 1}
		var field []engine.WeightedArtifact
		poisoned := map[string]bool{}
		for n, e := range producers {
			arts, err := solveBatch(e, batches[n][round])
			if err != nil {
				return rep, err
			}
			for _, a := range arts {
				if n >= honest {
					a = poison(a, len(field))
					poisoned[string(a.Payload)] = true
					row.Poisoned++
				}
				field = append(field, engine.WeightedArtifact{Artifact: a, Weight: a.Manifest.Confidence})
			}
		}
		row.Published = len(field)
		normalize(field)
		for n := 0; n < honest; n++ {
			arts, err := solveBatch(isolated[n], batches[n][round])
			if err != nil {
				return rep, err
			}
			own := make([]engine.WeightedArtifact, len(arts))
			for i, a := range arts {
				own[i] = engine.WeightedArtifact{Artifact: a, Weight: a.Manifest.Confidence}
			}
			normalize(own)
			if _, err := isolated[n].Condition(ctx, own); err != nil {
				return rep, err
			}
		}
		for n, e := range collective {
			cr, err := e.Condition(ctx, field)
			if err != nil {
				return rep, err
			}
			if n == 0 {
				row.Accepted = cr.Accepted
			}
		}
		for _, w := range field {
			if poisoned[string(w.Artifact.Payload)] {
				if v, _ := collective[0].Verify(ctx, w.Artifact); v.Verdict != engine.VerdictValid {
					row.Filtered++
				}
			}
		}
		for _, e := range naive {
			if err := e.conditionUnverified(field); err != nil {
				return rep, err
			}
		}
		if row.Isolated, err = heldOut(isolated); err != nil {
			return rep, err
		}
		if row.Collective, err = heldOut(collective); err != nil {
			return rep, err
		}
		if naive != nil {
			if row.Naive, err = heldOut(naive); err != nil {
				return rep, err
			}
		}
		rep.Rounds = append(rep.Rounds, row)
		progress(fmt.Sprintf("round %d: isolated %d, collective %d, naive %d of %d; field %d artifacts, %d poisoned, %d filtered",
			row.Round, row.Isolated, row.Collective, row.Naive, honest*len(cfg.HeldOut), row.Published, row.Poisoned, row.Filtered))
	}
	return rep, nil
}

// normalize scales weights to sum to one million (ppm), as the chain does.
func normalize(field []engine.WeightedArtifact) {
	var total int64
	for _, w := range field {
		total += int64(w.Weight)
	}
	if total == 0 {
		return
	}
	for i := range field {
		field[i].Weight = engine.PPM(int64(field[i].Weight) * 1_000_000 / total)
	}
}

// poison turns an honest artifact into an attack: alternately a prior
// delta that pushes rarely useful operators, and a program whose check
// vectors claim outputs it does not compute. The manifest is recomputed so
// only content checks can catch it.
func poison(a engine.Artifact, k int) engine.Artifact {
	var p Payload
	if err := json.Unmarshal(a.Payload, &p); err != nil {
		return a
	}
	if k%2 == 0 {
		// As if thousands of tasks had used operators that rarely help.
		for _, op := range []string{"str.to_int", "str.from_int", "-", "str.at"} {
			p.PriorDelta.Ops[op] += 5000 * milli
		}
	} else {
		// A junk program that keeps the honest program's check vectors,
		// with the delta it implies, so only re-running the checks shows it.
		junk := map[string]string{"String": `""`, "Int": "0", "Bool": "false"}[p.Ret]
		t, err := ParseCanonical(junk, p.Params, p.Ret)
		if err != nil {
			return a
		}
		p.Program = Canonical(t)
		p.PriorDelta = deltaOf(t)
	}
	out, err := artifactOf(&p, engine.MaxPPM)
	if err != nil {
		return a
	}
	return out
}

// conditionUnverified merges a field without verifying it: the baseline
// that shows what verification buys. Payloads that do not decode are
// skipped.
func (e *Engine) conditionUnverified(field []engine.WeightedArtifact) error {
	ws := []Weighted{{e.Prior(), 1_000_000}}
	n := int64(len(field))
	var total int64
	for _, w := range field {
		total += int64(w.Weight)
	}
	for _, w := range field {
		var p Payload
		if json.Unmarshal(w.Artifact.Payload, &p) != nil || total == 0 {
			continue
		}
		weight := max(1, min(1_000_000, int64(w.Weight)*n*1_000_000/total))
		ws = append(ws, Weighted{p.Prior(), weight})
	}
	m, err := Merge(ws)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.prior = m
	e.mu.Unlock()
	return nil
}
