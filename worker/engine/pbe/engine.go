// Package pbe is the embedded inference engine of H3LIX: a
// programming-by-example synthesizer for SyGuS string tasks (the
// FlashFill / SyGuS PBE-Strings domain). It enumerates programs bottom-up
// in order of cost under a probabilistic grammar, merges observationally
// equivalent ones, builds conditionals by divide and conquer, and learns
// its grammar prior and a library of programs from solved tasks. What it
// learns is distilled into artifacts that other nodes verify by re-running
// check vectors and merge into their own prior.
package pbe

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// maxLocal bounds the tasks a node keeps to score others' artifacts.
const maxLocal = 64

// ownTask is a task the node was given, with its keyed hash as the
// provenance of the node's own artifacts cites it.
type ownTask struct {
	p    *sygus.Problem
	hash string
}

func problems(ts []ownTask) []*sygus.Problem {
	out := make([]*sygus.Problem, len(ts))
	for i, t := range ts {
		out[i] = t.p
	}
	return out
}

// Engine implements engine.Engine for PBE tasks.
type Engine struct {
	mu      sync.Mutex
	opts    Options
	prior   *Prior
	local   []ownTask
	seed    uint64
	taskKey []byte
}

var _ engine.Engine = (*Engine)(nil)

// New returns an engine with the given options; opts.Prior may be nil
// (uniform). seed fixes the inputs of generated check vectors. Without
// opts.TaskKey the engine draws a random one, so its provenance hashes
// cannot be matched to anyone's tasks, not even its own after a restart.
func New(opts Options, seed uint64) *Engine {
	pr := opts.Prior
	if pr == nil {
		pr = NewPrior()
	}
	key := opts.TaskKey
	if len(key) == 0 {
		key = make([]byte, 32)
		_, _ = rand.Read(key) // never fails (crypto/rand, Go 1.24+)
	}
	opts.Prior, opts.TaskKey = nil, nil
	return &Engine{opts: opts, prior: pr, seed: seed, taskKey: key}
}

// TaskHash is the keyed hash of a task spec that artifacts cite as
// provenance: HMAC-SHA-256 under the engine's task key. A plain hash would
// let anyone holding a public benchmark confirm which task a node solved.
func (e *Engine) TaskHash(spec []byte) [32]byte {
	m := hmac.New(sha256.New, e.taskKey)
	m.Write(spec)
	var out [32]byte
	m.Sum(out[:0])
	return out
}

// Name identifies the engine and its payload schema.
func (e *Engine) Name() string { return "pbe/v1" }

// Prior returns a copy of the engine's current prior.
func (e *Engine) Prior() *Prior {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, _ := Merge([]Weighted{{e.prior, 1_000_000}})
	return m
}

// Solve parses task.Spec as a SyGuS problem and synthesizes a solution.
func (e *Engine) Solve(ctx context.Context, task engine.Task, b engine.Budget) (engine.Result, error) {
	res, _, err := e.SolveGuided(ctx, task, b, nil, 0)
	return res, err
}

// SolveGuided is Solve with a language model's sampled answers as guidance
// (guide.go): their productions become a prior for this task alone, mixed
// with the engine's own so that it holds a share weightPPM of the evidence,
// and a sample that is a program of the task's grammar and satisfies every
// constraint is the answer. The guidance prior is never kept: it may hold
// the task's own constants.
func (e *Engine) SolveGuided(ctx context.Context, task engine.Task, b engine.Budget, samples []string, weightPPM uint32) (engine.Result, GuideStats, error) {
	res := engine.Result{TaskID: task.ID, TaskHash: e.TaskHash(task.Spec), Answer: "(fail)"}
	p, err := sygus.Parse(string(task.Spec))
	if err != nil {
		return res, GuideStats{}, err
	}
	e.mu.Lock()
	opts := e.opts
	opts.Prior = e.prior
	if !task.Probe {
		e.local = append(e.local, ownTask{p, hex.EncodeToString(res.TaskHash[:])})
		if len(e.local) > maxLocal {
			e.local = e.local[len(e.local)-maxLocal:]
		}
	}
	e.mu.Unlock()
	var st GuideStats
	if len(samples) > 0 {
		start := time.Now()
		gp, gst, sol := Guide(p, samples)
		st = gst
		if sol != nil {
			res.Elapsed = time.Since(start)
			e.solved(&res, p, sol)
			return res, st, nil
		}
		if opts.Prior, err = mixGuide(opts.Prior, gp, weightPPM); err != nil {
			return res, st, err
		}
	}
	out, err := Synthesize(ctx, p, opts, Limits{Candidates: b.Candidates, Wall: b.Wall})
	if err != nil {
		return res, st, err
	}
	res.Candidates, res.Elapsed = out.Stats.Candidates, out.Stats.Elapsed
	if !out.Solved {
		res.Reason = out.Reason
		return res, st, nil
	}
	e.solved(&res, p, out.Term)
	return res, st, nil
}

