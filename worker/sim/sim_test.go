package sim_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/sim"
	"github.com/h3lix/h3lix/x/ccf/aggregate"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
)

// The engine's small tasks; they solve within the budget below in well
// under a second each.
const testdata = "../engine/pbe/testdata"

func tasks(t *testing.T) []sim.Task {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testdata, "*.sl"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var out []sim.Task
	for _, f := range files {
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		out = append(out, sim.Task{Name: filepath.Base(f), Spec: src})
	}
	return out
}

// Two small networks over two rounds. "lone" has one adversary among three
// nodes, dealt a task in each round, so it publishes both poisoned of poison;
// "colluding" has two adversaries among five that may verify each other.
func configs(t *testing.T) map[string]sim.Config {
	ts := tasks(t)
	base := sim.Config{Train: ts, HeldOut: ts[:3], Rounds: 2, Budget: 300_000, Seed: 5}
	lone, colluding := base, base
	lone.Nodes, lone.Adversarial = 3, 1
	colluding.Nodes, colluding.Adversarial = 5, 2
	return map[string]sim.Config{"lone": lone, "colluding": colluding}
}

type run struct {
	cfg    sim.Config
	report sim.Report
	traces []sim.RoundTrace
}

// The simulations are the slow part; the tests below share one run of each.
var (
	once   sync.Once
	runs   map[string]*run
	errRun error
)

func simulate(t *testing.T) map[string]*run {
	t.Helper()
	once.Do(func() {
		runs = map[string]*run{}
		for name, cfg := range configs(t) {
			r := &run{cfg: cfg}
			cfg.Trace = func(tr sim.RoundTrace) { r.traces = append(r.traces, tr) }
			r.report, errRun = sim.Simulate(context.Background(), cfg)
			if errRun != nil {
				return
			}
			runs[name] = r
		}
	})
	require.NoError(t, errRun)
	return runs
}

func TestAdversariesFiltered(t *testing.T) {
	for name, r := range simulate(t) {
		t.Run(name, func(t *testing.T) {
			rep := r.report
			require.Len(t, rep.Rounds, r.cfg.Rounds)
			require.Equal(t, r.cfg.Nodes-r.cfg.Adversarial, rep.HonestNodes)
			poisoned := 0
			for _, row := range rep.Rounds {
				t.Logf("%+v", row)
				poisoned += row.Poisoned
				require.Equal(t, row.Poisoned, row.Filtered, "round %d: every poisoned artifact is rejected or filtered", row.Round)
				require.Zero(t, row.PoisonedInField, "round %d: a poisoned artifact entered the field", row.Round)
				require.Equal(t, row.Published-row.Poisoned, row.Accepted, "round %d: every honest artifact is accepted", row.Round)
				require.Positive(t, row.Field, "round %d", row.Round)
				// Per node: the sums are the totals, and a node is below
				// its twin exactly when its count is.
				require.Len(t, row.IsolatedPerNode, rep.HonestNodes)
				require.Len(t, row.CollectivePerNode, rep.HonestNodes)
				iso, col, below := 0, 0, 0
				for n := range row.IsolatedPerNode {
					iso, col = iso+row.IsolatedPerNode[n], col+row.CollectivePerNode[n]
					if row.CollectivePerNode[n] < row.IsolatedPerNode[n] {
						below++
					}
				}
				require.Equal(t, row.Isolated, iso, "round %d", row.Round)
				require.Equal(t, row.Collective, col, "round %d", row.Round)
				require.Equal(t, below, row.NodesBelow, "round %d", row.Round)
			}
			require.GreaterOrEqual(t, poisoned, 2, "the test needs both poisoned of poison")
		})
	}
}

func TestAdversariesLoseReputation(t *testing.T) {
	start := sim.DefaultParams().InitialScorePPM
	for name, r := range simulate(t) {
		t.Run(name, func(t *testing.T) {
			for _, row := range r.report.Rounds {
				require.Less(t, row.AdversarialReputation, row.HonestReputation, "round %d", row.Round)
				// A round without poison (an adversary dealt no task)
				// is an honest round for it: its score may rise then.
				if row.Poisoned > 0 {
					require.Less(t, row.AdversarialReputation, start, "round %d", row.Round)
				}
				require.Greater(t, row.HonestReputation, start, "round %d", row.Round)
			}
		})
	}
}

