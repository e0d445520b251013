package cmd

import (
	"fmt"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// The benchmarks check that the learning tasks and the evaluated ones
// share no input/output example (sygus.SharedExamples) and refuse to
// report otherwise unless told to.

// Sample labels in reports.
const (
	sampleOut       = "out-of-sample"
	sampleIn        = "in-sample"
	sampleUnchecked = "unchecked"
	sampleNone      = "no-learning"
)

// errOverlap is the refusal, with what to do about it.
func errOverlap(what string, pairs []string) error {
	eg := pairs[0]
	if len(pairs) > 1 {
		eg += fmt.Sprintf(" (and %d more)", len(pairs)-1)
	}
	return fmt.Errorf("%s share input/output examples: %s; rates measured on them would be in-sample. "+
		"Learn from tasks disjoint from the evaluated ones, or pass --allow-overlap to measure anyway and report the figures as in-sample", what, eg)
}

func problemsOf(ts []*task) []sygus.Named {
	out := make([]sygus.Named, len(ts))
	for i, t := range ts {
		out[i] = sygus.Named{Name: t.name, P: t.p}
	}
	return out
}
