package taskgen_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/pbe"
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
	"github.com/h3lix/h3lix/worker/engine/pbe/taskgen"
)

func generate(t testing.TB, seed uint64, n int, opts taskgen.Options) []taskgen.Task {
	t.Helper()
	ts, err := taskgen.Generate(seed, n, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != n {
		t.Fatalf("got %d tasks, want %d", len(ts), n)
	}
	return ts
}

// family strips the hash from a task name.
func family(name string) string { return name[:strings.LastIndexByte(name, '-')] }

// checkTask asserts what every generated task promises: it parses, has the
// advertised shape, and its reference satisfies every example without being
// a trivial answer.
func checkTask(t testing.TB, task taskgen.Task, minEx, maxEx int) {
	t.Helper()
	p, err := sygus.Parse(string(task.Spec))
	if err != nil {
		t.Fatalf("%s does not parse: %v\n%s", task.Name, err, task.Spec)
	}
	if p.NonPBE != "" || len(p.Examples) < minEx || len(p.Examples) > maxEx {
		t.Fatalf("%s: %d examples (%s)", task.Name, len(p.Examples), p.NonPBE)
	}
	if n := len(p.Fun.Params); n < 1 || n > 2 {
		t.Fatalf("%s: %d parameters", task.Name, n)
	}
	for _, v := range p.Fun.Params {
		if v.Sort != sygus.SortString && v.Sort != sygus.SortInt {
			t.Fatalf("%s: parameter %s of sort %s", task.Name, v.Name, v.Sort)
		}
	}
	if p.Fun.Grammar == nil || p.Reference != nil {
		t.Fatalf("%s: want a grammar and no reference in the spec", task.Name)
	}
	ref, err := p.ParseBody(task.Program)
	if err != nil {
		t.Fatalf("%s: reference %s: %v", task.Name, task.Program, err)
	}
	if err := p.Check(ref); err != nil {
		t.Fatalf("%s: reference %s: %v\n%s", task.Name, task.Program, err, task.Spec)
	}
	allEqual := true
	copies := make([]bool, len(p.Fun.Params))
	for i := range copies {
		copies[i] = true
	}
	for _, ex := range p.Examples {
		allEqual = allEqual && ex.Out == p.Examples[0].Out
		for i, in := range ex.In {
			copies[i] = copies[i] && in == ex.Out
		}
	}
	if allEqual || slices.Contains(copies, true) {
		t.Fatalf("%s is degenerate:\n%s", task.Name, task.Spec)
	}
	if task.Name != family(task.Name)+"-"+task.Name[len(task.Name)-8:] || !slices.Contains(taskgen.Families(), family(task.Name)) {
		t.Fatalf("name %q", task.Name)
	}
}

func TestDeterministic(t *testing.T) {
	a := generate(t, 7, 60, taskgen.Options{})
	b := generate(t, 7, 60, taskgen.Options{})
	for i := range a {
		if a[i].Name != b[i].Name || !bytes.Equal(a[i].Spec, b[i].Spec) || a[i].Program != b[i].Program {
			t.Fatalf("task %d differs between runs of the same seed:\n%s\n%s", i, a[i].Spec, b[i].Spec)
		}
	}
	// Task i depends on the seed and i only: a shorter run is a prefix.
	for i, c := range generate(t, 7, 20, taskgen.Options{}) {
		if !bytes.Equal(c.Spec, a[i].Spec) {
			t.Fatalf("task %d of a run of 20 differs from the run of 60", i)
		}
	}
}

// A seed is a node's private task set: no example may recur under another
// seed, while the kinds of task are shared so that what one node learns
// helps the others.
func TestSeedsShareKindsNotExamples(t *testing.T) {
	n := 2 * len(taskgen.Families())
	owner := map[string]uint64{}
	var kinds [][]string
	for _, seed := range []uint64{0, 1, 2, 42, 1 << 40} {
		var fams []string
		for _, task := range generate(t, seed, n, taskgen.Options{}) {
			fams = append(fams, family(task.Name))
			for _, line := range strings.Split(string(task.Spec), "\n") {
				if !strings.HasPrefix(line, "(constraint") {
					continue
				}
				if s, ok := owner[line]; ok && s != seed {
					t.Errorf("seeds %d and %d share the example %s", s, seed, line)
				}
				owner[line] = seed
			}
		}
		slices.Sort(fams)
		kinds = append(kinds, slices.Compact(fams))
	}
	for _, k := range kinds[1:] {
		if !slices.Equal(k, kinds[0]) || len(k) != len(taskgen.Families()) {
			t.Errorf("seeds cover different families: %v vs %v", k, kinds[0])
		}
	}
}

func TestTasksParseAndReferencesHold(t *testing.T) {
	names := map[string]bool{}
	for seed := uint64(100); seed < 105; seed++ {
		for _, task := range generate(t, seed, 100, taskgen.Options{}) {
			checkTask(t, task, 3, 8)
			if names[task.Name] {
				t.Errorf("name %s generated twice", task.Name)
			}
			names[task.Name] = true
		}
	}
	// Every family on its own, so that rare variants are drawn too.
	for _, f := range taskgen.Families() {
		for _, task := range generate(t, 9, 25, taskgen.Options{Families: []string{f}}) {
			checkTask(t, task, 3, 8)
			if family(task.Name) != f {
				t.Fatalf("asked for %s, got %s", f, task.Name)
			}
		}
	}
}

func TestOptions(t *testing.T) {
	for _, task := range generate(t, 3, 20, taskgen.Options{MinExamples: 2, MaxExamples: 2}) {
		checkTask(t, task, 2, 2)
	}
	for _, task := range generate(t, 3, 10, taskgen.Options{MinExamples: 12}) {
		checkTask(t, task, 12, 12)
	}
	for _, task := range generate(t, 3, 10, taskgen.Options{MaxExamples: 2}) {
		checkTask(t, task, 2, 2)
	}
	if ts := generate(t, 3, 0, taskgen.Options{}); len(ts) != 0 {
		t.Errorf("n = 0 gave %d tasks", len(ts))
	}
	for name, c := range map[string]struct {
		n    int
		opts taskgen.Options
		want string
	}{
		"negative n":     {-1, taskgen.Options{}, "n must be"},
		"one example":    {1, taskgen.Options{MinExamples: 1, MaxExamples: 1}, "examples per task"},
		"min above max":  {1, taskgen.Options{MinExamples: 5, MaxExamples: 4}, "examples per task"},
		"too many":       {1, taskgen.Options{MaxExamples: 1000}, "examples per task"},
		"unknown family": {1, taskgen.Options{Families: []string{"first-name", "tax-return"}}, `unknown family "tax-return"`},
	} {
		if _, err := taskgen.Generate(1, c.n, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, c.want)
		}
	}
}