func (e *Engine) solved(res *engine.Result, p *sygus.Problem, t *sygus.Term) {
	params := make([]string, len(p.Fun.Params))
	for i, v := range p.Fun.Params {
		params[i] = v.Sort.String()
	}
	res.Solved = true
	res.Answer = p.DefineFun(t)
	res.Program = Canonical(t)
	res.Signature = signature(params, p.Fun.Ret.String())
	res.Size = t.Size()
	res.Evidence = len(p.Constraints)
	res.Private = Secrets(p)
}

// MaxGuideWeightPPM caps the guidance's share of the evidence (99 %): the
// node's own prior always keeps a say, and the scaled counts stay far from
// overflow.
const MaxGuideWeightPPM = 990_000

// mixGuide adds the guidance prior g to pr, scaled so that it holds a share
// weightPPM of the evidence: against a learned prior of T tasks, g counts
// as weight/(1-weight)·T tasks; against a uniform one (or a smaller one
// than g), as weight/(1-weight) times its own samples.
func mixGuide(pr, g *Prior, weightPPM uint32) (*Prior, error) {
	if g.Tasks == 0 || weightPPM == 0 {
		return pr, nil
	}
	w := int64(min(weightPPM, MaxGuideWeightPPM))
	mass := max(pr.Tasks, g.Tasks) * w / (1_000_000 - w)
	s := NewPrior()
	s.Tasks = mass
	scale := func(v int64) int64 { return v * mass / g.Tasks }
	for k, v := range g.Ops {
		s.Ops[k] = scale(v)
	}
	for k, v := range g.Consts {
		s.Consts[k] = scale(v)
	}
	for k, v := range g.Ctx {
		s.Ctx[k] = scale(v)
	}
	return Merge([]Weighted{{pr, 1_000_000}, {s, 1_000_000}})
}

// Distill makes one artifact per solved result. The results must come from
// this engine's Solve, which records in Result.Private the example strings
// the artifact must keep clear of; a result built elsewhere without them
// gets no holes.
func (e *Engine) Distill(ctx context.Context, solved []engine.Result) ([]engine.Artifact, error) {
	var out []engine.Artifact
	for _, r := range solved {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		if !r.Solved {
			continue
		}
		params, ret, err := parseSignature(r.Signature)
		if err != nil {
			return out, err
		}
		pl, err := NewPayload(r.Program, params, ret, r.Private, []string{hex.EncodeToString(r.TaskHash[:])}, e.seed)
		if errors.Is(err, ErrConstantChecks) || errors.Is(err, ErrNoSafeChecks) || errors.Is(err, ErrTooManyHoles) {
			continue // nothing another node could verify without learning the task
		}
		if err != nil {
			return out, fmt.Errorf("distill %s: %w", r.TaskID, err)
		}
		a, err := artifactOf(pl, confidence(r.Evidence, r.Size))
		if err != nil {
			return out, err
		}
		out = append(out, a)
	}
	return out, nil
}

// artifactPrior is what a verified artifact teaches: its payload's counts
// and program, and the program's sub-programs as library entries
// (subLibrary), so that a field teaches the compositions a prior learned
// from the same solutions would (docs/collective.md).
func artifactPrior(pl *Payload, seed uint64) *Prior {
	pr := pl.Prior()
	t, err := ParseHoled(pl.Program, pl.Params, pl.Holes, pl.Ret)
	if err != nil {
		return pr // Verify parsed it; cannot happen
	}
	for _, e := range subLibrary(t, pl.Params, pl.Holes, seed) {
		if e.Program != pl.Program {
			pr.Library = append(pr.Library, e)
		}
	}
	return pr
}

func artifactOf(pl *Payload, conf engine.PPM) (engine.Artifact, error) {
	b, err := pl.Encode()
	if err != nil {
		return engine.Artifact{}, err
	}
	emb, err := Embed(pl)
	if err != nil {
		return engine.Artifact{}, err
	}
	return engine.Artifact{
		Manifest: engine.Manifest{Kind: Kind, Domain: Domain, Embedding: emb, Confidence: conf, PayloadSize: uint64(len(b))},
		Payload:  b,
	}, nil
}

// Embed computes the canonical embedding of an encoded payload.
func (e *Engine) Embed(payload []byte) (engine.Embedding, error) {
	pl, err := DecodePayload(payload)
	if err != nil {
		return engine.Embedding{}, err
	}
	return Embed(pl)
}

