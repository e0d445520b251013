package pbe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

func load(t testing.TB, name string) *sygus.Problem {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := sygus.Parse(string(src))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

const testBudget = 20_000_000 // candidates; far more than any test task needs

func TestSynthesizeTestdata(t *testing.T) {
	cases := []struct {
		file string
		want string // expected solution; "" accepts any correct one
	}{
		{"lastname.sl", ""},
		{"area-code.sl", "(str.substr s 4 3)"},
		{"country.sl", ""},
		{"word-count.sl", `(str.indexof s "," 0)`},
		{"join.sl", ""},
		{"prefix-bool.sl", `(str.prefixof "http" s)`},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			p := load(t, c.file)
			out, err := Synthesize(context.Background(), p, Options{}, Limits{Candidates: testBudget, Wall: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if !out.Solved {
				t.Fatalf("unsolved after %d candidates: %s", out.Stats.Candidates, out.Reason)
			}
			// Solution checking against every constraint of the problem.
			if err := p.Check(out.Term); err != nil {
				t.Fatalf("solution %s: %v", out.Term, err)
			}
			if c.want != "" && out.Term.String() != c.want {
				t.Errorf("solution %s, want the smallest program %s", out.Term, c.want)
			}
			if !strings.HasPrefix(p.DefineFun(out.Term), "(define-fun "+p.Fun.Name+" (") {
				t.Errorf("output %s", p.DefineFun(out.Term))
			}
		})
	}
}

func TestConditionalNeedsIte(t *testing.T) {
	p := load(t, "country.sl")
	out, err := Synthesize(context.Background(), p, Options{}, Limits{Candidates: testBudget})
	if err != nil || !out.Solved {
		t.Fatalf("unsolved: %v %s", err, out.Reason)
	}
	if out.Term.Op != sygus.OpIte {
		t.Errorf("expected a conditional, got %s", out.Term)
	}
	if n := strings.Count(out.Term.String(), "(ite "); n != 1 {
		t.Errorf("expected one general test, got %d: %s", n, out.Term)
	}
}

func TestDeterminism(t *testing.T) {
	p := load(t, "lastname.sl")
	var first Outcome
	for i := 0; i < 3; i++ {
		out, err := Synthesize(context.Background(), p, Options{JIT: true}, Limits{Candidates: testBudget})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = out
			continue
		}
		if out.Term.String() != first.Term.String() || out.Stats.Candidates != first.Stats.Candidates || out.Stats.Restarts != first.Stats.Restarts {
			t.Fatalf("run %d: %s after %d candidates, run 0: %s after %d", i, out.Term, out.Stats.Candidates, first.Term, first.Stats.Candidates)
		}
	}
	// A candidate budget stops the search at the same point every time.
	a, _ := Synthesize(context.Background(), p, Options{}, Limits{Candidates: 5000})
	b, _ := Synthesize(context.Background(), p, Options{}, Limits{Candidates: 5000})
	if a.Solved || a.Reason != errBudget.Error() || a.Stats.Candidates != b.Stats.Candidates || a.Stats.Bank != b.Stats.Bank {
		t.Errorf("budgeted runs differ or did not stop: %+v vs %+v", a, b)
	}
}

func TestCancellation(t *testing.T) {
	p := load(t, "join.sl")
	// An impossible output keeps the search busy until it is cancelled.
	p.Examples[0].Out = sygus.StrVal("no program makes this \u00e9")
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	start := time.Now()
	out, err := Synthesize(ctx, p, Options{}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Solved || time.Since(start) > 2*time.Second {
		t.Fatalf("not cancelled promptly: %v %s", time.Since(start), out.Reason)
	}
	if out.Reason != context.Canceled.Error() {
		t.Errorf("reason %q", out.Reason)
	}
	wall, _ := Synthesize(context.Background(), p, Options{}, Limits{Wall: 30 * time.Millisecond})
	if wall.Solved || wall.Reason != errWall.Error() {
		t.Errorf("wall budget: %+v", wall)
	}
}

func TestUnsatisfiableExamples(t *testing.T) {
	p := load(t, "lastname.sl")
	p.Examples = append(p.Examples, sygus.Example{In: p.Examples[0].In, Out: sygus.StrVal("X"), Line: 99})
	out, err := Synthesize(context.Background(), p, Options{}, Limits{Candidates: 1000})
	if err != nil || out.Solved || !strings.Contains(out.Reason, "unsatisfiable") {
		t.Fatalf("got %+v, %v", out, err)
	}
}

func TestNotPBE(t *testing.T) {
	p, err := sygus.Parse(`(set-logic LIA)(synth-fun m ((x Int)) Int)(declare-var x Int)(constraint (>= (m x) x))(check-synth)`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Synthesize(context.Background(), p, Options{}, Limits{}); err == nil || !strings.Contains(err.Error(), "not a programming-by-example") {
		t.Fatalf("err = %v", err)
	}
}

func TestGrammarFlattening(t *testing.T) {
	p, err := sygus.Parse(`(synth-fun f ((x String)) String
  ((Start String (ntS)) (ntS String (x (str.++ "<" ntS) (Constant String)))))
(declare-var x String)
(constraint (= (f "a-b") "<a-b"))
(check-synth)`)
	if err != nil {
		t.Fatal(err)
	}
	g, err := compileGrammar(p)
	if err != nil {
		t.Fatal(err)
	}
	d := g.describe()
	if !strings.Contains(d, "_aux1 String: c:\"<\"") || !strings.Contains(d, `c:"-"`) || strings.Contains(d, "Start") {
		t.Errorf("grammar:\n%s", d)
	}
	out, err := Synthesize(context.Background(), p, Options{}, Limits{Candidates: testBudget})
	if err != nil || !out.Solved || out.Term.String() != `(str.++ "<" x)` {
		t.Fatalf("got %v %v", out.Term, err)
	}
}
