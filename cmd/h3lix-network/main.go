// Command h3lix-network runs the network experiment `make network`
// describes (networks/experiment/network.env): a real chain of validators
// and workers on loopback, with adversaries, isolated controls and
// injected faults, and writes the report (Markdown, JSON and plots).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

func main() {
	if err := rootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "h3lix-network:", err)
		os.Exit(1)
	}
}

func rootCmd() *cobra.Command {
	var defPath, h3lixd, binary, out string
	root := &cobra.Command{
		Use:   "h3lix-network",
		Short: "Run the H3LIX network experiment and write its report",
		Long: `h3lix-network starts the network networks/experiment/network.env defines
(validators through scripts/localnet.sh, workers behind proxies it can cut),
runs the measured rounds once per mix (with and without the adversaries),
injects the faults, and writes the report: README.md, report.json and PNG
plots. Run it from the repository root after 'make build', or with 'make
network'. Every NETWORK_* variable of the definition can be overridden from
the environment.`,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			def, err := readDefinition(defPath)
			if err != nil {
				return err
			}
			if out != "" {
				def.Out = out
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runExperiment(ctx, def, h3lixd, binary)
		},
	}
	root.Flags().StringVar(&defPath, "definition", "networks/experiment/network.env", "the experiment's definition")
	root.Flags().StringVar(&h3lixd, "h3lixd", "build/h3lixd", "the chain binary")
	root.Flags().StringVar(&binary, "worker", "build/h3lix-worker", "the worker binary")
	root.Flags().StringVar(&out, "out", "", "report directory (default NETWORK_OUT)")
	report := &cobra.Command{
		Use:   "report DIR",
		Short: "Write DIR's README.md and plots again from DIR/report.json",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			b, err := os.ReadFile(filepath.Join(args[0], "report.json"))
			if err != nil {
				return err
			}
			var r report
			if err := json.Unmarshal(b, &r); err != nil {
				return fmt.Errorf("%s: %w", filepath.Join(args[0], "report.json"), err)
			}
			if len(r.Mixes) == 0 {
				return fmt.Errorf("%s holds no mix", filepath.Join(args[0], "report.json"))
			}
			return r.write(args[0])
		},
	}
	root.AddCommand(report)
	return root
}

func runExperiment(ctx context.Context, def definition, h3lixd, binary string) error {
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	for _, b := range []string{h3lixd, binary} {
		if _, err := os.Stat(b); err != nil {
			return fmt.Errorf("no binary at %s: run 'make build' first", b)
		}
	}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(repo, p)
	}
	h3lixd, binary, def.Dir = abs(h3lixd), abs(binary), abs(def.Dir)
	rep := &report{Generated: time.Now().UTC(), Definition: def}
	prep := filepath.Join(def.Dir, "tasks")
	_ = os.RemoveAll(prep)
	slicesDir, heldOut := filepath.Join(prep, "workers"), abs(def.HeldOut)
	var slices [][]string
	st, statErr := os.Stat(abs(def.Tasks))
	if def.Tasks != genTasks && statErr == nil && st.IsDir() {
		if slices, err = sliceTasks(abs(def.Tasks), def.Workers); err != nil {
			return err
		}
		if _, err := os.Stat(heldOut); err != nil {
			return fmt.Errorf("NETWORK_HELDOUT %s: %w", def.HeldOut, err)
		}
		rep.TaskSource = fmt.Sprintf("%s, dealt into %d disjoint private slices; held out: %s", def.Tasks, def.Workers, def.HeldOut)
	} else {
		why := "NETWORK_TASKS=gen"
		if def.Tasks != genTasks {
			why = "../shared/bench/sygus-pbe was not found"
			fmt.Printf("NETWORK_TASKS %s is not there (no ../shared beside the repository): using generated tasks instead\n", def.Tasks)
		}
		heldOut = filepath.Join(prep, "heldout")
		if out, err := runOut(binary, "tasks", "gen", "--seed", "4242", "--count", "40", "--out", heldOut); err != nil {
			return fmt.Errorf("generating held-out tasks: %w: %s", err, out)
		}
		for i := range def.Workers {
			d := filepath.Join(prep, "gen", fmt.Sprintf("worker%d", i))
			if out, err := runOut(binary, "tasks", "gen", "--seed", fmt.Sprint(1000+i), "--count", fmt.Sprint(def.Rounds*def.TasksPerRound+2), "--out", d); err != nil {
				return fmt.Errorf("generating tasks: %w: %s", err, out)
			}
			files, _ := filepath.Glob(filepath.Join(d, "*.sl"))
			slices = append(slices, files)
		}
		rep.TaskSource = "generated (h3lix-worker tasks gen: seed 1000+i per worker, held out seed 4242), since " + why
	}
	trace := abs(def.CarbonTrace)
	if _, err := os.Stat(trace); def.CarbonTrace == "" || err != nil {
		trace = ""
		rep.Grid = fmt.Sprintf("static %d g CO2e/kWh (NETWORK_CARBON_TRACE %q not found)", staticGrid, def.CarbonTrace)
	} else {
		rep.Grid = "the trace " + def.CarbonTrace + " replayed on today's date"
	}
	sample, err := checkSplit(slices, heldOut)
	if err != nil {
		return err
	}
	rep.Sample = sample
	for i, s := range slices {
		if err := copyTasks(s, filepath.Join(slicesDir, fmt.Sprintf("worker%d", i))); err != nil {
			return err
		}
	}
	fmt.Printf("held-out rates will be %s\n", sample)
	for _, mix := range def.Mixes {
		n := &network{def: def, mix: mix, dir: filepath.Join(def.Dir, mix), repo: repo, h3lixd: h3lixd, binary: binary,
			tasksDir: slicesDir, heldOut: heldOut, carbonTrace: trace, out: os.Stdout, http: &http.Client{Timeout: 10 * time.Second}}
		m, err := n.runMix(ctx, slices)
		if m != nil {
			rep.Mixes = append(rep.Mixes, m)
			if werr := rep.write(abs(def.Out)); werr != nil {
				return werr
			}
		}
		if err != nil {
			return fmt.Errorf("mix %q: %w (logs under %s)", mix, err, n.dir)
		}
	}
	fmt.Printf("\nreport: %s/README.md\n", def.Out)
	var failed []string
	for _, m := range rep.Mixes {
		for _, c := range m.Checks {
			status := "ok  "
			if !c.OK {
				status = "FAIL"
				failed = append(failed, m.Mix+": "+c.Name)
			}
			fmt.Printf("  [%s] %s adversaries: %s: %s\n", status, m.Mix, c.Name, c.Detail)
		}
		if g, ok := m.finalGain(); ok {
			fmt.Printf("  %s adversaries: conditioned minus control after the last round: %+.1f points\n", m.Mix, g)
		}
	}
	if len(failed) > 0 {
		return errors.New("checks failed: " + strings.Join(failed, "; "))
	}
	return nil
}