// Verify re-runs the artifact's check vectors, checks that its prior delta
// is exactly what its program implies and that the manifest matches, then
// scores usefulness on this node's own recent tasks: quality is 50% for a
// correct program plus 50% times the share of local tasks of the same
// signature on which the program satisfies at least one example.
func (e *Engine) Verify(ctx context.Context, a engine.Artifact) (engine.Verification, error) {
	if a.Manifest.Kind != Kind && a.Manifest.Kind != KindLLM || a.Manifest.Domain != Domain {
		return engine.Verification{Verdict: engine.VerdictUnavailable, Reason: fmt.Sprintf("kind %q / domain %q not handled by %s", a.Manifest.Kind, a.Manifest.Domain, e.Name())}, nil
	}
	pl, err := DecodePayload(a.Payload)
	if err != nil {
		return engine.Verification{Verdict: engine.VerdictInvalid, Reason: err.Error()}, nil
	}
	unavailable, invalid := pl.Validate()
	if unavailable != nil {
		return engine.Verification{Verdict: engine.VerdictUnavailable, Reason: unavailable.Error()}, nil
	}
	if invalid != nil {
		return engine.Verification{Verdict: engine.VerdictInvalid, Reason: invalid.Error()}, nil
	}
	if a.Manifest.PayloadSize != uint64(len(a.Payload)) {
		return engine.Verification{Verdict: engine.VerdictInvalid, Reason: "manifest payload size differs"}, nil
	}
	if emb, _ := Embed(pl); emb != a.Manifest.Embedding {
		return engine.Verification{Verdict: engine.VerdictInvalid, Reason: "manifest embedding differs from the payload's"}, nil
	}
	useful := e.usefulness(ctx, pl)
	return engine.Verification{Verdict: engine.VerdictValid, Quality: engine.MaxPPM/2 + engine.PPM(useful*float64(engine.MaxPPM/2))}, nil
}

