package pbe

import (
	"context"
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
