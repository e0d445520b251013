package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/llm"
	"github.com/h3lix/h3lix/worker/engine/pbe"
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

func newBenchCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "bench",
		Short: "Measure the embedded engine, the collective and the energy scheduler",
	}
	c.AddCommand(newBenchPBECmd(), newBenchCollectiveCmd(), newBenchEnergyCmd())
	return c
}

// taskResult is one line of the per-task JSON.
type taskResult struct {
	Task       string  `json:"task"`
	Solved     bool    `json:"solved"`
	Seconds    float64 `json:"seconds"`
	Candidates int64   `json:"candidates"`
	Size       int     `json:"size,omitempty"`
	Program    string  `json:"program,omitempty"`
	Reason     string  `json:"reason,omitempty"`
	Fold       int     `json:"fold,omitempty"`
	// Generalizes is set for a solved base task that has a -long variant:
	// whether the program also satisfies the long variant's examples.
	Generalizes *bool `json:"generalizes,omitempty"`
	// With --engine llm: what the model gave for this task and how long
	// sampling took (included in Seconds).
	LLMSamples       int     `json:"llm_samples,omitempty"`
	LLMParsed        int     `json:"llm_parsed,omitempty"`
	LLMPartial       int     `json:"llm_partial,omitempty"`
	LLMSampleSeconds float64 `json:"llm_sample_seconds,omitempty"`
	LLMFallback      bool    `json:"llm_fallback,omitempty"`
}

type benchReport struct {
	Engine  string `json:"engine"`
	Tasks   string `json:"tasks"`
	Timeout string `json:"timeout"`
	Prior   string `json:"prior,omitempty"`
	JIT     bool   `json:"jit"`
	KFold   int    `json:"kfold,omitempty"`
	// Sample says whether the rates are out-of-sample (no evaluated task
	// shares an example with a task the prior learned from), in-sample
	// (--allow-overlap), unchecked (--prior without --prior-tasks) or
	// no-learning (uniform prior).
	Sample  string       `json:"sample"`
	Results []taskResult `json:"results"`
}

