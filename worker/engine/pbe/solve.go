package pbe

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// Options tune the synthesizer. The zero value is a uniform prior without
// just-in-time updates.
type Options struct {
	// Prior weights the grammar's productions; nil means uniform.
	Prior *Prior
	// JIT enables Probe-style just-in-time updates: productions used by
	// partial solutions get cheaper and the search restarts.
	JIT bool
	// MaxBank bounds the number of stored programs. Default: no bound but
	// MemBudget (and the int32 indices of the banks).
	MaxBank int
	// MemBudget bounds the memory of the stored programs, in bytes of
	// estimated peak resident size (memory.go); the search stops with
	// "program bank full" when it is reached. Default DefaultMemBudget.
	MemBudget int64
	// MaxCost stops the search at this program cost. Default 400.
	MaxCost int
	// IteDelay is how many cost levels past the first full cover by
	// several programs the search keeps looking for a single program before
	// it builds a conditional. Default 2.
	IteDelay int
	// MaxLeaves bounds the branches of a learned conditional. Default 4.
	MaxLeaves int
	// Library bounds how many library programs of the prior are offered
	// as leaves. Default 24; negative disables the library.
	Library int
	// NoSplit disables the decomposition of string outputs into
	// concatenations of stored programs (split.go).
	NoSplit bool
	// NoGuard makes Condition adopt every update, even one that solves
	// fewer of the node's own tasks (Engine.guard).
	NoGuard bool
	// GuardCandidates is the candidate budget per own task at which the
	// guard compares priors: the budget the node solves at, when it solves
	// at one. 0 means DefaultGuardCandidates. A fixed candidate budget,
	// not time, keeps the check the same on every machine and load.
	GuardCandidates int64
	// Relevance makes Condition weigh each verified artifact of a field by
	// its verified quality, which grows with its use on the node's own
	// recent tasks (Engine.Verify): an artifact that fits none of them
	// counts half as much as one that fits all. Personal nodes, whose next
	// tasks look like their last ones, want it; a node judged on tasks
	// unlike its own does not (docs/collective.md, "Relevance").
	Relevance bool
	// TaskKey keys the provenance hashes of the engine's artifacts
	// (Engine.TaskHash). Nil means a random key per engine.
	TaskKey []byte
}

func (o *Options) defaults() {
	if o.MaxBank <= 0 {
		o.MaxBank = 1<<31 - 1
	}
	if o.MemBudget <= 0 {
		o.MemBudget = DefaultMemBudget
	}
	if o.MaxCost <= 0 {
		o.MaxCost = 400
	}
	if o.IteDelay <= 0 {
		o.IteDelay = 2
	}
	if o.MaxLeaves <= 0 {
		o.MaxLeaves = 4
	}
	if o.Library == 0 {
		o.Library = 24
	}
}

// Limits bound one synthesis run.
type Limits struct {
	Candidates int64
	Wall       time.Duration
}

// Stats describe a synthesis run.
type Stats struct {
	Candidates int64
	Levels     int // cost levels completed, summed over restarts
	Restarts   int // JIT restarts
	Rounds     int // counterexample rounds over the example set
	Bank       int // programs stored in the last search
	// Memory is the largest memory estimate of its searches in bytes
	// (memory.go):
	// what the budget is compared with.
	Memory  int64
	Elapsed time.Duration
}

// Outcome is the result of Synthesize.
type Outcome struct {
	Solved bool
	Term   *sygus.Term // the solution over the problem's parameter names
	Stats  Stats
	Reason string // why an unsolved search stopped
}

// ErrNotPBE is returned for problems whose constraints are not examples.
var ErrNotPBE = errors.New("not a programming-by-example problem")

