package node

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
	"github.com/h3lix/h3lix/worker/engine/pbe/taskgen"
)

// GenPrefix marks a generated task stream in round.tasks_dir: "gen:SEED".
const GenPrefix = "gen:"

// genValidation is how many generated tasks are held back for the
// learning curve.
const genValidation = 8

// genSource is an endless private task stream from a seed: tasks
// 0..genValidation-1 are the validation split, the rest are worked on.
type genSource struct{ seed uint64 }

func (g genSource) Tasks(from, n int) ([]engine.Task, error) {
	ts, err := taskgen.GenerateRange(g.seed, genValidation+from, n, taskgen.Options{})
	if err != nil {
		return nil, err
	}
	return toEngineTasks(ts), nil
}

func toEngineTasks(ts []taskgen.Task) []engine.Task {
	out := make([]engine.Task, len(ts))
	for i, t := range ts {
		out[i] = engine.Task{ID: t.Name, Spec: t.Spec}
	}
	return out
}

// TaskStream parses "gen:SEED" into a generated stream and its validation
// split; ok is false for anything else (a directory).
func TaskStream(spec string) (src genSource, validation []engine.Task, ok bool, err error) {
	if !strings.HasPrefix(spec, GenPrefix) {
		return genSource{}, nil, false, nil
	}
	seed, err := strconv.ParseUint(strings.TrimPrefix(spec, GenPrefix), 10, 64)
	if err != nil {
		return genSource{}, nil, true, fmt.Errorf("round.tasks_dir %q: want gen:SEED with a number, e.g. gen:7", spec)
	}
	val, err := taskgen.Generate(seed, genValidation, taskgen.Options{})
	if err != nil {
		return genSource{}, nil, true, err
	}
	return genSource{seed: seed}, toEngineTasks(val), true, nil
}

// HeldOutTasks loads round.validation_dir: every task in it is held out
// for the learning curve, and the share of the node's own tasks that would
// otherwise be held back goes back to work. It refuses a held-out task
// that shares an input/output example with a work task, which would make
// the curve in-sample. (A generated stream cannot be checked whole; its
// tasks come from a seed, not from any benchmark.)
func HeldOutTasks(dir string, work, split []engine.Task) ([]engine.Task, error) {
	held, _, err := LoadTasks(dir, 0)
	if err != nil {
		return nil, fmt.Errorf("round.validation_dir: %w", err)
	}
	named := func(ts []engine.Task) ([]sygus.Named, error) {
		out := make([]sygus.Named, len(ts))
		for i, t := range ts {
			p, err := sygus.Parse(string(t.Spec))
			if err != nil {
				return nil, fmt.Errorf("task %s: %w", t.ID, err)
			}
			out[i] = sygus.Named{Name: t.ID, P: p}
		}
		return out, nil
	}
	h, err := named(held)
	if err != nil {
		return nil, fmt.Errorf("round.validation_dir %s: %w", dir, err)
	}
	w, err := named(append(work, split...))
	if err != nil {
		return nil, err
	}
	if pairs := sygus.SharedExamples(h, w); len(pairs) > 0 {
		return nil, fmt.Errorf("round.validation_dir %s and the work tasks share input/output examples (%s, %d pair(s) in all): "+
			"the learning curve would be in-sample; hold out tasks disjoint from round.tasks_dir", dir, pairs[0], len(pairs))
	}
	return held, nil
}
