package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/pbe"
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// Engine is the PBE engine guided by a language model. Verification,
// distillation, conditioning and embeddings are the PBE engine's: what the
// network sees is the same verifiable program, whatever guided the search.
type Engine struct {
	inner  *pbe.Engine
	client *Client
	cfg    Config
	log    *slog.Logger

	mu    sync.Mutex
	stats Stats
	seed  int
}

var (
	_ engine.Engine   = (*Engine)(nil)
	_ engine.Stateful = (*Engine)(nil)
	_ engine.Guided   = (*Engine)(nil)
)

// Stats is what the engine has asked of the server, for /status.
type Stats struct {
	Model   string `json:"model"`
	URL     string `json:"url"`
	Tasks   int    `json:"tasks"`
	Guided  int    `json:"guided"`
	Samples int    `json:"samples"`
	// Parsed and Partial count samples with a whole program, or only
	// fragments of one; the rest were prose.
	Parsed  int `json:"parsed"`
	Partial int `json:"partial"`
	// Answered counts tasks a sample solved as it was (still checked).
	Answered int `json:"answered"`
	// Fallbacks counts tasks solved by the embedded engine alone because
	// the server failed; LastError says why.
	Fallbacks  int    `json:"fallbacks"`
	LastError  string `json:"last_error,omitempty"`
	SampleTime string `json:"sample_time"`
	sampleTime time.Duration
}

// SampleDuration is the total time spent sampling.
func (s Stats) SampleDuration() time.Duration { return s.sampleTime }

// New returns an engine that guides inner with the model of cfg. It does not
// contact the server: Check does, and Solve falls back when it cannot.
func New(cfg Config, inner *pbe.Engine, log *slog.Logger) (*Engine, error) {
	c, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Engine{inner: inner, client: c, cfg: cfg, log: log, stats: Stats{Model: cfg.Model, URL: cfg.BaseURL}}, nil
}

// Base is the PBE engine alone, with its conditioned prior.
func (e *Engine) Base() engine.Engine { return e.inner }

// Name identifies the engine and its payload schema.
func (e *Engine) Name() string { return "pbe/v1+llm" }

// Check reports whether the server answers and has the model, and loads
// the model (Warm) so that the first task does not pay for it.
func (e *Engine) Check(ctx context.Context) error {
	if err := e.client.Check(ctx); err != nil {
		return err
	}
	return e.client.Warm(ctx)
}

// Stats returns a copy of the counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.stats
	s.SampleTime = s.sampleTime.Round(time.Millisecond).String()
	return s
}

// Solve samples the model for the task, then searches under the samples'
// grammar mixed with the conditioned prior. Sampling time counts against
// the budget's wall clock. Without answers from the server it solves with
// the embedded engine alone and says so in the result's Note.
func (e *Engine) Solve(ctx context.Context, task engine.Task, b engine.Budget) (engine.Result, error) {
	p, err := sygus.Parse(string(task.Spec))
	if err != nil {
		return engine.Result{TaskID: task.ID, Answer: "(fail)"}, err
	}
	start := time.Now()
	sctx := ctx
	if b.Wall > 0 {
		// Leave the search at least half the budget.
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(ctx, b.Wall/2)
		defer cancel()
	}
	e.mu.Lock()
	e.seed += e.cfg.Samples
	seed := e.seed
	e.mu.Unlock()
	msgs := Prompt(p, string(task.Spec), e.inner.Exemplars(p, e.cfg.Exemplars))
	samples, serr := e.client.Sample(sctx, msgs, e.cfg.Samples, seed)
	took := time.Since(start)
	if serr != nil && ctx.Err() == nil && sctx.Err() != nil {
		serr = fmt.Errorf("%w: no sample within half the solve budget (%s); give the round more time or ask for fewer samples or tokens", ErrUnreachable, (b.Wall / 2).Round(time.Millisecond))
	}
	if ctx.Err() != nil {
		return engine.Result{TaskID: task.ID, Answer: "(fail)", Reason: ctx.Err().Error()}, nil
	}
	if b.Wall > 0 {
		// A zero or negative Wall would mean "no bound" to the search.
		b.Wall = max(b.Wall-took, time.Millisecond)
	}
	if serr != nil {
		e.mu.Lock()
		e.stats.Tasks++
		e.stats.Fallbacks++
		e.stats.LastError = serr.Error()
		e.stats.sampleTime += took
		e.mu.Unlock()
		e.log.Warn("llm guidance unavailable; solving with the embedded engine alone", "task", task.ID, "err", serr)
		res, err := e.inner.Solve(ctx, task, b)
		res.Elapsed += took
		res.Note = "llm unavailable, embedded engine alone: " + serr.Error()
		return res, err
	}
	res, st, err := e.inner.SolveGuided(ctx, task, b, samples, e.cfg.WeightPPM)
	e.mu.Lock()
	e.stats.Tasks++
	e.stats.Guided++
	e.stats.Samples += st.Samples
	e.stats.Parsed += st.Parsed
	e.stats.Partial += st.Partial
	if res.Solved && res.Candidates == 0 {
		e.stats.Answered++
	}
	e.stats.sampleTime += took
	e.mu.Unlock()
	res.Elapsed += took
	res.Guided = true
	res.Note = fmt.Sprintf("llm %s: %d samples in %s, %d whole programs, %d with fragments", e.cfg.Model, st.Samples, took.Round(time.Millisecond), st.Parsed, st.Partial)
	return res, err
}

// Verify is the PBE engine's: a guided program is checked like any other.
func (e *Engine) Verify(ctx context.Context, a engine.Artifact) (engine.Verification, error) {
	return e.inner.Verify(ctx, a)
}

// Distill makes the PBE engine's artifacts. Those of results the model
// guided are marked so (pbe.KindLLM); a result the embedded engine found
// alone, because the server failed, keeps the plain kind: the manifest
// must not claim guidance that did not happen.
func (e *Engine) Distill(ctx context.Context, solved []engine.Result) ([]engine.Artifact, error) {
	var out []engine.Artifact
	for _, r := range solved {
		// One result at a time: the PBE engine may skip a result (nothing
		// verifiable without the task), so indices do not line up.
		as, err := e.inner.Distill(ctx, []engine.Result{r})
		for i := range as {
			if r.Guided {
				as[i].Manifest.Kind = pbe.KindLLM
			}
		}
		out = append(out, as...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// Condition is the PBE engine's: the field conditions the prior the
// guidance is mixed with, and its programs become the prompt's exemplars.
func (e *Engine) Condition(ctx context.Context, field []engine.WeightedArtifact) (engine.ConditionReport, error) {
	return e.inner.Condition(ctx, field)
}

// Embed is the PBE engine's canonical embedding. A server's embedding is
// not used for the manifest: verifiers recompute the manifest's embedding,
// and only nodes running the same model could (docs/architecture).
func (e *Engine) Embed(payload []byte) (engine.Embedding, error) { return e.inner.Embed(payload) }

// SaveState and LoadState keep the conditioned prior across restarts.
func (e *Engine) SaveState() ([]byte, error) { return e.inner.SaveState() }
func (e *Engine) LoadState(b []byte) error   { return e.inner.LoadState(b) }

// IsUnavailable tells errors of an absent server or model apart.
func IsUnavailable(err error) bool {
	return errors.Is(err, ErrUnreachable) || errors.Is(err, ErrModelMissing)
}
