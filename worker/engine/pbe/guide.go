package pbe

import (
	"strings"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// Guidance from free text (HYSYNTH, Barke et al., NeurIPS 2024): a language
// model's sampled answers to a task are read for terms of the task's
// grammar, their productions are counted into a prior for this task alone,
// and the bottom-up search runs under that prior mixed with the node's
// own. The model never answers for the engine: a sample that already
// satisfies every constraint is still checked here, and anything else only
// changes the order in which the search tries programs.

// GuideStats says what Guide took from the samples.
type GuideStats struct {
	Samples int `json:"samples"`
	// Parsed counts samples with a whole body of the task's return sort.
	Parsed int `json:"parsed"`
	// Partial counts samples with only fragments.
	Partial int `json:"partial"`
	// Fragments counts the terms counted, whole and partial.
	Fragments int `json:"fragments"`
	// Productions counts production occurrences added to the prior.
	Productions int `json:"productions"`
}

// maxFragmentsPerSample bounds the terms read from one sample.
const maxFragmentsPerSample = 64

// Guide learns a task-specific prior from samples. A whole body counts as
// one observation of each of its productions; a fragment of a sample that
// gave no whole body counts half, as it says less about the answer's shape.
// The prior's Tasks is the number of samples that gave anything, so its
// weight against a learned prior grows with the evidence. solution is a
// whole body that is in the task's grammar and satisfies every constraint,
// or nil.
func Guide(p *sygus.Problem, samples []string) (pr *Prior, st GuideStats, solution *sygus.Term) {
	pr = NewPrior()
	st.Samples = len(samples)
	g, err := compileGrammar(p)
	if err != nil {
		return pr, st, nil
	}
	for _, s := range samples {
		frags := p.Fragments(s, maxFragmentsPerSample)
		whole := false
		for _, f := range frags {
			whole = whole || f.Whole
		}
		if len(frags) == 0 {
			continue
		}
		if whole {
			st.Parsed++
		} else {
			st.Partial++
		}
		pr.Tasks += milli
		for _, f := range frags {
			if whole && !f.Whole {
				continue
			}
			w := int64(milli)
			if !whole {
				w = milli / 2
			}
			st.Fragments++
			for _, k := range termKeys(f.Term, len(p.Fun.Params)) {
				if strings.HasPrefix(k, "c:") {
					pr.Consts[k] += w
				} else {
					pr.Ops[k] += w
				}
				st.Productions++
			}
			for _, k := range ctxKeys(f.Term, len(p.Fun.Params)) {
				pr.Ctx[k] += w
			}
			if f.Whole && solution == nil && g.derives(g.start, f.Term, map[derivation]bool{}) && p.Check(f.Term) == nil {
				solution = f.Term
			}
		}
	}
	return pr, st, solution
}

type derivation struct {
	nt int
	t  *sygus.Term
}

// derives reports whether non-terminal nt of g produces t, so that an
// answer taken from outside the search is a program of the task's grammar.
// memo makes it linear in the term times the grammar, and marks a pair
// false while it is being tried, so a cyclic grammar (A -> B -> A) cannot
// loop.
func (g *grammar) derives(nt int, t *sygus.Term, memo map[derivation]bool) bool {
	key := derivation{nt, t}
	if ok, seen := memo[key]; seen {
		return ok
	}
	memo[key] = false
	ok := g.derivesOnce(nt, t, memo)
	memo[key] = ok
	return ok
}

func (g *grammar) derivesOnce(nt int, t *sygus.Term, memo map[derivation]bool) bool {
	for _, id := range g.nts[nt].prods {
		pd := &g.prods[id]
		switch pd.kind {
		case pkConst:
			if t.Kind == sygus.TermConst && t.Val == pd.val {
				return true
			}
		case pkVar:
			if t.Kind == sygus.TermVar && t.Index == pd.varIdx {
				return true
			}
		case pkChain:
			if g.derives(pd.args[0], t, memo) {
				return true
			}
		case pkOp:
			if t.Kind != sygus.TermApp || t.Op != pd.op || len(t.Args) != len(pd.args) {
				continue
			}
			ok := true
			for i, a := range t.Args {
				if !g.derives(pd.args[i], a, memo) {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

// Exemplars renders up to n programs of the engine's library that map the
// task's parameter sorts to its return sort, most used first, as define-funs
// of the task's function: few-shot examples for a language model. After
// Condition the library holds the field's verified programs.
func (e *Engine) Exemplars(p *sygus.Problem, n int) []string {
	e.mu.Lock()
	lib := e.prior.Library
	e.mu.Unlock()
	params := make([]string, len(p.Fun.Params))
	for i, v := range p.Fun.Params {
		params[i] = v.Sort.String()
	}
	want := signature(params, p.Fun.Ret.String())
	var consts []sygus.Value
	var out []string
	for _, le := range lib {
		if len(out) >= n {
			break
		}
		if signature(le.Params, le.Ret) != want {
			continue
		}
		t, err := ParseHoled(le.Program, le.Params, le.Holes, le.Ret)
		if err != nil {
			continue
		}
		if len(le.Holes) > 0 {
			// The holes take the task's own constants: the prompt stays
			// on this machine.
			if consts == nil {
				consts = taskConstants(p)
			}
			hs, _ := holeSorts(le.Holes)
			fs := fillHoles(t, len(params), hs, consts, 1)
			if len(fs) == 0 {
				continue
			}
			t = fs[0]
		}
		sygus.NameVars(t, p.Fun.Params)
		out = append(out, p.DefineFun(t))
	}
	return out
}