// runMix brings one mix's network up, measures it and takes it down.
func (n *network) runMix(ctx context.Context, slices [][]string) (*mixReport, error) {
	if err := n.startValidators(); err != nil {
		return nil, err
	}
	defer n.shutdown()
	n.planWorkers(slices)
	for _, w := range n.workers {
		for j := range w.Tasks {
			w.Tasks[j] = filepath.Base(w.Tasks[j])
		}
	}
	if err := n.setupWorkers(); err != nil {
		return nil, err
	}
	for _, w := range n.workers {
		if err := n.startWorker(w); err != nil {
			return nil, err
		}
	}
	for _, w := range n.workers {
		ok := false
		for range 120 {
			if _, err := n.status(ctx, w); err == nil {
				ok = true
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
		if !ok {
			return nil, fmt.Errorf("%s did not serve /status in 60 s; see %s", w.Name, filepath.Join(w.home, "worker.log"))
		}
	}
	n.logf("%d workers up", len(n.workers))
	return n.run(ctx)
}

// checkSplit refuses held-out tasks that share an example with any
// worker's tasks, and labels the rates.
func checkSplit(slices [][]string, heldOut string) (string, error) {
	parse := func(files []string) ([]sygus.Named, error) {
		var out []sygus.Named
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			p, err := sygus.Parse(string(b))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			out = append(out, sygus.Named{Name: filepath.Base(f), P: p})
		}
		return out, nil
	}
	var all []string
	for _, s := range slices {
		all = append(all, s...)
	}
	train, err := parse(all)
	if err != nil {
		return "", err
	}
	files, _ := filepath.Glob(filepath.Join(heldOut, "*.sl"))
	if len(files) == 0 {
		return "", fmt.Errorf("no .sl tasks in the held-out directory %s", heldOut)
	}
	held, err := parse(files)
	if err != nil {
		return "", err
	}
	if pairs := sygus.SharedExamples(held, train); len(pairs) > 0 {
		return "", fmt.Errorf("held-out and worker tasks share examples (%s, %d pairs): the rates would be in-sample", pairs[0], len(pairs))
	}
	return fmt.Sprintf("out of sample (%d held-out tasks share no input/output example with the %d worker tasks)", len(held), len(train)), nil
}

// genTasks as NETWORK_TASKS asks for generated tasks.
const genTasks = "gen"

func runOut(bin string, args ...string) (string, error) {
	out, err := exec.Command(bin, args...).CombinedOutput()
	return string(out), err
}
