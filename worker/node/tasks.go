package node

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/h3lix/h3lix/worker/engine"
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
