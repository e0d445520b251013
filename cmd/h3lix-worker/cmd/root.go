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
		Long: `h3lix-worker runs a personal inference engine and takes part in the H3LIX
network: it solves your own tasks locally, distils what it learned into
artifacts stored in IPFS and committed on chain, verifies other workers'
artifacts, and conditions its engine on each round's Collective Context Field.
The embedded engine is a programming-by-example synthesizer for SyGuS string
tasks; it needs no model weights.

Start with: init, register, run (see 'h3lix-worker init --help').`,
		SilenceUsage: true,
	}
	root.PersistentFlags().String(flagHome, defaultHome(), "worker home: config.toml, node_key.json and data/ (env H3LIX_WORKER_HOME)")
	root.AddCommand(newInitCmd(), newRegisterCmd(), newRunCmd(), newStatusCmd(), newIPFSCmd(),
		newSolveCmd(), newPBECmd(), newBenchCmd(), newTasksCmd())
	return root
}
