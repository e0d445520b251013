package cmd

import (
	"fmt"
	"strings"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// A rate measured on tasks the prior was learned from is in-sample, and
// says little about a new user's tasks. The benchmarks check that the
// learning tasks and the evaluated ones share no input/output example, as
// ../shared/bench/sygus-pbe/check-disjoint.py does (but on parsed examples,
// so spacing and parameter names do not hide a repeat), and refuse to
// report otherwise unless told to.

// Sample labels in reports.
const (
	sampleOut       = "out-of-sample"
	sampleIn        = "in-sample"
	sampleUnchecked = "unchecked"
	sampleNone      = "no-learning"
)

// namedProblem is a parsed task with its file name.
type namedProblem struct {
	name string
	p    *sygus.Problem
}

func exampleKey(ex sygus.Example) string {
	var b strings.Builder
	for _, v := range ex.In {
		b.WriteString(v.String())
		b.WriteByte(' ')
	}
	b.WriteString("-> ")
	b.WriteString(ex.Out.String())
	return b.String()
}

func exampleKeys(p *sygus.Problem) map[string]bool {
	keys := map[string]bool{}
	for _, ex := range p.Examples {
		keys[exampleKey(ex)] = true
	}
	return keys
}

// sharedExamples lists, as "a.sl and b.sl", the pairs of a task of as and a
// task of bs that share an input/output example.
func sharedExamples(as, bs []namedProblem) []string {
	keys := make([]map[string]bool, len(bs))
	for i, b := range bs {
		if b.p != nil {
			keys[i] = exampleKeys(b.p)
		}
	}
	var out []string
	for _, a := range as {
		if a.p == nil {
			continue
		}
		ka := make([]string, len(a.p.Examples))
		for j, ex := range a.p.Examples {
			ka[j] = exampleKey(ex)
		}
		for i, b := range bs {
			for _, k := range ka {
				if keys[i][k] {
					out = append(out, a.name+" and "+b.name)
					break
				}
			}
		}
	}
	return out
}

// errOverlap is the refusal, with what to do about it.
func errOverlap(what string, pairs []string) error {
	eg := pairs[0]
	if len(pairs) > 1 {
		eg += fmt.Sprintf(" (and %d more)", len(pairs)-1)
	}
	return fmt.Errorf("%s share input/output examples: %s; rates measured on them would be in-sample. "+
		"Learn from tasks disjoint from the evaluated ones, or pass --allow-overlap to measure anyway and report the figures as in-sample", what, eg)
}

func problemsOf(ts []*task) []namedProblem {
	out := make([]namedProblem, len(ts))
	for i, t := range ts {
		out[i] = namedProblem{name: t.name, p: t.p}
	}
	return out
}
