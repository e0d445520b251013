package cmd

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/llm"
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
	switch {
	case f.memMiB <= 0:
		return pbe.Options{}, fmt.Errorf("--mem must be positive, got %d", f.memMiB)
	case f.candidates < 0:
		return pbe.Options{}, fmt.Errorf("--candidates %d: want a positive budget, or 0 for none", f.candidates)
	case f.timeout < 0:
		return pbe.Options{}, fmt.Errorf("--timeout %s: want a positive duration, or 0 for none", f.timeout)
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

// llmFlags select the language model that guides solve.
type llmFlags struct {
	engine      string
	url, model  string
	apiKey      string
	samples     int
	weight      float64
	timeout     time.Duration
	allowRemote bool
}

func (f *llmFlags) register(c *cobra.Command) {
	d := llm.DefaultConfig()
	c.Flags().StringVar(&f.engine, "engine", "pbe", "pbe: the embedded synthesizer; llm: guided by a local model (--llm-url, --llm-model)")
	c.Flags().StringVar(&f.url, "llm-url", d.BaseURL, "OpenAI-compatible API root of the model server (Ollama, llama-server, vLLM)")
	c.Flags().StringVar(&f.model, "llm-model", "", "model name on the server")
	c.Flags().StringVar(&f.apiKey, "llm-api-key", os.Getenv("H3LIX_LLM_API_KEY"), "bearer token, if the server wants one (default $H3LIX_LLM_API_KEY)")
	c.Flags().IntVar(&f.samples, "llm-samples", d.Samples, "answers sampled from the model per task")
	c.Flags().Float64Var(&f.weight, "llm-weight", float64(d.WeightPPM)/1e6, "share of the evidence the samples hold in the search's prior (0 to 0.99)")
	c.Flags().DurationVar(&f.timeout, "llm-timeout", d.Timeout, "timeout of one request to the model server")
	c.Flags().BoolVar(&f.allowRemote, "llm-allow-remote", false, "allow a server that is not on this machine (the prompt holds the task's examples)")
}

// engine builds the engine solve runs: the embedded one, or the embedded
// one guided by the model (which falls back to the embedded one, with a
// warning, when the server does not answer).
func (f *llmFlags) build(ctx context.Context, opts pbe.Options, stderr io.Writer) (engine.Engine, error) {
	inner := pbe.New(opts, 1)
	switch f.engine {
	case "pbe":
		return inner, nil
	case "llm":
	default:
		return nil, fmt.Errorf("--engine %q: use pbe or llm", f.engine)
	}
	if !(f.weight >= 0 && f.weight <= 0.99) {
		return nil, fmt.Errorf("--llm-weight %v: use 0 to 0.99", f.weight)
	}
	cfg := llm.DefaultConfig()
	cfg.BaseURL, cfg.Model, cfg.APIKey, cfg.Samples, cfg.Timeout, cfg.AllowRemote = f.url, f.model, f.apiKey, f.samples, f.timeout, f.allowRemote
	cfg.WeightPPM = uint32(math.Round(f.weight * 1e6))
	e, err := llm.New(cfg, inner, nil)
	if err != nil {
		return nil, fmt.Errorf("--engine llm: %s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	cctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	if err := e.Check(cctx); err != nil {
		fmt.Fprintf(stderr, "warning: %v; solving with the embedded engine alone\n", err)
	}
	return e, nil
}

func newSolveCmd() *cobra.Command {
	var f synthFlags
	var lf llmFlags
	c := &cobra.Command{
		Use:   "solve FILE.sl",
		Short: "Solve one SyGuS PBE problem and print the answer in competition format",
		Long: `solve reads a SyGuS v1 or v2 problem, synthesizes a function satisfying
all its constraints and prints (define-fun ...) on stdout, or (fail) when the
budget runs out. A malformed problem is an error (non-zero exit).

With --engine llm a local language model behind an OpenAI-compatible API
(Ollama, llama.cpp's llama-server, vLLM) samples candidate programs first;
their productions guide the search, and every answer is still checked
against the examples. The prompt holds the task's examples, so the server
must be on this machine unless --llm-allow-remote is given. When the server
does not answer, solve warns and uses the embedded engine alone.

  h3lix-worker solve --engine llm --llm-url http://127.0.0.1:11434/v1 --llm-model qwen2.5-coder:7b task.sl`,
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
			eng, err := lf.build(cmd.Context(), opts, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			res, err := eng.Solve(cmd.Context(), engine.Task{ID: args[0], Spec: src}, engine.Budget{Candidates: f.candidates, Wall: f.timeout})
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if res.Note != "" {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s\n", args[0], res.Note)
			}
			if !res.Solved {
				fmt.Fprintln(cmd.OutOrStdout(), "(fail)")
				fmt.Fprintf(cmd.ErrOrStderr(), "%s: unsolved after %d candidates in %s: %s\n", args[0], res.Candidates, res.Elapsed.Round(time.Millisecond), res.Reason)
				return nil
			}
			fmt.Fprintln(cmd.OutOrStdout(), res.Answer)
			return nil
		},
	}
	f.register(c, 10*time.Second)
	lf.register(c)
	return c
}
