package cmd

import (
	"context"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/h3lix/h3lix/worker/engine/pbe"
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

func newPBECmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "pbe",
		Short: "Tools of the embedded programming-by-example engine",
	}
	c.AddCommand(newLearnCmd())
	return c
}

// task is one .sl file of a task directory.
type task struct {
	name string
	path string
	src  []byte
	hash string
	p    *sygus.Problem
	err  error
}

// loadTasks reads every .sl file of dir in name order.
func loadTasks(dir string) ([]*task, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sl"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .sl files in %s", dir)
	}
	sort.Strings(files)
	var out []*task
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(src)
		t := &task{name: filepath.Base(f), path: f, src: src, hash: hex.EncodeToString(sum[:])}
		t.p, t.err = sygus.Parse(string(src))
		out = append(out, t)
	}
	return out, nil
}

func newLearnCmd() *cobra.Command {
	var (
		f       synthFlags
		dir     string
		outPath string
		useRef  bool
		seed    uint64
		epsilon float64
		dpSeed  uint64
	)
	c := &cobra.Command{
		Use:   "learn --tasks DIR --out prior.json",
		Short: "Learn a grammar prior and program library from solved tasks",
		Long: `learn solves every task of DIR (or takes the reference solution a task file
ends with, as the Euphony benchmarks do) and writes the production counts,
constant counts and library of verified sub-programs as a canonical prior.
Constants that overlap the tasks' example strings are kept as typed holes, so
the prior holds none of them.

With --epsilon E the prior is released with E-differential privacy per task
(Laplace noise on the production and constant counts; no context counts and
no library, see docs/pbe-engine.md). The noise is drawn from the operating
system's randomness; --dp-seed fixes it for experiments, and a prior
released with a known seed is not private.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := f.options()
			if err != nil {
				return err
			}
			tasks, err := loadTasks(dir)
			if err != nil {
				return err
			}
			solved, refs, found := learnSet(cmd.Context(), tasks, opts, f.limits(), useRef, cmd)
			var pr *pbe.Prior
			switch {
			case cmd.Flags().Changed("epsilon"):
				var milli uint32 // inf: the private format without noise, to measure the format's own cost
				switch {
				case math.IsInf(epsilon, 1):
				case epsilon >= 0.001 && epsilon <= 1000:
					milli = uint32(math.Round(epsilon * 1000))
				default:
					return fmt.Errorf("--epsilon %v: want a privacy budget in [0.001, 1000], e.g. 1 or 4 (or inf for the private format without noise)", epsilon)
				}
				pr, err = pbe.LearnPrivate(solved, milli, dpNoise(dpSeed, cmd.Flags().Changed("dp-seed")))
			default:
				pr, err = pbe.Learn(solved, seed)
			}
			if err != nil {
				return err
			}
			b, err := pr.Encode()
			if err != nil {
				return err
			}
			if err := os.WriteFile(outPath, append(b, '\n'), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "learned from %d of %d tasks (%d reference solutions, %d solved); %d library programs -> %s\n",
				len(solved), len(tasks), refs, found, len(pr.Library), outPath)
			if cmd.Flags().Changed("epsilon") {
				fmt.Fprintf(cmd.ErrOrStderr(), "released with ε = %v (Laplace noise of scale %.3g tasks per count; no context counts, no library); %d production and %d constant counts\n",
					epsilon, 2/epsilon, len(pr.Ops), len(pr.Consts))
			}
			return nil
		},
	}
	f.register(c, time.Second)
	c.Flags().StringVar(&dir, "tasks", "", "directory of .sl tasks")
	c.Flags().StringVar(&outPath, "out", "prior.json", "where to write the prior")
	c.Flags().BoolVar(&useRef, "use-reference", true, "use a reference solution given after (check-synth) instead of solving")
	c.Flags().Uint64Var(&seed, "seed", 1, "seed of the generated check vectors")
	c.Flags().Float64Var(&epsilon, "epsilon", 0, "release the prior with this differential-privacy ε (e.g. 1 or 4)")
	c.Flags().Uint64Var(&dpSeed, "dp-seed", 0, "fix the privacy noise (experiments only: a prior with a known seed is not private)")
	_ = c.MarkFlagRequired("tasks")
	return c
}

// dpNoise is the noise source of a private prior: the operating system's
// randomness, or a fixed seed for reproducible experiments.
func dpNoise(seed uint64, fixed bool) *rand.Rand {
	if fixed {
		return rand.New(rand.NewPCG(seed, 0x68336c6978))
	}
	var key [32]byte
	_, _ = crand.Read(key[:]) // never fails (crypto/rand, Go 1.24+)
	return rand.New(rand.NewChaCha8(key))
}

// learnSet collects solutions to learn from: verified reference solutions
// when allowed, otherwise what the synthesizer finds within the limits.
func learnSet(ctx context.Context, tasks []*task, opts pbe.Options, lim pbe.Limits, useRef bool, cmd *cobra.Command) ([]pbe.Solved, int, int) {
	var solved []pbe.Solved
	refs, found := 0, 0
	for _, t := range tasks {
		if t.err != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "skip %s: %v\n", t.name, t.err)
			continue
		}
		if useRef && t.p.Reference != nil && t.p.Check(t.p.Reference.Body) == nil {
			solved = append(solved, pbe.Solved{Problem: t.p, Term: t.p.Reference.Body, TaskHash: t.hash})
			refs++
			continue
		}
		out, err := pbe.Synthesize(ctx, t.p, opts, lim)
		if err != nil || !out.Solved {
			continue
		}
		solved = append(solved, pbe.Solved{Problem: t.p, Term: out.Term, TaskHash: t.hash})
		found++
	}
	return solved, refs, found
}