// Synthesize searches for a program satisfying every example of p.
func Synthesize(ctx context.Context, p *sygus.Problem, opt Options, lim Limits) (Outcome, error) {
	start := time.Now()
	opt.defaults()
	if p.NonPBE != "" {
		return Outcome{}, fmt.Errorf("%w: %s", ErrNotPBE, p.NonPBE)
	}
	g, err := compileGrammar(p)
	if err != nil {
		return Outcome{}, err
	}
	examples := dedupe(p.Examples)
	for _, ex := range examples {
		if ex.Out.Sort != p.Fun.Ret {
			return Outcome{}, fmt.Errorf("line %d: example output has sort %s, %s returns %s", ex.Line, ex.Out.Sort, p.Fun.Name, p.Fun.Ret)
		}
	}
	if conflict := conflicting(examples); conflict != "" {
		return Outcome{Reason: conflict, Stats: Stats{Elapsed: time.Since(start)}}, nil
	}
	proposeConstants(p, g)
	selectLibrary(p, g, opt.Prior, opt.Library)
	base := baseWeights(g, opt.Prior)
	ascii := taskIsASCII(p, g)

	var cand int64
	var deadline time.Time
	if lim.Wall > 0 {
		deadline = start.Add(lim.Wall)
	}
	out := Outcome{}
	active := initialExamples(examples)
	fit := make([]float64, len(g.prods))
	var used int64 // the previous round's bank, garbage now
	for round := 1; ; round++ {
		collectDiscarded(used)
		out.Stats.Rounds = round
		sub := make([]sygus.Example, len(active))
		for i, k := range active {
			sub[i] = examples[k]
		}
		s := newSearcher(g, sub, ascii)
		s.ctx, s.deadline, s.maxCand, s.candidates, s.maxBank, s.memBudget = ctx, deadline, lim.Candidates, &cand, opt.MaxBank, opt.MemBudget
		s.libVals = libValues(p, g, sub)
		term, err := s.search(p, base, fit, opt, &out.Stats)
		out.Stats.Candidates = cand
		out.Stats.Bank = s.bankSize
		out.Stats.Memory = max(out.Stats.Memory, s.memEstimate())
		used = s.memUsed
		if term == nil {
			out.Reason = err.Error()
			out.Stats.Elapsed = time.Since(start)
			return out, nil
		}
		failing := failingExamples(p, term, examples, 2)
		if len(failing) == 0 {
			if err := p.Check(term); err != nil {
				return out, fmt.Errorf("internal error: solution %s passes the examples but not the constraints: %v", term, err)
			}
			out.Solved, out.Term = true, term
			out.Stats.Elapsed = time.Since(start)
			return out, nil
		}
		active = append(active, failing...)
	}
}

func dedupe(exs []sygus.Example) []sygus.Example {
	var out []sygus.Example
	seen := map[string]bool{}
	for _, ex := range exs {
		k := exampleKey(append(append([]sygus.Value(nil), ex.In...), ex.Out))
		if !seen[k] {
			seen[k] = true
			out = append(out, ex)
		}
	}
	return out
}

