// Package cmd holds the cobra commands of h3lix-worker. NewRootCmd builds
// the tree; each subcommand lives in its own file.
package cmd

import (
	"github.com/spf13/cobra"
)

// NewRootCmd returns the root command with every subcommand attached.
func NewRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "h3lix-worker",
		Short: "H3LIX worker: local inference, artifacts and verification",
		Long: `h3lix-worker runs a personal inference engine. The embedded engine is a
programming-by-example synthesizer for SyGuS string tasks; it needs no model
weights.`,
		SilenceUsage: true,
	}
	root.AddCommand(newSolveCmd(), newPBECmd(), newBenchCmd(), newTasksCmd())
	return root
}
