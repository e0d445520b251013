package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/h3lix/h3lix/worker/engine/pbe"
)

func newBenchCollectiveCmd() *cobra.Command {
	var (
		cfg        pbe.SimConfig
		trainDir   string
		heldDir    string
		heldN      int
		adversarFr float64
		jsonPath   string
	)
	c := &cobra.Command{
		Use:   "collective",
		Short: "Simulate nodes that learn from each other's artifacts",
		Long: `collective partitions the training tasks privately among simulated nodes.
Every round each node solves its next batch with a fixed candidate budget and
distils artifacts; the artifacts of all nodes form a field (weights by
confidence); collective nodes condition on the field, isolated nodes only on
their own artifacts. After each round every honest node solves the held-out
tasks. With --adversarial, that share of nodes publishes poisoned priors and
programs with wrong check vectors; a third group merges the field without
verification to show what verification filters out.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			train, err := simTasks(trainDir, 0)
			if err != nil {
				return err
			}
			held, err := simTasks(heldDir, heldN)
			if err != nil {
				return err
			}
			cfg.Train, cfg.HeldOut = train, held
			cfg.Adversarial = int(adversarFr*float64(cfg.Nodes) + 0.5)
			cfg.Progress = func(s string) { fmt.Fprintln(cmd.ErrOrStderr(), s) }
			rep, err := pbe.Simulate(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			total := rep.HonestNodes * rep.HeldOut
			pct := func(n int) string { return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(max(total, 1))) }
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintf(w, "nodes %d (%d adversarial), %d training tasks, %d held-out, %d candidates per task\n",
				cfg.Nodes, cfg.Adversarial, len(train), len(held), cfg.Budget)
			fmt.Fprintf(w, "round 0 (uniform prior): %s of held-out solved per node\n", pct(rep.Baseline*rep.HonestNodes))
			fmt.Fprintln(w, "round\tisolated\tcollective\tnaive (no verification)\tfield\tpoisoned\tfiltered")
			for _, r := range rep.Rounds {
				naive := "-"
				if cfg.Adversarial > 0 {
					naive = pct(r.Naive)
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%d\t%d\n", r.Round, pct(r.Isolated), pct(r.Collective), naive, r.Published, r.Poisoned, r.Filtered)
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
	c.Flags().Int64Var(&cfg.Budget, "candidates", 10_000, "candidate budget per task (deterministic)")
	c.Flags().Float64Var(&adversarFr, "adversarial", 0, "share of nodes that publish poisoned artifacts, e.g. 0.25")
	c.Flags().Uint64Var(&cfg.Seed, "seed", 1, "seed of the partition and check vectors")
	c.Flags().StringVar(&trainDir, "train", "../shared/bench/sygus-pbe/euphony-train", "directory of training tasks, partitioned among nodes")
	c.Flags().StringVar(&heldDir, "held-out", "../shared/bench/sygus-pbe/sygus2018", "directory of held-out tasks")
	c.Flags().IntVar(&heldN, "held-out-n", 0, "use every k-th held-out task so that about this many remain (0 = all)")
	c.Flags().StringVar(&jsonPath, "json", "", "write the per-round results as JSON")
	return c
}

func simTasks(dir string, n int) ([]pbe.SimTask, error) {
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
	var out []pbe.SimTask
	for i := 0; i < len(files); i += step {
		src, err := os.ReadFile(files[i])
		if err != nil {
			return nil, err
		}
		out = append(out, pbe.SimTask{Name: filepath.Base(files[i]), Spec: src})
	}
	return out, nil
}