// TestSolvable keeps the generator honest about difficulty: most tasks must
// be within reach of the embedded engine, or they teach nodes nothing. The
// candidate budget makes the count reproducible (25 of 30 when measured).
func TestSolvable(t *testing.T) {
	const budget, want = 200_000, 22
	tasks := generate(t, 2, 30, taskgen.Options{})
	solved := 0
	for _, task := range tasks {
		res, err := pbe.New(pbe.Options{}, 1).Solve(context.Background(), engine.Task{ID: task.Name, Spec: task.Spec}, engine.Budget{Candidates: budget})
		if err != nil {
			t.Fatalf("%s: %v", task.Name, err)
		}
		if res.Solved {
			solved++
		} else {
			t.Logf("unsolved %s (%s): reference %s", task.Name, res.Reason, task.Program)
		}
	}
	t.Logf("solved %d of %d generated tasks (%.0f%%) with %d candidates each", solved, len(tasks), 100*float64(solved)/float64(len(tasks)), budget)
	if solved < want {
		t.Errorf("solved %d of %d, want at least %d", solved, len(tasks), want)
	}
}

func TestWriteDir(t *testing.T) {
	tasks := generate(t, 5, 12, taskgen.Options{})
	dir := filepath.Join(t.TempDir(), "tasks")
	if err := taskgen.WriteDir(dir, tasks); err != nil {
		t.Fatal(err)
	}
	names := taskgen.FileNames(tasks)
	files, _ := filepath.Glob(filepath.Join(dir, "*.sl"))
	if len(files) != len(tasks) {
		t.Fatalf("wrote %d files, want %d", len(files), len(tasks))
	}
	for i, name := range names {
		if want := fmt.Sprintf("%03d-%s.sl", i+1, tasks[i].Name); name != want {
			t.Errorf("file name %q, want %q", name, want)
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(b, tasks[i].Spec) {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// Never overwrite, and write nothing when a clash is found.
	if err := taskgen.WriteDir(dir, tasks); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second write: %v", err)
	}
	// The third file of this set has the name of the third file written.
	clash := append(generate(t, 6, 2, taskgen.Options{}), tasks[2])
	if err := taskgen.WriteDir(dir, clash); err == nil {
		t.Error("a clash on the third file was not reported")
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.sl")); len(files) != len(tasks) {
		t.Errorf("a refused write left %d files, want %d", len(files), len(tasks))
	}
	bad := []taskgen.Task{{Name: "../escape", Spec: []byte("x")}}
	if err := taskgen.WriteDir(t.TempDir(), bad); err == nil {
		t.Error("a name with a path separator was accepted")
	}
	// Wide runs keep name order equal to task order.
	if got := taskgen.FileNames(make([]taskgen.Task, 1000))[999]; got != "1000-.sl" {
		t.Errorf("file name of task 1000: %q", got)
	}
}

func FuzzGenerate(f *testing.F) {
	f.Add(uint64(0), uint8(1))
	f.Add(uint64(1), uint8(8))
	f.Add(uint64(1<<63), uint8(3))
	f.Add(^uint64(0), uint8(5))
	f.Fuzz(func(t *testing.T, seed uint64, n uint8) {
		for _, task := range generate(t, seed, int(n%8), taskgen.Options{}) {
			checkTask(t, task, 3, 8)
		}
	})
}

func TestGenerateRangeExtendsGenerate(t *testing.T) {
	all, err := taskgen.Generate(9, 100, taskgen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range []int{0, 1, 42, 43, 86, 99} {
		part, err := taskgen.GenerateRange(9, from, 100-from, taskgen.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i, task := range part {
			if task.Name != all[from+i].Name || string(task.Spec) != string(all[from+i].Spec) {
				t.Fatalf("GenerateRange(9, %d)[%d] differs from Generate(9)[%d]", from, i, from+i)
			}
		}
	}
	if _, err := taskgen.GenerateRange(9, -1, 3, taskgen.Options{}); err == nil {
		t.Fatal("negative start accepted")
	}
}

// TestFamilyOf reads each family back from the names FileNames writes and
// refuses names of any other form.
func TestFamilyOf(t *testing.T) {
	tasks := generate(t, 7, 60, taskgen.Options{})
	for i, name := range taskgen.FileNames(tasks) {
		fam, ok := taskgen.FamilyOf(name)
		if want := tasks[i].Name[:len(tasks[i].Name)-9]; !ok || fam != want {
			t.Errorf("FamilyOf(%q) = %q, %v; want %q", name, fam, ok, want)
		}
	}
	for _, name := range []string{"bikes-long.sl", "001-first-name-0123abcd.txt", "x01-first-name-0123abcd.sl", "001-first-name-0123abcg.sl", "001-first-name-123abcd.sl", "001-0123abcd.sl", "-first-name-0123abcd.sl"} {
		if fam, ok := taskgen.FamilyOf(name); ok {
			t.Errorf("FamilyOf(%q) = %q, want not ok", name, fam)
		}
	}
}