// Everything but the measured energy and CPU time repeats exactly; the
// costs are measured for every group and round.
func TestDeterministic(t *testing.T) {
	r := simulate(t)["lone"]
	again, err := sim.Simulate(context.Background(), r.cfg)
	require.NoError(t, err)
	strip := func(rep sim.Report) sim.Report {
		rep.Rounds = append([]sim.Round(nil), rep.Rounds...)
		for i := range rep.Rounds {
			for _, c := range []*sim.Cost{&rep.Rounds[i].IsolatedCost, &rep.Rounds[i].CollectiveCost} {
				require.Positive(t, c.CPUSeconds, "round %d", rep.Rounds[i].Round)
				require.Positive(t, c.Joules, "round %d", rep.Rounds[i].Round)
				require.Positive(t, c.Candidates, "round %d", rep.Rounds[i].Round)
				c.Joules, c.CPUSeconds, c.JoulesPerSolved = 0, 0, 0
			}
		}
		return rep
	}
	require.Equal(t, strip(r.report), strip(again))
}

// TestFieldIsTheChains checks that the simulation weighs nothing privately:
// each round's field is what aggregate.BuildField gives on the same
// candidates with the chain's default parameters, and the collective nodes
// condition on exactly those entries and ppm weights.
func TestFieldIsTheChains(t *testing.T) {
	c := ccftypes.DefaultParams()
	chain := aggregate.FieldParams{
		MaxFieldSize: int(c.MaxFieldSize), MinSpreadPPM: c.MinSpreadPpm, EMABetaPPM: c.EmaBetaPpm,
	}
	for name, r := range simulate(t) {
		t.Run(name, func(t *testing.T) {
			require.Len(t, r.traces, r.cfg.Rounds)
			var prev []aggregate.DomainVector
			for _, tr := range r.traces {
				require.Equal(t, chain, tr.Params, "round %d", tr.Round)
				require.Equal(t, prev, tr.PrevEMA, "round %d: the EMA carries over from the previous field", tr.Round)
				want, err := aggregate.BuildField(tr.Candidates, tr.PrevEMA, chain)
				require.NoError(t, err)
				require.True(t, reflect.DeepEqual(want, tr.Field), "round %d: field differs from BuildField's", tr.Round)
				require.NotEmpty(t, want.Entries)
				require.Len(t, tr.Conditioned, len(want.Entries))
				for i, e := range want.Entries {
					sum := sha256.Sum256(tr.Conditioned[i].Artifact.Payload)
					require.Equal(t, e.CID, hex.EncodeToString(sum[:]), "round %d entry %d", tr.Round, i)
					require.EqualValues(t, e.WeightPPM, tr.Conditioned[i].Weight, "round %d entry %d", tr.Round, i)
				}
				prev = want.EMA
			}
		})
	}
}

// A wall-clock budget alone (the "1 s" column) runs, and the
// report says which budget it had.
func TestWallBudget(t *testing.T) {
	ts := tasks(t)
	rep, err := sim.Simulate(context.Background(), sim.Config{Train: ts[:2], HeldOut: ts[:2], Nodes: 2, Rounds: 1, Wall: 2 * time.Second, Seed: 5})
	require.NoError(t, err)
	require.Equal(t, "2s", rep.Timeout)
	require.Zero(t, rep.Candidates)
	require.Positive(t, rep.Rounds[0].Isolated, "the small tasks solve within 2 s")
}

func TestConfigErrors(t *testing.T) {
	for name, c := range map[string]struct {
		cfg  sim.Config
		want string
	}{
		"no nodes":          {sim.Config{Rounds: 1, Budget: 1}, "need nodes"},
		"no rounds":         {sim.Config{Nodes: 2, Budget: 1}, "rounds > 0"},
		"all adversarial":   {sim.Config{Nodes: 2, Rounds: 1, Budget: 1, Adversarial: 2}, "need nodes > adversarial"},
		"no verifiers":      {sim.Config{Nodes: 2, Rounds: 1, Budget: 1, Params: sim.Params{MaxFieldCandidates: 1, Field: aggregate.FieldParams{MaxFieldSize: 1}}}, "verifiers per artifact"},
		"negative attacker": {sim.Config{Nodes: 2, Rounds: 1, Budget: 1, Adversarial: -1}, "adversarial >= 0"},
		"no budget":         {sim.Config{Nodes: 2, Rounds: 1}, "need a positive candidate budget"},
		"negative budget":   {sim.Config{Nodes: 2, Rounds: 1, Budget: -1, Wall: time.Second}, "need a positive candidate budget"},
		"negative wall":     {sim.Config{Nodes: 2, Rounds: 1, Budget: 1, Wall: -time.Second}, "wall-clock budget"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := sim.Simulate(context.Background(), c.cfg)
			require.ErrorContains(t, err, c.want)
		})
	}
}
