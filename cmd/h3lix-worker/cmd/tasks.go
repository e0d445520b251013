package cmd

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/h3lix/h3lix/worker/engine/pbe/taskgen"
)

func newTasksCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "tasks",
		Short: "Private tasks for the embedded engine, generated from a seed",
	}
	c.AddCommand(newTasksGenCmd())
	return c
}

func newTasksGenCmd() *cobra.Command {
	var (
		seed  uint64
		count int
		out   string
	)
	c := &cobra.Command{
		Use:   "gen --seed N --count K --out DIR",
		Short: "Write K generated SyGuS PBE tasks into DIR",
		Long: `gen makes SyGuS PBE string tasks from a seed: random programs of realistic
spreadsheet families (names, emails, dates, phone numbers, product codes, file
names...) applied to random inputs, with outputs computed by the engine's own
evaluator. The same seed always gives the same files, and a node's seed is its
private task set, so there is no default: pick one per node. Existing files are
never overwritten.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if count <= 0 {
				return fmt.Errorf("--count must be positive, got %d", count)
			}
			tasks, err := taskgen.Generate(seed, count, taskgen.Options{})
			if err != nil {
				return err
			}
			if err := taskgen.WriteDir(out, tasks); err != nil {
				return err
			}
			for _, name := range taskgen.FileNames(tasks) {
				fmt.Fprintln(cmd.OutOrStdout(), filepath.Join(out, name))
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d tasks (seed %d) to %s\n", len(tasks), seed, out)
			return nil
		},
	}
	c.Flags().Uint64Var(&seed, "seed", 0, "seed of the task set (required)")
	c.Flags().IntVar(&count, "count", 20, "number of tasks")
	c.Flags().StringVar(&out, "out", "", "directory to write the .sl files into (created if needed)")
	_ = c.MarkFlagRequired("seed")
	_ = c.MarkFlagRequired("out")
	return c
}