func newBenchPBECmd() *cobra.Command {
	var (
		f        synthFlags
		lf       llmFlags
		dir      string
		jsonPath string
		kfold    int
		priorDir string
		overlap  bool
		threads  int
	)
	c := &cobra.Command{
		Use:   "pbe --tasks DIR",
		Short: "Solve every task of DIR and print a summary table",
		Long: `bench pbe solves each .sl task of DIR within the budget, printing a progress
line per task on stderr and a summary table on stdout. With --kfold K the
tasks are split into K folds by family (bikes, bikes_small, bikes-long... stay
together); each fold is solved with a prior learned from
the solutions of the other folds (found first with the base prior), so no
task informs its own prior.

Rates are only worth quoting out of sample. With --prior, pass the tasks it
was learned from as --prior-tasks: bench refuses to run when one of them
shares an input/output example with an evaluated task (and checks the same
between k-fold folds). --allow-overlap measures anyway and labels the report
in-sample; --prior without --prior-tasks is labelled unchecked, with a
warning.

With --engine llm each task is solved under the guidance of a local model
(see 'solve --help'); the table adds the samples parsed and the time spent
sampling, which is counted in each task's time.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case kfold < 0 || kfold == 1:
				return fmt.Errorf("--kfold %d: want 0 (no folds) or at least 2", kfold)
			case threads < 1:
				return fmt.Errorf("--threads %d: want at least 1", threads)
			}
			opts, err := f.options()
			if err != nil {
				return err
			}
			tasks, err := loadTasks(dir)
			if err != nil {
				return err
			}
			rep := benchReport{Engine: lf.engine, Tasks: dir, Timeout: f.timeout.String(), Prior: f.prior, JIT: f.jit, KFold: kfold}
			stderr := cmd.ErrOrStderr()
			if rep.Sample, err = sampleOf(tasks, f.prior, priorDir, kfold, overlap, stderr); err != nil {
				return err
			}
			if lf.engine != "pbe" {
				if kfold > 1 {
					return fmt.Errorf("--kfold works with --engine pbe only")
				}
				if threads > 1 && cmd.Flags().Changed("threads") {
					fmt.Fprintf(stderr, "note: --threads is ignored with --engine llm: tasks are solved one at a time against the model server\n")
				}
				eng, err := lf.build(cmd.Context(), opts, stderr)
				if err != nil {
					return err
				}
				rep.Results = runGuided(cmd, tasks, eng.(*llm.Engine), f, stderr)
			} else if kfold > 1 {
				fmt.Fprintf(stderr, "k-fold: first pass with the base prior to collect solutions\n")
				first := runBench(cmd, tasks, opts, f.limits(), threads, stderr)
				folds := familyFolds(tasks, kfold)
				for fold := 0; fold < kfold; fold++ {
					var train []pbe.Solved
					var test []*task
					for i, t := range tasks {
						if folds[i] == fold {
							test = append(test, t)
						} else if first[i].Solved {
							term, _ := termOf(t, first[i].Program)
							train = append(train, pbe.Solved{Problem: t.p, Term: term, TaskHash: t.hash})
						}
					}
					pr, err := pbe.Learn(train, 1)
					if err != nil {
						return err
					}
					o := opts
					if opts.Prior != nil {
						if o.Prior, err = pbe.Merge([]pbe.Weighted{{Prior: opts.Prior, Weight: 1_000_000}, {Prior: pr, Weight: 1_000_000}}); err != nil {
							return err
						}
					} else {
						o.Prior = pr
					}
					fmt.Fprintf(stderr, "fold %d/%d: prior from %d solved tasks\n", fold+1, kfold, len(train))
					res := runBench(cmd, test, o, f.limits(), threads, stderr)
					for i := range res {
						res[i].Fold = fold + 1
					}
					rep.Results = append(rep.Results, res...)
				}
				sort.Slice(rep.Results, func(i, j int) bool { return rep.Results[i].Task < rep.Results[j].Task })
			} else {
				rep.Results = runBench(cmd, tasks, opts, f.limits(), threads, stderr)
			}
			checkGeneralization(tasks, rep.Results)
			printSummary(cmd.OutOrStdout(), rep)
			if jsonPath != "" {
				b, err := json.MarshalIndent(rep, "", "  ")
				if err != nil {
					return err
				}
				return os.WriteFile(jsonPath, append(b, '\n'), 0o644)
			}
			return nil
		},
	}
	f.register(c, 10*time.Second)
	lf.register(c)
	c.Flags().StringVar(&dir, "tasks", "", "directory of .sl tasks")
	c.Flags().StringVar(&jsonPath, "json", "", "write per-task results as JSON to this file")
	c.Flags().IntVar(&kfold, "kfold", 0, "evaluate with priors learned on the other K-1 folds")
	c.Flags().StringVar(&priorDir, "prior-tasks", "", "the tasks --prior was learned from, to check that none shares an example with the evaluated ones")
	c.Flags().IntVar(&threads, "threads", runtime.GOMAXPROCS(0), "tasks solved side by side (default: GOMAXPROCS, all cores unless set); they share --mem, and a candidate budget gives the same results at any count unless a search reaches its share of --mem; ignored with --engine llm")
	c.Flags().BoolVar(&overlap, "allow-overlap", false, "measure even when learning and evaluated tasks share examples, and label the report in-sample")
	_ = c.MarkFlagRequired("tasks")
	return c
}

// sampleOf checks that what the priors learned from is disjoint from the
// evaluated tasks, and labels the report.
func sampleOf(tasks []*task, prior, priorDir string, kfold int, allowOverlap bool, stderr io.Writer) (string, error) {
	var pairs []string
	var what string
	if priorDir != "" {
		if prior == "" {
			return "", fmt.Errorf("--prior-tasks names the tasks of a --prior; pass the prior too")
		}
		src, err := loadTasks(priorDir)
		if err != nil {
			return "", fmt.Errorf("--prior-tasks: %w", err)
		}
		pairs, what = sygus.SharedExamples(problemsOf(tasks), problemsOf(src)), "evaluated tasks and the prior's source tasks"
	}
	if kfold > 1 && len(pairs) == 0 {
		folds := familyFolds(tasks, kfold)
		for fold := 0; fold < kfold && len(pairs) == 0; fold++ {
			var test, train []sygus.Named
			for i, t := range tasks {
				if folds[i] == fold {
					test = append(test, sygus.Named{Name: t.name, P: t.p})
				} else {
					train = append(train, sygus.Named{Name: t.name, P: t.p})
				}
			}
			pairs, what = sygus.SharedExamples(test, train), fmt.Sprintf("tasks of fold %d and of the other folds", fold+1)
		}
	}
	switch {
	case len(pairs) > 0 && !allowOverlap:
		return "", errOverlap(what, pairs)
	case len(pairs) > 0:
		fmt.Fprintf(stderr, "warning: %s share examples (%s): the rates are in-sample\n", what, pairs[0])
		return sampleIn, nil
	case prior != "" && priorDir == "":
		fmt.Fprintf(stderr, "warning: cannot check that %s was learned on tasks disjoint from these; pass --prior-tasks DIR (the tasks given to pbe learn). The report says sample=unchecked\n", prior)
		return sampleUnchecked, nil
	case prior == "" && kfold <= 1:
		return sampleNone, nil
	}
	return sampleOut, nil
}

// family names a benchmark family: bikes.sl, bikes_small.sl, bikes-long.sl
// and bikes-long-repeat.sl are all "bikes".
func family(name string) string {
	f := strings.TrimSuffix(name, ".sl")
	for _, suf := range []string{"-long-repeat", "-long", "_short", "_small"} {
		f = strings.TrimSuffix(f, suf)
	}
	return f
}

// familyFolds deals whole groups of tasks to folds, so that no variant of a
// test task (its -long version, say) is in the training folds: a group is a
// family, joined with every family it shares an input/output example with
// (univ_2 and univ_4 of sygus2018 do).
func familyFolds(tasks []*task, k int) []int {
	parent := make([]int, len(tasks))
	for i := range parent {
		parent[i] = i
	}
	var find func(i int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		if ra, rb := find(a), find(b); ra != rb {
			parent[max(ra, rb)] = min(ra, rb)
		}
	}
	byFamily := map[string]int{}
	byExample := map[string]int{}
	for i, t := range tasks {
		if j, ok := byFamily[family(t.name)]; ok {
			union(i, j)
		} else {
			byFamily[family(t.name)] = i
		}
		if t.p == nil {
			continue
		}
		for _, ex := range t.p.Examples {
			key := sygus.ExampleKey(ex)
			if j, ok := byExample[key]; ok {
				union(i, j)
			} else {
				byExample[key] = i
			}
		}
	}
	// Groups are numbered in order of their first task, as families were.
	index := map[int]int{}
	out := make([]int, len(tasks))
	for i := range tasks {
		r := find(i)
		if _, ok := index[r]; !ok {
			index[r] = len(index)
		}
		out[i] = index[r] % k
	}
	return out
}

// termOf parses a canonical program back into a term of the task.
func termOf(t *task, prog string) (*sygus.Term, error) {
	params := make([]string, len(t.p.Fun.Params))
	for i, v := range t.p.Fun.Params {
		params[i] = v.Sort.String()
	}
	return pbe.ParseCanonical(prog, params, t.p.Fun.Ret.String())
}

func runBench(cmd *cobra.Command, tasks []*task, opts pbe.Options, lim pbe.Limits, threads int, progress io.Writer) []taskResult {
	out := make([]taskResult, len(tasks))
	threads = max(1, min(threads, len(tasks)))
	// Searches run side by side and share the memory budget; each keeps
	// its candidate budget, so results do not depend on the thread count.
	opts.MemBudget = max(opts.MemBudget/int64(threads), 1)
	var (
		mu           sync.Mutex
		done, solved int
		next         = make(chan int)
		wg           sync.WaitGroup
	)
	for w := 0; w < threads; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r := solveOne(cmd, tasks[i], opts, lim)
				mu.Lock()
				out[i] = r
				done++
				status := "fail"
				if r.Solved {
					solved++
					status = "ok  "
				}
				fmt.Fprintf(progress, "[%3d/%3d] solved %3d  %s %6.2fs %11d cand  %s\n", done, len(tasks), solved, status, r.Seconds, r.Candidates, tasks[i].name)
				mu.Unlock()
			}
		}()
	}
	for i := range tasks {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

func solveOne(cmd *cobra.Command, t *task, opts pbe.Options, lim pbe.Limits) taskResult {
	r := taskResult{Task: t.name}
	if t.err != nil {
		r.Reason = "parse error: " + t.err.Error()
		return r
	}
	o, err := pbe.Synthesize(cmd.Context(), t.p, opts, lim)
	r.Seconds = o.Stats.Elapsed.Seconds()
	r.Candidates = o.Stats.Candidates
	switch {
	case err != nil:
		r.Reason = "unsupported: " + err.Error()
	case o.Solved:
		r.Solved = true
		r.Size = o.Term.Size()
		r.Program = pbe.Canonical(o.Term)
	default:
		r.Reason = o.Reason
	}
	return r
}

// runGuided is runBench through the llm engine, one task at a time.
func runGuided(cmd *cobra.Command, tasks []*task, eng *llm.Engine, f synthFlags, progress io.Writer) []taskResult {
	var out []taskResult
	solved := 0
	for i, t := range tasks {
		r := taskResult{Task: t.name}
		before := eng.Stats()
		if t.err != nil {
			r.Reason = "parse error: " + t.err.Error()
		} else {
			res, err := eng.Solve(cmd.Context(), engine.Task{ID: t.name, Spec: t.src}, engine.Budget{Candidates: f.candidates, Wall: f.timeout})
			r.Seconds, r.Candidates = res.Elapsed.Seconds(), res.Candidates
			switch {
			case err != nil:
				r.Reason = "unsupported: " + err.Error()
			case res.Solved:
				r.Solved, r.Size, r.Program = true, res.Size, res.Program
				solved++
			default:
				r.Reason = res.Reason
			}
		}
		after := eng.Stats()
		r.LLMSamples, r.LLMParsed, r.LLMPartial = after.Samples-before.Samples, after.Parsed-before.Parsed, after.Partial-before.Partial
		r.LLMSampleSeconds = after.SampleDuration().Seconds() - before.SampleDuration().Seconds()
		r.LLMFallback = after.Fallbacks > before.Fallbacks
		status := "fail"
		if r.Solved {
			status = "ok  "
		}
		fmt.Fprintf(progress, "[%3d/%3d] solved %3d  %s %6.2fs %11d cand  %d/%d samples parsed in %.2fs  %s\n",
			i+1, len(tasks), solved, status, r.Seconds, r.Candidates, r.LLMParsed, r.LLMSamples, r.LLMSampleSeconds, t.name)
		out = append(out, r)
	}
	return out
}

// checkGeneralization runs each solved base task's program on the examples
// of its -long variant (X.sl, X_short.sl, X_small.sl -> X-long.sl).
func checkGeneralization(tasks []*task, results []taskResult) {
	byName := map[string]*task{}
	for _, t := range tasks {
		byName[t.name] = t
	}
	for i := range results {
		r := &results[i]
		if !r.Solved || strings.Contains(r.Task, "-long") {
			continue
		}
		base := strings.TrimSuffix(r.Task, ".sl")
		base = strings.TrimSuffix(strings.TrimSuffix(base, "_short"), "_small")
		long, ok := byName[base+"-long.sl"]
		if !ok || long.err != nil || long.p.NonPBE != "" {
			continue
		}
		t, err := termOf(byName[r.Task], r.Program)
		if err != nil {
			continue
		}
		ok = true
		for _, ex := range long.p.Examples {
			v, err := long.p.Eval(t, ex.In, nil)
			if err != nil || v != ex.Out {
				ok = false
				break
			}
		}
		r.Generalizes = &ok
	}
}

func printSummary(w io.Writer, rep benchReport) {
	var solved, unsupported, gen, genOK int
	var secs float64
	var cand int64
	var times []float64
	for _, r := range rep.Results {
		secs += r.Seconds
		cand += r.Candidates
		if r.Solved {
			solved++
			times = append(times, r.Seconds)
		}
		if strings.HasPrefix(r.Reason, "unsupported") || strings.HasPrefix(r.Reason, "parse error") {
			unsupported++
		}
		if r.Generalizes != nil {
			gen++
			if *r.Generalizes {
				genOK++
			}
		}
	}
	sort.Float64s(times)
	n := len(rep.Results)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	prior := rep.Prior
	if prior == "" {
		prior = "uniform"
	}
	if rep.KFold > 1 {
		prior += fmt.Sprintf(" + %d-fold learned", rep.KFold)
	}
	fmt.Fprintf(tw, "tasks\t%s\t%d\n", filepath.Base(rep.Tasks), n)
	fmt.Fprintf(tw, "budget\t%s per task, jit=%v, prior=%s\t\n", rep.Timeout, rep.JIT, prior)
	fmt.Fprintf(tw, "sample\t%s\t\n", rep.Sample)
	fmt.Fprintf(tw, "solved\t%d\t%.1f%%\n", solved, 100*float64(solved)/float64(max(n, 1)))
	fmt.Fprintf(tw, "unsupported\t%d\t\n", unsupported)
	if len(times) > 0 {
		fmt.Fprintf(tw, "median time (solved)\t%.3fs\t\n", times[len(times)/2])
	}
	fmt.Fprintf(tw, "total time\t%.1fs\t\n", secs)
	if secs > 0 {
		fmt.Fprintf(tw, "candidates/s\t%.0f\t\n", float64(cand)/secs)
	}
	if gen > 0 {
		fmt.Fprintf(tw, "generalizes to -long\t%d/%d\t\n", genOK, gen)
	}
	if rep.Engine == "llm" {
		var samples, parsed, partial, fallbacks int
		var sampling float64
		for _, r := range rep.Results {
			samples, parsed, partial, sampling = samples+r.LLMSamples, parsed+r.LLMParsed, partial+r.LLMPartial, sampling+r.LLMSampleSeconds
			if r.LLMFallback {
				fallbacks++
			}
		}
		fmt.Fprintf(tw, "llm samples\t%d: %d whole programs, %d with fragments\t\n", samples, parsed, partial)
		fmt.Fprintf(tw, "llm sampling per task\t%.3fs\t\n", sampling/float64(max(n, 1)))
		fmt.Fprintf(tw, "llm fallbacks\t%d\t\n", fallbacks)
	}
	tw.Flush()
}
