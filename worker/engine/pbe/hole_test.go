package pbe

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

func TestTaskConstant(t *testing.T) {
	secrets := []string{"415-555-0199", "Delft, NL", "ab"}
	for _, tc := range []struct {
		v    sygus.Value
		want bool
	}{
		{sygus.StrVal("NL"), true},   // inside an example
		{sygus.StrVal(", NL"), true}, // inside an example
		{sygus.StrVal("xabx"), true}, // contains an example
		{sygus.StrVal(","), false},   // one character
		{sygus.StrVal("USA"), false}, // nowhere in the examples
		{sygus.IntVal(555), true},    // an integer that is data
		{sygus.IntVal(-1), false},    // one digit: an index, not data
		{sygus.IntVal(12), false},    // two digits, not in the examples
		{sygus.BoolVal(true), false}, // never a hole
		{sygus.StrVal("415-555-0199"), true},
	} {
		if got := taskConstant(tc.v, secrets); got != tc.want {
			t.Errorf("taskConstant(%s) = %v, want %v", tc.v, got, tc.want)
		}
	}
	p := load(t, "country.sl")
	if got := Secrets(p); len(got) == 0 || strings.Join(got, "|") != strings.Join(dedupSorted(got), "|") {
		t.Errorf("Secrets not sorted and unique: %q", got)
	}
}

