package cmd

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/h3lix/h3lix/worker/engine/pbe"
)

// synthFlags are the search settings shared by solve, learn and bench.
type synthFlags struct {
	timeout    time.Duration
	candidates int64
	prior      string
	jit        bool
	library    int
	memMiB     int64
}

func (f *synthFlags) register(c *cobra.Command, timeout time.Duration) {
	c.Flags().DurationVar(&f.timeout, "timeout", timeout, "wall-clock budget per task")
	c.Flags().Int64Var(&f.candidates, "candidates", 0, "candidate budget per task (0 = unbounded); with it results are reproducible")
	c.Flags().StringVar(&f.prior, "prior", "", "prior.json learned by 'pbe learn' (default: uniform)")
	c.Flags().BoolVar(&f.jit, "jit", false, "just-in-time (Probe) updates of the grammar from partial solutions, after 200k candidates (measured in docs/pbe-engine.md)")
	c.Flags().IntVar(&f.library, "library", 24, "library programs of the prior offered as leaves (negative: none)")
	c.Flags().Int64Var(&f.memMiB, "mem", pbe.DefaultMemBudget>>20, "memory budget of one search in MiB (estimated peak resident size); the search stops when its program bank reaches it")
}

func (f *synthFlags) options() (pbe.Options, error) {
	if f.memMiB <= 0 {
		return pbe.Options{}, fmt.Errorf("--mem must be positive, got %d", f.memMiB)
	}
	opts := pbe.Options{JIT: f.jit, Library: f.library, MemBudget: f.memMiB << 20}
	if f.prior != "" {
		pr, err := readPrior(f.prior)
		if err != nil {
			return opts, err
		}
		opts.Prior = pr
	}
	return opts, nil
}

func (f *synthFlags) limits() pbe.Limits {
	return pbe.Limits{Candidates: f.candidates, Wall: f.timeout}
}

func readPrior(path string) (*pbe.Prior, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pr, err := pbe.DecodePrior(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pr, nil
}

func newSolveCmd() *cobra.Command {
	var f synthFlags
	c := &cobra.Command{
		Use:   "solve FILE.sl",
		Short: "Solve one SyGuS PBE problem and print the answer in competition format",
		Long: `solve reads a SyGuS v1 or v2 problem, synthesizes a function satisfying
all its constraints and prints (define-fun ...) on stdout, or (fail) when the
budget runs out. A malformed problem is an error (non-zero exit).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			opts, err := f.options()
			if err != nil {
				return err
			}
			p, out, err := pbe.SolveFile(cmd.Context(), src, opts, f.limits())
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if !out.Solved {
				fmt.Fprintln(cmd.OutOrStdout(), "(fail)")
				fmt.Fprintf(cmd.ErrOrStderr(), "%s: unsolved after %d candidates in %s: %s\n", args[0], out.Stats.Candidates, out.Stats.Elapsed.Round(time.Millisecond), out.Reason)
				return nil
			}
			fmt.Fprintln(cmd.OutOrStdout(), p.DefineFun(out.Term))
			return nil
		},
	}
	f.register(c, 10*time.Second)
	return c
}
