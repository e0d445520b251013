package pbe

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

const usaTask = `(set-logic SLIA)
(synth-fun f ((a String)) String
  ((Start String (S))
   (S String (a "," " " "USA" (str.++ S S) (str.at S I) (ite B S S)))
   (I Int (0 1 (str.len S)))
   (B Bool ((str.suffixof S S) (str.contains S S)))))
(declare-var a String)
(constraint (= (f "Ithaca, NY, USA") "Ithaca, NY, USA"))
(constraint (= (f "Los Angeles, CA") "Los Angeles, CA, USA"))
(check-synth)`

// TestLibraryInstances: a library program learned over another signature
// whose parameter a task constant fills becomes a leaf of the task, and a
// uniform prior (no library) adds no leaf.
func TestLibraryInstances(t *testing.T) {
	p, err := sygus.Parse(usaTask)
	if err != nil {
		t.Fatal(err)
	}
	pr := NewPrior()
	params := []string{"String", "String", "String"}
	for _, prog := range []string{`(str.++ "," (str.++ " " $2))`, `(str.++ $1 ",")`} {
		checks, err := MakeChecks(prog, params, nil, "String", 1, 8, nil)
		if err != nil {
			t.Fatal(err)
		}
		pr.Library = append(pr.Library, LibEntry{Program: prog, Params: params, Ret: "String", Weight: milli, Checks: checks})
	}
	g, err := compileGrammar(p)
	if err != nil {
		t.Fatal(err)
	}
	n := len(g.prods)
	selectLibrary(p, g, pr, 24)
	var got []string
	for _, pd := range g.prods[n:] {
		if pd.kind != pkLib {
			t.Fatalf("added a production of kind %d", pd.kind)
		}
		got = append(got, pd.lib.term.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{`(str.++ "," (str.++ " " "USA"))`, `(str.++ "," (str.++ " " a))`, `(str.++ a ",")`} {
		if !strings.Contains(all, want) {
			t.Errorf("no leaf %s among\n%s", want, all)
		}
	}
	g2, _ := compileGrammar(p)
	n2 := len(g2.prods)
	selectLibrary(p, g2, nil, 24)
	if len(g2.prods) != n2 {
		t.Errorf("uniform prior added %d leaves", len(g2.prods)-n2)
	}
	g3, _ := compileGrammar(p)
	selectLibrary(p, g3, pr, 0)
	if len(g3.prods) != n2 {
		t.Errorf("library limit 0 added %d leaves", len(g3.prods)-n2)
	}
	// The instance solves the task; the answer is a term of the grammar
	// and is checked against every constraint by Synthesize.
	out, err := Synthesize(context.Background(), p, Options{Prior: pr}, Limits{Candidates: 200_000})
	if err != nil || !out.Solved {
		t.Fatalf("%v %s", err, out.Reason)
	}
}

// TestMemoryBudget: a tiny memory budget ends the search with the memory
// bound, deterministically, and a larger one lets it store more.
func TestMemoryBudget(t *testing.T) {
	p := load(t, "country.sl")
	run := func(mem int64) Outcome {
		out, err := Synthesize(context.Background(), p, Options{MemBudget: mem, NoSplit: true, Library: -1}, Limits{Candidates: 2_000_000})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := run(64<<10), run(64<<10)
	if a.Solved || !strings.Contains(a.Reason, errBankFull.Error()) {
		t.Fatalf("64 KiB: solved %v, reason %q", a.Solved, a.Reason)
	}
	if a.Stats.Bank != b.Stats.Bank || a.Stats.Candidates != b.Stats.Candidates {
		t.Errorf("not deterministic: %+v vs %+v", a.Stats, b.Stats)
	}
	c := run(256 << 10)
	if !c.Solved && c.Stats.Bank <= a.Stats.Bank {
		t.Errorf("256 KiB stored %d programs, 64 KiB %d", c.Stats.Bank, a.Stats.Bank)
	}
}

// A program that compares its parameters used to compute false on every
// generated vector (random strings never contain one another), so it could
// not be checked or shared; related inputs give it both outputs.
func TestChecksRelateParameters(t *testing.T) {
	for _, prog := range []string{"(str.contains $0 $1)", "(str.prefixof $1 $0)", "(str.prefixof $0 $1)", "(str.suffixof $1 $0)"} {
		checks, err := MakeChecks(prog, []string{"String", "String"}, nil, "Bool", 1, 8, nil)
		if err != nil {
			t.Fatalf("%s: %v", prog, err)
		}
		outs := map[string]bool{}
		for _, c := range checks {
			outs[c.Out] = true
		}
		if !outs["true"] || !outs["false"] {
			t.Errorf("%s: outputs %v, want both", prog, outs)
		}
	}
}

func TestSubLibrary(t *testing.T) {
	// (str.++ (str.substr $0 0 ?0) (str.++ ?1 (str.at $0 ?0))) over one
	// String parameter, with an Int hole and a String hole.
	params, holes := []string{"String"}, []string{"Int", "String"}
	prog := `(str.++ (str.substr $0 0 $1) (str.++ $2 (str.at $0 $1)))`
	term, err := ParseHoled(prog, params, holes, "String")
	if err != nil {
		t.Fatal(err)
	}
	lib := subLibrary(term, params, holes, 1)
	got := map[string][]string{}
	for _, e := range lib {
		got[e.Program] = e.Holes
		if i, err := RunChecks(e.Program, e.Params, e.Holes, e.Ret, e.Checks); err != nil || i >= 0 {
			t.Errorf("%s: checks fail at %d (%v)", e.Program, i, err)
		}
		if e.Weight != milli {
			t.Errorf("%s: weight %d, want one task", e.Program, e.Weight)
		}
	}
	// Every sub-program of 3..12 nodes that reads $0, holes renumbered
	// from $1 in order of appearance; (str.++ ?1 ...) keeps both holes,
	// its first one now being the String hole.
	want := map[string][]string{
		"(str.substr $0 0 $1)":       {"Int"},
		"(str.at $0 $1)":             {"Int"},
		"(str.++ $1 (str.at $0 $2))": {"String", "Int"},
		"(str.++ (str.substr $0 0 $1) (str.++ $2 (str.at $0 $1)))": {"Int", "String"},
	}
	if len(got) != len(want) {
		t.Fatalf("sub-programs %v, want %v", got, want)
	}
	for p, hs := range want {
		if g, ok := got[p]; !ok || strings.Join(g, ",") != strings.Join(hs, ",") {
			t.Errorf("%s: holes %v (present %v), want %v", p, g, ok, hs)
		}
	}
	// A sub-program that reads no parameter ((+ 1 1)-like, or a hole
	// alone) is no library entry.
	for p := range got {
		if !strings.Contains(p, "$0") {
			t.Errorf("%s reads no parameter", p)
		}
	}
}

// TestParseLibEntryMemo: a library entry is parsed once and the same term
// serves again; a bad entry keeps its error; the memo stays bounded.
func TestParseLibEntryMemo(t *testing.T) {
	e := LibEntry{Program: `(str.++ $0 $1)`, Params: []string{"String"}, Holes: []string{"String"}, Ret: "String"}
	a, err := parseLibEntry(e)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := parseLibEntry(e)
	if a != b {
		t.Error("the entry was parsed again")
	}
	bad := LibEntry{Program: `(str.++ $0`, Params: []string{"String"}, Ret: "String"}
	for range 2 {
		if _, err := parseLibEntry(bad); err == nil {
			t.Error("a malformed entry parsed")
		}
	}
	for i := range maxLibParses + 10 {
		if _, err := parseLibEntry(LibEntry{Program: fmt.Sprintf(`(str.++ $0 "%d")`, i), Params: []string{"String"}, Ret: "String"}); err != nil {
			t.Fatal(err)
		}
	}
	libParses.Lock()
	n := len(libParses.m)
	libParses.Unlock()
	if n > maxLibParses {
		t.Errorf("the memo holds %d entries, more than %d", n, maxLibParses)
	}
}