// exampleKey encodes values unambiguously: per value its sort, then the
// integer's 8 bytes, the boolean's byte, or the string's length and bytes.
// (Quoting them as SMT-LIB literals was a tenth of a search's setup.)
func exampleKey(vs []sygus.Value) string {
	b := make([]byte, 0, 64)
	for _, v := range vs {
		b = append(b, byte(v.Sort))
		switch v.Sort {
		case sygus.SortInt:
			b = binary.BigEndian.AppendUint64(b, uint64(v.Int))
		case sygus.SortBool:
			if v.Bool {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		default:
			b = binary.AppendUvarint(b, uint64(len(v.Str)))
			b = append(b, v.Str...)
		}
	}
	return string(b)
}

func conflicting(exs []sygus.Example) string {
	seen := map[string]sygus.Example{}
	for _, ex := range exs {
		k := exampleKey(ex.In)
		if prev, ok := seen[k]; ok && prev.Out != ex.Out {
			return fmt.Sprintf("unsatisfiable: lines %d and %d give the same input different outputs", prev.Line, ex.Line)
		}
		seen[k] = ex
	}
	return ""
}

// initialExamples picks the examples the first round synthesizes from; the
// rest are checked afterwards and failures added (counterexample rounds).
func initialExamples(exs []sygus.Example) []int {
	n := len(exs)
	k := n
	if n > 10 {
		k = 6
	}
	out := make([]int, k)
	for i := range out {
		out[i] = i * n / k // spread over the file
	}
	return out
}

func failingExamples(p *sygus.Problem, t *sygus.Term, exs []sygus.Example, limit int) []int {
	var out []int
	for i, ex := range exs {
		v, err := p.Eval(t, ex.In, nil)
		if err != nil || v != ex.Out {
			out = append(out, i)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}

func taskIsASCII(p *sygus.Problem, g *grammar) bool {
	for _, ex := range p.Examples {
		for _, v := range append(append([]sygus.Value(nil), ex.In...), ex.Out) {
			if v.Sort == sygus.SortString && !sygus.IsASCII(v.Str) {
				return false
			}
		}
	}
	for _, pr := range g.prods {
		if pr.kind == pkConst && pr.val.Sort == sygus.SortString && !sygus.IsASCII(pr.val.Str) {
			return false
		}
		if pr.kind == pkOp && pr.op == sygus.OpFromCode {
			return false // can produce any code point
		}
	}
	return true
}

// costsFrom turns production weights into integer costs, Probe-style:
// cost = round(-log2 P(prod | NT)), at least 1.
func costsFrom(g *grammar, w []float64) []int {
	costs := make([]int, len(g.prods))
	for _, nt := range g.nts {
		var sum float64
		for _, id := range nt.prods {
			if g.prods[id].weighed() {
				sum += w[id]
			}
		}
		for _, id := range nt.prods {
			if pd := g.prods[id]; !pd.weighed() {
				costs[id] = g.prods[id].lib.cost
				continue
			}
			c := int(math.Round(-math.Log2(w[id] / sum)))
			if c < 1 {
				c = 1
			}
			costs[id] = c
		}
	}
	return costs
}

// jitWarmup is how many candidates a search spends before JIT updates
// start: a restart costs the whole bank, which only pays on searches that
// are not about to finish anyway (measured, docs/pbe-engine.md).
const jitWarmup = 200_000

// search runs cost levels until a solution, a stop, or the cost bound.
//
// fit holds, per production, the best share of examples a partial solution
// using it satisfied (JIT). It is shared by the counterexample rounds of one
// problem, so what one round learned is where the next one starts.
func (s *searcher) search(p *sygus.Problem, base, fit []float64, opt Options, st *Stats) (*sygus.Term, error) {
	// Probe's update p <- p^(1-fit) is on probabilities (p < 1, so a
	// production of a partial solution gets likelier); base weights are
	// unnormalized and may exceed 1.
	prob := probabilities(s.g, base)
	weights := jitWeights(prob, fit)
	s.setCosts(weights, opt.Prior)
	s.eff = make([][][]span, len(s.cx.deltas))
	coverLevel := -1
	idle := 0
	maxProd := s.cx.maxD
	for _, c := range s.costs {
		maxProd = max(maxProd, c+s.cx.maxD)
	}
	for c := 1; c <= opt.MaxCost; c++ {
		before := s.bankSize
		if !s.runLevel(c) {
			if s.solution >= 0 {
				return s.term(p, s.g.start, s.solution), nil
			}
			return nil, s.err
		}
		st.Levels++
		if s.bankSize == before {
			idle++
			if idle > 3*maxProd+3 {
				return nil, errExhausted
			}
		} else {
			idle = 0
		}
		if !opt.NoSplit {
			if t := s.trySplit(p); t != nil {
				return t, nil
			}
		}
		if s.g.ite >= 0 && s.m > 1 && s.m <= 64 {
			if coverLevel < 0 && s.covered() {
				coverLevel = c
			}
			if coverLevel >= 0 && c >= coverLevel+opt.IteDelay {
				if t := s.conditional(p, opt.MaxLeaves); t != nil {
					return t, nil
				}
			}
		}
		if opt.JIT && len(s.newPartials) > 0 && st.Restarts < 32 && *s.candidates >= jitWarmup {
			changed := false
			for _, idx := range s.newPartials {
				f := float64(popcount(s.startMask[idx])) / float64(min(s.m, 64))
				for _, pid := range s.prodsUsed(s.g.start, idx, nil) {
					if f > fit[pid] {
						fit[pid] = f
						changed = true
					}
				}
			}
			s.newPartials = s.newPartials[:0]
			if changed {
				weights = jitWeights(prob, fit)
				old := s.cx
				s.setCosts(weights, opt.Prior)
				if !sameCosts(old, s.cx) {
					maxProd = 0
					for _, c := range s.costs {
						maxProd = max(maxProd, c+s.cx.maxD)
					}
					st.Restarts++
					used := s.memUsed
					s.reset()
					collectDiscarded(used)
					c = 0
					coverLevel = -1
					idle = 0
				}
			}
		}
	}
	return nil, errExhausted
}

// jitWeights is Probe's update: p^(1-fit) per production.
func jitWeights(prob, fit []float64) []float64 {
	w := make([]float64, len(prob))
	for i := range w {
		w[i] = math.Pow(prob[i], 1-fit[i])
	}
	return w
}

// probabilities normalizes weights per non-terminal (library leaves keep
// their fixed cost and are left out; proposed words are weighed).
func probabilities(g *grammar, w []float64) []float64 {
	p := append([]float64(nil), w...)
	for _, nt := range g.nts {
		var sum float64
		for _, id := range nt.prods {
			if g.prods[id].weighed() {
				sum += w[id]
			}
		}
		for _, id := range nt.prods {
			if g.prods[id].weighed() && sum > 0 {
				p[id] = w[id] / sum
			}
		}
	}
	return p
}

func sameCosts(a, b *ctxTable) bool {
	for i := range a.base {
		if a.base[i] != b.base[i] {
			return false
		}
	}
	for i := range a.deltas {
		for j := range a.deltas[i] {
			if a.deltas[i][j] != b.deltas[i][j] {
				return false
			}
		}
	}
	return true
}

// covered reports whether the stored start programs together satisfy every
// active example.
func (s *searcher) covered() bool {
	var u uint64
	for _, m := range s.startMask {
		u |= m
	}
	return u == s.fullMask
}
