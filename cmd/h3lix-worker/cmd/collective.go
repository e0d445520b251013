package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/h3lix/h3lix/worker/energy"
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
	"github.com/h3lix/h3lix/worker/engine/pbe/taskgen"
	"github.com/h3lix/h3lix/worker/sim"
)

func newBenchCollectiveCmd() *cobra.Command {
	var (
		cfg        sim.Config
		trainDir   string
		heldDir    string
		heldN      int
		adversarFr float64
		jsonPath   string
		overlap    bool
		seeds      int
	)
	c := &cobra.Command{
		Use:   "collective",
		Short: "Simulate nodes that learn from each other's artifacts",
		Long: `collective partitions the training tasks privately among simulated nodes.
Every round each node solves its next batch with a fixed candidate budget and
distils artifacts; the honest nodes verify each other's artifacts (k verifiers
per artifact, drawn as on chain) and the round is finalized with the chain's
own aggregation (x/ccf/aggregate: verdict, outlier filter, field, reputation
EMA, default params). Collective nodes condition on the field, isolated nodes
only on their own artifacts. After each round every honest node solves the
held-out tasks. With --adversarial, that share of nodes publishes poisoned
priors and programs with wrong check vectors and attests VALID on everything;
a third group merges, unverified, the field the chain would build without
attestations, to show what verification filters out.

The held-out rates are out of sample only if no held-out task shares an
input/output example with a training task; collective refuses to run
otherwise, unless --allow-overlap (the report then says in-sample).

The collective nodes all condition on the same field, so one run is one draw
of the collective's rate. --seeds N runs N partitions (seeds --seed ...
--seed+N-1) and prints, per round, the mean rates and the smallest and
largest gain over the runs; --json then holds every run and the summary.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// Flags first, so that a typo fails at once and by its flag's
			// name, not after loading the tasks or as a rule of sim.Config.
			if err := collectiveFlags(cfg, adversarFr, heldN, seeds); err != nil {
				return err
			}
			train, err := simTasks(trainDir, 0)
			if err != nil {
				return err
			}
			held, err := simTasks(heldDir, heldN)
			if err != nil {
				return err
			}
			sample, err := simSample(train, held, overlap, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			cfg.Train, cfg.HeldOut = train, held
			cfg.Adversarial = int(adversarFr*float64(cfg.Nodes) + 0.5)
			cfg.Progress = func(s string) { fmt.Fprintln(cmd.ErrOrStderr(), s) }
			meter, why := energy.NewMeter(0, 0, 0, energy.LinuxPaths)
			cfg.Meter = meter
			fmt.Fprintf(cmd.ErrOrStderr(), "energy of the held-out solves: %s\n", why)
			if seeds > 1 {
				return simulateSeeds(cmd, cfg, seeds, sample, jsonPath)
			}
			rep, err := sim.Simulate(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			rep.Sample = sample
			total := rep.HeldOutTotal
			pct := func(n int) string { return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(max(total, 1))) }
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintf(w, "nodes %d (%d adversarial), %d training tasks, %d held-out (%s), %s per task, %s\n",
				cfg.Nodes, cfg.Adversarial, len(train), len(held), sample, budgetLabel(cfg), setupLabel(cfg))
			fmt.Fprintf(w, "round 0 (uniform prior): %s of held-out solved per node\n", pct(rep.BaselineTotal))
			fmt.Fprintln(w, "round\tisolated\tcollective\tnaive (no verification)\tpublished\taccepted\toutliers\tfield\tpoisoned\tfiltered\treputation honest\treputation adversarial\tmJ/solved isolated\tmJ/solved collective\tcandidates/solved isolated\tcandidates/solved collective\tnodes below twin")
			score := func(ppm uint32) string { return fmt.Sprintf("%.3f", float64(ppm)/1e6) }
			for _, r := range rep.Rounds {
				naive, adv := "-", "-"
				if cfg.Adversarial > 0 {
					naive, adv = pct(r.Naive), score(r.AdversarialReputation)
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%.1f\t%.1f\t%.0f\t%.0f\t%d of %d\n", r.Round, pct(r.Isolated), pct(r.Collective), naive,
					r.Published, r.Accepted, r.Outliers, r.Field, r.Poisoned, r.Filtered, score(r.HonestReputation), adv,
					1000*r.IsolatedCost.JoulesPerSolved, 1000*r.CollectiveCost.JoulesPerSolved, r.IsolatedCost.CandidatesPerSolved, r.CollectiveCost.CandidatesPerSolved,
					r.NodesBelow, rep.HonestNodes)
			}
			w.Flush()
			if jsonPath != "" {
				b, _ := json.MarshalIndent(rep, "", "  ")
				return os.WriteFile(jsonPath, append(b, '\n'), 0o644)
			}
			return nil
		},
	}
	c.Flags().IntVar(&cfg.Nodes, "nodes", 8, "simulated nodes")
	c.Flags().IntVar(&cfg.Rounds, "rounds", 5, "rounds")
	c.Flags().Int64Var(&cfg.Budget, "candidates", 10_000, "candidate budget per task (deterministic); 0 with --timeout: time only")
	c.Flags().DurationVar(&cfg.Wall, "timeout", 0, "wall-clock budget per task as well, e.g. 1s (the counts then depend on the machine and its load)")
	c.Flags().BoolVar(&cfg.NoGuard, "no-guard", false, "turn off the engines' guard: every node adopts every update it verifies (for comparison)")
	c.Flags().Float64Var(&adversarFr, "adversarial", 0, "share of nodes that publish poisoned artifacts, e.g. 0.25")
	c.Flags().Uint64Var(&cfg.Seed, "seed", 1, "seed of the partition and check vectors")
	c.Flags().StringVar(&trainDir, "train", "../shared/bench/sygus-pbe/euphony-train", "directory of training tasks, partitioned among nodes")
	c.Flags().StringVar(&heldDir, "held-out", "../shared/bench/sygus-pbe/sygus2018", "directory of held-out tasks")
	c.Flags().IntVar(&heldN, "held-out-n", 0, "use every k-th held-out task so that about this many remain (0 = all)")
	c.Flags().IntVar(&cfg.Interests, "interests", 0, "personal nodes: each owner works on this many task families, shared in a ring (two owners per family), and each node is judged on its own families' held-out tasks; 0 = one shared distribution")
	c.Flags().BoolVar(&cfg.Relevance, "relevance", false, "weigh each verified artifact of the field by its use on the node's own tasks")
	c.Flags().StringVar(&jsonPath, "json", "", "write the per-round results as JSON")
	c.Flags().BoolVar(&overlap, "allow-overlap", false, "run even when training and held-out tasks share examples, and label the report in-sample")
	c.Flags().IntVar(&seeds, "seeds", 1, "runs with seeds --seed, --seed+1, ...; more than 1 prints the mean and the range of the gain per round")
	return c
}

// collectiveFlags checks bench collective's numeric flags.
func collectiveFlags(cfg sim.Config, adversarial float64, heldN, seeds int) error {
	switch {
	case cfg.Nodes < 1:
		return fmt.Errorf("--nodes %d: want at least 1", cfg.Nodes)
	case cfg.Rounds < 1:
		return fmt.Errorf("--rounds %d: want at least 1", cfg.Rounds)
	case seeds < 1:
		return fmt.Errorf("--seeds %d: want at least 1", seeds)
	case cfg.Budget < 0:
		return fmt.Errorf("--candidates %d: want a positive budget, or 0 with --timeout", cfg.Budget)
	case cfg.Wall < 0:
		return fmt.Errorf("--timeout %s: want a positive duration, or 0 for none", cfg.Wall)
	case cfg.Budget == 0 && cfg.Wall == 0:
		return fmt.Errorf("--candidates 0 needs a --timeout: a search with neither budget would not stop")
	case heldN < 0:
		return fmt.Errorf("--held-out-n %d: want 0 (all held-out tasks) or a positive count", heldN)
	case cfg.Interests < 0:
		return fmt.Errorf("--interests %d: want 0 (one shared distribution) or a positive number of families", cfg.Interests)
	case !(adversarial >= 0 && adversarial < 1): // also refuses NaN
		return fmt.Errorf("--adversarial %v: want a share of the nodes in [0, 1), e.g. 0.25", adversarial)
	}
	if n := int(adversarial*float64(cfg.Nodes) + 0.5); n >= cfg.Nodes {
		return fmt.Errorf("--adversarial %v of %d nodes makes every node an adversary: lower it or add --nodes", adversarial, cfg.Nodes)
	}
	return nil
}

// budgetLabel says what each task may spend.
func budgetLabel(cfg sim.Config) string {
	switch {
	case cfg.Wall > 0 && cfg.Budget > 0:
		return fmt.Sprintf("%d candidates or %s (timed: not deterministic)", cfg.Budget, cfg.Wall)
	case cfg.Wall > 0:
		return fmt.Sprintf("%s (timed: not deterministic)", cfg.Wall)
	}
	return fmt.Sprintf("%d candidates", cfg.Budget)
}

// setupLabel says whether the engines guard their updates and weigh
// relevance, and how tasks are dealt.
func setupLabel(cfg sim.Config) string {
	l := "guard on"
	if cfg.NoGuard {
		l = "no guard"
	}
	if cfg.Relevance {
		l += ", relevance-weighted"
	}
	if cfg.Interests > 0 {
		l += fmt.Sprintf(", personal (%d families per node, judged on its own)", cfg.Interests)
	}
	return l
}

// seedsReport is --json with --seeds N > 1.
type seedsReport struct {
	Sample  string         `json:"sample"`
	Runs    []sim.Report   `json:"runs"`
	Summary []seedsSummary `json:"summary"`
}

// seedsSummary is one round over the runs, in percent of held-out solves.
type seedsSummary struct {
	Round      int     `json:"round"`
	Isolated   float64 `json:"isolated_pct"`
	Collective float64 `json:"collective_pct"`
	GainMean   float64 `json:"gain_mean_points"`
	GainMin    float64 `json:"gain_min_points"`
	GainMax    float64 `json:"gain_max_points"`
	BelowTwin  int     `json:"runs_below_isolated"`
	// NodesBelow counts, over the runs, the honest nodes below their own
	// isolated twin, out of Nodes (runs × honest nodes).
	NodesBelow int `json:"nodes_below_twin"`
	Nodes      int `json:"nodes"`
}

func simulateSeeds(cmd *cobra.Command, cfg sim.Config, n int, sample, jsonPath string) error {
	out := seedsReport{Sample: sample}
	first := cfg.Seed
	for k := 0; k < n; k++ {
		cfg.Seed = first + uint64(k)
		fmt.Fprintf(cmd.ErrOrStderr(), "run %d/%d: seed %d\n", k+1, n, cfg.Seed)
		rep, err := sim.Simulate(cmd.Context(), cfg)
		if err != nil {
			return err
		}
		rep.Sample = sample
		out.Runs = append(out.Runs, rep)
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "nodes %d (%d adversarial), %d training tasks, %d held-out (%s), %s per task, %s, seeds %d..%d\n",
		cfg.Nodes, cfg.Adversarial, len(cfg.Train), len(cfg.HeldOut), sample, budgetLabel(cfg), setupLabel(cfg), first, first+uint64(n)-1)
	fmt.Fprintln(w, "round\tisolated (mean)\tcollective (mean)\tgain mean\tgain min\tgain max\truns below isolated\tnodes below their twin")
	for r := range out.Runs[0].Rounds {
		s := seedsSummary{Round: r + 1, GainMin: math.Inf(1), GainMax: math.Inf(-1)}
		for _, rep := range out.Runs {
			total := float64(max(rep.HeldOutTotal, 1))
			iso, col := 100*float64(rep.Rounds[r].Isolated)/total, 100*float64(rep.Rounds[r].Collective)/total
			s.Isolated += iso / float64(n)
			s.Collective += col / float64(n)
			s.GainMin, s.GainMax = min(s.GainMin, col-iso), max(s.GainMax, col-iso)
			if col < iso {
				s.BelowTwin++
			}
			s.NodesBelow += rep.Rounds[r].NodesBelow
			s.Nodes += rep.HonestNodes
		}
		s.GainMean = s.Collective - s.Isolated
		out.Summary = append(out.Summary, s)
		fmt.Fprintf(w, "%d\t%.1f%%\t%.1f%%\t%+.1f\t%+.1f\t%+.1f\t%d of %d\t%d of %d\n", s.Round, s.Isolated, s.Collective, s.GainMean, s.GainMin, s.GainMax, s.BelowTwin, n, s.NodesBelow, s.Nodes)
	}
	w.Flush()
	if jsonPath != "" {
		b, _ := json.MarshalIndent(out, "", "  ")
		return os.WriteFile(jsonPath, append(b, '\n'), 0o644)
	}
	return nil
}

// simSample checks that the training and held-out tasks share no example.
func simSample(train, held []sim.Task, allowOverlap bool, stderr io.Writer) (string, error) {
	parse := func(ts []sim.Task) []sygus.Named {
		out := make([]sygus.Named, len(ts))
		for i, t := range ts {
			out[i].Name = t.Name
			out[i].P, _ = sygus.Parse(string(t.Spec))
		}
		return out
	}
	pairs := sygus.SharedExamples(parse(held), parse(train))
	switch {
	case len(pairs) > 0 && !allowOverlap:
		return "", errOverlap("held-out and training tasks", pairs)
	case len(pairs) > 0:
		fmt.Fprintf(stderr, "warning: held-out and training tasks share examples (%s): the held-out rates are in-sample\n", pairs[0])
		return sampleIn, nil
	}
	return sampleOut, nil
}

func simTasks(dir string, n int) ([]sim.Task, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sl"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .sl tasks in %s (the benchmark set is not part of the repository; pass --train/--held-out)", dir)
	}
	step := 1
	if n > 0 && len(files) > n {
		step = len(files) / n
	}
	var out []sim.Task
	for i := 0; i < len(files); i += step {
		src, err := os.ReadFile(files[i])
		if err != nil {
			return nil, err
		}
		name := filepath.Base(files[i])
		fam, ok := taskgen.FamilyOf(name)
		if !ok {
			fam = family(name)
		}
		out = append(out, sim.Task{Name: name, Spec: src, Family: fam})
	}
	return out, nil
}