func (e *Engine) usefulness(ctx context.Context, pl *Payload) float64 {
	e.mu.Lock()
	local := problems(e.local)
	e.mu.Unlock()
	t, err := ParseHoled(pl.Program, pl.Params, pl.Holes, pl.Ret)
	if err != nil {
		return 0
	}
	holes, _ := holeSorts(pl.Holes)
	sig := signature(pl.Params, pl.Ret)
	n, hit := 0, 0
	for _, p := range local {
		if ctx.Err() != nil {
			break
		}
		params := make([]string, len(p.Fun.Params))
		for i, v := range p.Fun.Params {
			params[i] = v.Sort.String()
		}
		if signature(params, p.Fun.Ret.String()) != sig {
			continue
		}
		n++
		// A holed program is tried with this task's own constants in its
		// holes.
		progs := fillHoles(t, len(params), holes, taskConstants(p), maxFills)
	task:
		for _, prog := range progs {
			for _, ex := range p.Examples {
				if v, err := p.Eval(prog, ex.In, nil); err == nil && v == ex.Out {
					hit++
					break task
				}
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(hit) / float64(n)
}

// Condition verifies each artifact of the field and merges the valid ones
// into the engine's prior, weighted: a field of N artifacts counts as N
// solved tasks, shared in proportion to the weights. Programs and their
// sub-programs join the library (artifactPrior). The update is adopted
// only if it does not do worse on the node's own tasks (guard); otherwise
// the report says why the field was turned down, and the node adopts only
// its own artifacts of the field (found by their provenance), weighed
// among themselves as its isolated twin weighs them, if they pass the
// same rule.
func (e *Engine) Condition(ctx context.Context, field []engine.WeightedArtifact) (engine.ConditionReport, error) {
	var rep engine.ConditionReport
	var total int64
	for _, w := range field {
		total += int64(w.Weight)
	}
	e.mu.Lock()
	cur, local := e.prior, problems(e.local)
	mine := make(map[string]bool, len(e.local))
	for _, t := range e.local {
		mine[t.hash] = true
	}
	e.mu.Unlock()
	ws := []Weighted{{cur, 1_000_000}}
	// own are the node's own artifacts (their provenance cites its own
	// tasks) with their field weights: what an isolated twin would keep.
	var own []engine.WeightedArtifact
	var ownPriors []*Prior
	var ownQuality []engine.PPM
	for i, w := range field {
		v, err := e.Verify(ctx, w.Artifact)
		if err != nil {
			return rep, err
		}
		if v.Verdict != engine.VerdictValid {
			rep.Rejected++
			rep.Reasons = append(rep.Reasons, fmt.Sprintf("artifact %d: %s: %s", i, v.Verdict, v.Reason))
			continue
		}
		pl, _ := DecodePayload(w.Artifact.Payload)
		aw := Weighted{artifactPrior(pl, e.seed), e.relevant(fieldWeight(w.Weight, len(field), total), v.Quality)}
		ws = append(ws, aw)
		for _, h := range pl.Provenance {
			if mine[h] {
				own, ownPriors, ownQuality = append(own, w), append(ownPriors, aw.Prior), append(ownQuality, v.Quality)
				break
			}
		}
		rep.Accepted++
	}
	m, err := merged(ws)
	if err != nil {
		return rep, err
	}
	if !e.opts.NoGuard && len(local) > 0 {
		why := e.guard(ctx, cur, m, local)
		if err := ctx.Err(); err != nil {
			return rep, err // a cancelled check decides nothing
		}
		if why != "" {
			rep.Kept = why
			// Turning the field down must not cost the node its own
			// work: an isolated twin would adopt its own artifacts, so
			// they are judged alone, weighed among themselves, by the
			// same rule.
			if len(own) == 0 || len(own) == len(ws)-1 {
				return rep, nil
			}
			var ownTotal int64
			for _, w := range own {
				ownTotal += int64(w.Weight)
			}
			ows := []Weighted{{cur, 1_000_000}}
			for i, w := range own {
				ows = append(ows, Weighted{ownPriors[i], e.relevant(fieldWeight(w.Weight, len(own), ownTotal), ownQuality[i])})
			}
			if m, err = merged(ows); err != nil {
				return rep, err
			}
			why = e.guard(ctx, cur, m, local)
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			if why != "" {
				return rep, nil
			}
			rep.Kept += fmt.Sprintf("; adopted its own %d artifacts of the field", len(own))
		}
	}
	e.mu.Lock()
	e.prior = m
	e.mu.Unlock()
	return rep, nil
}

// fieldWeight is the merge weight of an artifact of field weight w in a
// field of n artifacts whose weights sum to total: n artifacts count as n
// solved tasks, shared in proportion to the weights, none above one.
func fieldWeight(w engine.PPM, n int, total int64) int64 {
	if total <= 0 {
		return 1_000_000
	}
	return max(1, min(1_000_000, int64(w)*int64(n)*1_000_000/total))
}

// relevant scales an artifact's merge weight by its verified quality when
// the engine weighs relevance (Options.Relevance): a correct program that
// fits none of the node's own tasks has quality one half, one that fits
// all of them quality one.
func (e *Engine) relevant(w int64, q engine.PPM) int64 {
	if !e.opts.Relevance {
		return w
	}
	return max(1, w*int64(min(q, engine.MaxPPM))/int64(engine.MaxPPM))
}

// merged merges a prior and the artifacts' priors, the library capped.
func merged(ws []Weighted) (*Prior, error) {
	m, err := Merge(ws)
	if err != nil {
		return nil, err
	}
	if len(m.Library) > 4*maxLibrary {
		m.Library = m.Library[:4*maxLibrary]
	}
	return m, nil
}

// DefaultGuardCandidates is the candidate budget at which the guard
// compares priors on the node's own tasks when Options.GuardCandidates is
// not set: the budget the collective is measured at (docs/collective.md).
const DefaultGuardCandidates = 10_000

// guard decides whether the updated prior next may replace cur: it must
// solve at least as many of the node's own tasks at GuardCandidates
// candidates, and on a tie spend no more candidates. It returns why not,
// or "" to adopt. The own tasks are the node's private data and this
// check never leaves the node; a field that teaches other families than
// the node's is kept out, so conditioning does not drag a node below what
// it had.
func (e *Engine) guard(ctx context.Context, cur, next *Prior, local []*sygus.Problem) string {
	so, co := e.fit(ctx, cur, local)
	sn, cn := e.fit(ctx, next, local)
	if sn < so || (sn == so && cn > co) {
		return fmt.Sprintf("turned the field down: with the update it solves %d of its %d own tasks at %d candidates (%d candidates spent), without it %d (%d)", sn, len(local), e.guardCandidates(), cn, so, co)
	}
	return ""
}

// guardCandidates is the guard's budget per own task.
func (e *Engine) guardCandidates() int64 {
	if e.opts.GuardCandidates > 0 {
		return e.opts.GuardCandidates
	}
	return DefaultGuardCandidates
}

// fit solves the tasks under prior pr at a fixed budget: how many it
// solves and the candidates it spends (an unsolved task costs the budget).
func (e *Engine) fit(ctx context.Context, pr *Prior, tasks []*sygus.Problem) (int, int64) {
	budget := e.guardCandidates()
	opts := e.opts
	opts.Prior = pr
	solved, cand := 0, int64(0)
	for _, p := range tasks {
		out, err := Synthesize(ctx, p, opts, Limits{Candidates: budget})
		if err == nil && out.Solved {
			solved++
			cand += out.Stats.Candidates
		} else {
			cand += budget
		}
	}
	return solved, cand
}
