package cmd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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
	)
	c := &cobra.Command{
		Use:   "learn --tasks DIR --out prior.json",
		Short: "Learn a grammar prior and program library from solved tasks",
		Long: `learn solves every task of DIR (or takes the reference solution a task file
ends with, as the Euphony benchmarks do) and writes the production counts,
constant counts and library of verified sub-programs as a canonical prior.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tasks, err := loadTasks(dir)
			if err != nil {
				return err
			}
			opts, err := f.options()
			if err != nil {
				return err
			}
			solved, refs, found := learnSet(cmd.Context(), tasks, opts, f.limits(), useRef, cmd)
			pr, err := pbe.Learn(solved, seed)
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
			return nil
		},
	}
	f.register(c, time.Second)
	c.Flags().StringVar(&dir, "tasks", "", "directory of .sl tasks")
	c.Flags().StringVar(&outPath, "out", "prior.json", "where to write the prior")
	c.Flags().BoolVar(&useRef, "use-reference", true, "use a reference solution given after (check-synth) instead of solving")
	c.Flags().Uint64Var(&seed, "seed", 1, "seed of the generated check vectors")
	_ = c.MarkFlagRequired("tasks")
	return c
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