func dedupSorted(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x > s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// TestHoledArtifact: the constant "NL" of country.sl occurs in the task's
// outputs, so the payload carries a hole; another node verifies the
// checks and, holding a task with "NL" among its own constants, fills the
// hole and finds the program useful.
func TestHoledArtifact(t *testing.T) {
	e := New(Options{}, 7)
	a := distillOne(t, e, solveTask(t, e, "country.sl"))
	pl, err := DecodePayload(a.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Holes) != 1 || pl.Holes[0] != "String" || !strings.Contains(pl.Program, "$1") || strings.Contains(pl.Program, `"NL"`) {
		t.Fatalf("payload program %s holes %v", pl.Program, pl.Holes)
	}
	if pl.PriorDelta.Consts[`c:?String`] == 0 || pl.PriorDelta.Consts[`c:"NL"`] != 0 {
		t.Errorf("prior delta %v", pl.PriorDelta.Consts)
	}
	for _, c := range pl.Checks {
		if len(c.Fill) != 1 {
			t.Fatalf("check %+v has no fill", c)
		}
	}
	lonely := New(Options{}, 9)
	v, err := lonely.Verify(context.Background(), a)
	if err != nil || v.Verdict != engine.VerdictValid || v.Quality != engine.MaxPPM/2 {
		t.Fatalf("verify without local tasks: %+v %v", v, err)
	}
	verifier := New(Options{}, 9)
	solveTask(t, verifier, "country.sl")
	v, err = verifier.Verify(context.Background(), a)
	if err != nil || v.Verdict != engine.VerdictValid || v.Quality != engine.MaxPPM {
		t.Fatalf("verify with a local task to fill the hole from: %+v %v", v, err)
	}
}

func TestHoledPayloadRejects(t *testing.T) {
	e := New(Options{}, 7)
	good := distillOne(t, e, solveTask(t, e, "country.sl"))
	mutate := func(f func(p *Payload)) engine.Artifact {
		var c Payload
		if err := json.Unmarshal(good.Payload, &c); err != nil {
			t.Fatal(err)
		}
		f(&c)
		a, err := artifactOf(&c, good.Manifest.Confidence)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, tc := range []struct {
		name string
		f    func(p *Payload)
		msg  string
	}{
		{"unused hole", func(p *Payload) { p.Holes = append(p.Holes, "String") }, "holes"},
		{"hole out of order", func(p *Payload) {
			p.Holes = []string{"String", "String"}
			p.Program = strings.ReplaceAll(p.Program, "$1", "$2")
		}, "holes"},
		{"bool hole", func(p *Payload) { p.Holes = []string{"Bool"} }, "holes"},
		{"too many holes", func(p *Payload) { p.Holes = []string{"String", "String", "String", "String", "String"} }, "holes"},
		{"undeclared hole", func(p *Payload) { p.Holes = nil }, "does not parse"},
		{"check without fill", func(p *Payload) { p.Checks[1].Fill = nil }, "check vector 1"},
		{"fill of the wrong sort", func(p *Payload) { p.Checks[2].Fill = []string{"7"} }, "check vector 2"},
		{"forged fill", func(p *Payload) { p.Checks[0].Fill = []string{`"zz"`} }, "check vector 0"},
		{"a hole alone (a constant behind a hole)", func(p *Payload) {
			p.Program, p.PriorDelta = "$1", PriorDelta{Ops: map[string]int64{}, Consts: map[string]int64{"c:?String": milli}}
		}, "reads none of its parameters"},
		{"constant where the hole was", func(p *Payload) {
			p.Holes = nil
			p.Program = strings.ReplaceAll(p.Program, "$1", `"NL"`)
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := New(Options{}, 1).Verify(context.Background(), mutate(tc.f))
			if err != nil || v.Verdict != engine.VerdictInvalid || !strings.Contains(v.Reason, tc.msg) {
				t.Errorf("verdict %s (%s) %v, want INVALID mentioning %q", v.Verdict, v.Reason, err, tc.msg)
			}
		})
	}
}

// TestHoledLibrary: a learned library program with a hole becomes, for a
// task, one leaf per constant of the task's grammar in the hole.
func TestHoledLibrary(t *testing.T) {
	p := load(t, "country.sl")
	pr, err := Learn([]Solved{{Problem: p, Term: mustTerm(t, p, `(str.++ city (str.++ "," (str.++ " " "NL")))`), TaskHash: "x"}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Consts[`c:"NL"`] != 0 || pr.Consts[`c:?String`] != milli {
		t.Fatalf("learned consts %v", pr.Consts)
	}
	var holed *LibEntry
	for i, l := range pr.Library {
		if strings.Contains(l.Program, `"NL"`) {
			t.Errorf("library entry %s keeps the task constant", l.Program)
		}
		if l.Program == `(str.++ $0 (str.++ "," (str.++ " " $1)))` {
			holed = &pr.Library[i]
		}
	}
	if holed == nil || len(holed.Holes) != 1 {
		t.Fatalf("no holed library entry in %+v", pr.Library)
	}
	g, err := compileGrammar(p)
	if err != nil {
		t.Fatal(err)
	}
	selectLibrary(p, g, pr, 24)
	var leaves []string
	for _, pd := range g.prods {
		if pd.kind == pkLib {
			leaves = append(leaves, Canonical(pd.lib.term))
		}
	}
	if !strings.Contains(strings.Join(leaves, "\n"), `(str.++ $0 (str.++ "," (str.++ " " "NL")))`) {
		t.Errorf("the hole was not filled with the task's constant: leaves %q", leaves)
	}
}

func mustTerm(t *testing.T, p *sygus.Problem, src string) *sygus.Term {
	t.Helper()
	term, err := p.ParseBody(src)
	if err != nil {
		t.Fatal(err)
	}
	return term
}

// FuzzVerifyPayload feeds arbitrary payload bytes to Verify: it never
// panics, and whatever it accepts is canonical and passes its own checks.
func FuzzVerifyPayload(f *testing.F) {
	e := New(Options{}, 7)
	for _, name := range []string{"country.sl", "join.sl"} {
		src, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		res, err := e.Solve(context.Background(), engine.Task{ID: name, Spec: src}, engine.Budget{Candidates: testBudget})
		if err != nil {
			f.Fatal(err)
		}
		arts, err := e.Distill(context.Background(), []engine.Result{res})
		if err != nil || len(arts) != 1 {
			f.Fatal(err)
		}
		f.Add(arts[0].Payload)
	}
	f.Add([]byte(`{"schema":"h3lix/pbe/artifact/v2","program":"$0","holes":["String"]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		pl, err := DecodePayload(b)
		if err != nil {
			return
		}
		a, err := artifactOf(pl, 1)
		if err != nil {
			return
		}
		v, err := New(Options{}, 1).Verify(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		if v.Verdict != engine.VerdictValid {
			return
		}
		if bad, err := RunChecks(pl.Program, pl.Params, pl.Holes, pl.Ret, pl.Checks); err != nil || bad >= 0 {
			t.Fatalf("accepted a payload whose check %d fails: %v", bad, err)
		}
	})
}

// TestHoleNamesAreParameters: a task parameter whose name starts with "?"
// (a legal SMT-LIB symbol) is an ordinary parameter: holes are recognised
// by position, not by name.
func TestHoleNamesAreParameters(t *testing.T) {
	src := strings.NewReplacer("city", "?city").Replace(string(mustReadFile(t, "country.sl")))
	e := New(Options{}, 7)
	res, err := e.Solve(context.Background(), engine.Task{ID: "q", Spec: []byte(src)}, engine.Budget{Candidates: testBudget})
	if err != nil || !res.Solved {
		t.Fatalf("solve: %v %s", err, res.Reason)
	}
	if strings.Contains(res.Program, "?city") {
		t.Fatalf("canonical program keeps the task's name: %s", res.Program)
	}
	a := distillOne(t, e, res)
	if v, err := New(Options{}, 9).Verify(context.Background(), a); err != nil || v.Verdict != engine.VerdictValid {
		t.Fatalf("verify: %+v %v", v, err)
	}
}

// TestChecksSkipUndefined: a program undefined on some generated inputs
// (division by a hole's fill, by a length that can be 0) still gets its
// check vectors from the inputs where it is defined.
func TestChecksSkipUndefined(t *testing.T) {
	checks, err := MakeChecks("(str.from_int (div 100 (str.len $0)))", []string{"String"}, nil, "String", 3, 8, nil)
	if err != nil || len(checks) != 8 {
		t.Fatalf("checks %v, err %v", checks, err)
	}
	if _, err := MakeChecks("(str.from_int (div 1 0))", []string{"String"}, nil, "String", 3, 8, nil); !errors.Is(err, ErrNoSafeChecks) {
		t.Errorf("a program undefined everywhere: %v", err)
	}
}

func mustReadFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCanonicalWriter: Canonical, which writes the canonical text without
// copying the term, says exactly what the canonical copy prints, for terms
// with task parameter names, v1 spellings, constants of every sort and
// quotes, and for every sub-term of the programs the engine finds.
func TestCanonicalWriter(t *testing.T) {
	p := load(t, "lastname.sl")
	terms := []*sygus.Term{
		mustTerm(t, p, `(str.substr name (+ (str.indexof name " " 0) 1) (str.len name))`),
		mustTerm(t, p, `(str.++ (int.to.str (str.to.int name)) (str.replace name """" "."))`),
		mustTerm(t, p, `(str.at name (- 2 1))`),
		mustTerm(t, p, `name`),
		mustTerm(t, p, `"a ""quoted"" word"`),
	}
	for _, name := range []string{"area-code.sl", "country.sl", "join.sl", "lastname.sl", "prefix-bool.sl", "word-count.sl"} {
		out, err := Synthesize(context.Background(), load(t, name), Options{}, Limits{Candidates: 200_000})
		if err != nil || !out.Solved {
			t.Fatalf("%s: %v %+v", name, err, out)
		}
		terms = append(terms, subterms(out.Term)...)
	}
	for _, term := range terms {
		if got, want := Canonical(term), canonicalTerm(term).String(); got != want {
			t.Errorf("Canonical(%s) = %q, want %q", term, got, want)
		}
	}
	// canonicalCut: the canonical text of a term with an argument in place
	// of a parameter, without building the term.
	args := []*sygus.Term{mustTerm(t, p, `"Dr."`), mustTerm(t, p, `(str.++ name " ")`), {Kind: sygus.TermVar, Sort: sygus.SortString, Name: "x", Index: 3}}
	for _, term := range terms {
		for _, a := range args {
			if got, want := strings.Join(canonicalCut(term, 0), Canonical(a)), Canonical(substVar(term, 0, a)); got != want {
				t.Errorf("canonicalCut(%s) with %s = %q, want %q", term, a, got, want)
			}
		}
	}
	if got := Canonical(terms[1]); !strings.Contains(got, "(str.from_int (str.to_int $0))") {
		t.Errorf("v1 spellings and parameter names not canonical: %q", got)
	}
}

// TestExampleKey: the binary key of a row of values tells apart rows that
// differ, including where one string's end could pass for the next one's
// start, and gives equal rows the same key.
func TestExampleKey(t *testing.T) {
	s, i, b := sygus.StrVal, sygus.IntVal, sygus.BoolVal
	differ := [][2][]sygus.Value{
		{{s("a"), s("bc")}, {s("ab"), s("c")}},
		{{s("")}, {}},
		{{s(""), s("")}, {s("")}},
		{{i(1)}, {b(true)}},
		{{i(-1)}, {i(1)}},
		{{s("1")}, {i(1)}},
		{{b(false)}, {b(true)}},
	}
	for _, d := range differ {
		if exampleKey(d[0]) == exampleKey(d[1]) {
			t.Errorf("%v and %v share a key", d[0], d[1])
		}
	}
	row := []sygus.Value{s("Ada Lovelace"), i(42), b(true)}
	if exampleKey(row) != exampleKey(append([]sygus.Value(nil), row...)) {
		t.Error("equal rows have different keys")
	}
}
