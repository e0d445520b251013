package pbe

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// Differentially private priors. A learned prior is counts over a node's
// solved tasks; publishing it exactly tells an observer something about
// each task. LearnPrivate releases the counts with ε-differential privacy
// with respect to adding or removing one task:
//
//   - each task contributes one unit of mass, spread over the production
//     and constant keys of its (holed) program in proportion to their use,
//     and one unit to Tasks, so one task moves the counts by at most 2 in
//     L1 (dpSensitivity);
//   - every key of a fixed public domain (dpDomain: operators, variables
//     and holes by sort, the empty string, single printable characters,
//     one-digit integers, booleans) gets Laplace noise of scale 2/ε,
//     whether the data used it or not, so the released key set says
//     nothing; a constant outside the domain counts as a hole of its sort;
//   - what is released is post-processed (scaled to about a program's
//     size, rounded to milli, dropped below twice the noise scale), which
//     costs no privacy.
//
// Context counts and the library are not released: a context key or a
// library program supported by a handful of tasks cannot clear the noise
// at ε ≤ 4 with tens of tasks, and releasing them would need a δ.

// dpSensitivity is the L1 change one task can cause, in observations.
const dpSensitivity = 2

// dpScale turns a task's unit of mass back into about the node counts of a
// program, so a private prior weighs like a learned one.
const dpScale = 10

// dpDomain is the fixed key set a private prior may release.
var dpDomain = func() []string {
	set := map[string]bool{}
	sorts := []sygus.Sort{sygus.SortInt, sygus.SortString, sygus.SortBool}
	for op := sygus.Op(1); op.Name() != "?"; op++ {
		for _, s := range sorts {
			set[opKey(op, s)] = true
		}
	}
	for _, s := range sorts {
		set[varKey(s)] = true
	}
	set[holeKey(sygus.SortString)], set[holeKey(sygus.SortInt)] = true, true
	set[constKey(sygus.StrVal(""))] = true
	for c := byte(32); c < 127; c++ {
		set[constKey(sygus.StrVal(string(c)))] = true
	}
	for i := int64(-9); i <= 9; i++ {
		set[constKey(sygus.IntVal(i))] = true
	}
	set[constKey(sygus.BoolVal(true))], set[constKey(sygus.BoolVal(false))] = true, true
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}()

var inDPDomain = func() map[string]bool {
	m := make(map[string]bool, len(dpDomain))
	for _, k := range dpDomain {
		m[k] = true
	}
	return m
}()

// dpMass is the noise-free release: each task's unit of mass over the
// domain keys of its program, and the number of tasks, in observations.
// A task's share depends on its own program only (every constant outside
// the domain, which holds no string of two characters, counts as a hole),
// so removing one task changes nothing else.
func dpMass(solved []Solved) (map[string]float64, float64) {
	mass := map[string]float64{}
	var tasks float64
	for _, s := range solved {
		keys := termKeys(s.Term, len(s.Problem.Fun.Params))
		tasks++
		for _, k := range keys {
			if !inDPDomain[k] {
				k = holeKey(constSort(k))
			}
			mass[k] += 1 / float64(len(keys))
		}
	}
	return mass, tasks
}

// LearnPrivate learns a prior from solved tasks and releases it with
// ε-differential privacy (ε = epsMilli/1000) per published prior; the
// prior records ε in DPEpsilonMilli. epsMilli 0 releases the same format
// without noise (ε = ∞), to separate the cost of the format from the cost
// of the noise. noise must be unpredictable to anyone who sees the prior
// (seed it from crypto/rand); a fixed seed is for experiments only.
func LearnPrivate(solved []Solved, epsMilli uint32, noise *rand.Rand) (*Prior, error) {
	mass, tasks := dpMass(solved)
	b := 0.0
	if epsMilli > 0 {
		if noise == nil {
			return nil, fmt.Errorf("private prior: a noise source is required for ε = %.3f", float64(epsMilli)/1000)
		}
		b = dpSensitivity * 1000 / float64(epsMilli)
	}
	laplace := func() float64 {
		if b == 0 {
			return 0
		}
		return b * (noise.ExpFloat64() - noise.ExpFloat64())
	}
	p := NewPrior()
	p.DPEpsilonMilli = epsMilli
	p.Tasks = int64(math.Round(max(1, tasks+laplace()) * milli))
	for _, k := range dpDomain {
		v := mass[k] + laplace()
		if v <= 2*b || v <= 0 {
			continue
		}
		c := int64(math.Round(v * dpScale * milli))
		if strings.HasPrefix(k, "c:") {
			p.Consts[k] = c
		} else {
			p.Ops[k] = c
		}
	}
	return p, nil
}
