package pbe

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

func TestProposedWords(t *testing.T) {
	p, err := sygus.Parse(`(set-logic SLIA)
(synth-fun f ((a String) (b String)) String)
(declare-var a String)
(declare-var b String)
(constraint (= (f "Ithaca" "New York") "Ithaca, NY, USA"))
(constraint (= (f "Austin" "TX") "Austin, TX, USA"))
(constraint (= (f "Erie" "PA, USA") "Erie, PA, USA"))
(constraint (= (f "Reno" "NV") "Reno, NV, USA"))
(constraint (= (f "Ithaca" "NY") "Ithaca, NY, USA"))
(constraint (= (f "Tulsa" "OK") "Tulsa, OK, USA, Earth"))
(check-synth)`)
	if err != nil {
		t.Fatal(err)
	}
	// USA: six outputs, inserted in five. NY: two outputs, inserted in
	// one. Ithaca, TX, PA...: copied from an input. Earth: one output.
	if got, want := proposedWords(p), []string{"USA", "NY"}; !slices.Equal(got, want) {
		t.Errorf("proposedWords = %q, want %q", got, want)
	}
	g, err := compileGrammar(p)
	if err != nil {
		t.Fatal(err)
	}
	proposeConstants(p, g)
	var lits []string
	for _, pd := range g.prods {
		if pd.kind == pkConst && pd.val.Sort == sygus.SortString && len(pd.val.Str) > 1 {
			lits = append(lits, pd.val.Str)
		}
	}
	// Without a grammar any constant is allowed, so the words are literals.
	if !slices.Equal(lits, []string{"USA", "NY"}) {
		t.Errorf("default grammar: literal constants %q, want the two words", lits)
	}
}

func TestWordsAndSpelling(t *testing.T) {
	if got := words("Ithaca, NY, USA-2024 a é9"); !slices.Equal(got, []string{"Ithaca", "NY", "USA", "2024", "é9"}) {
		t.Errorf("words = %q", got)
	}
	consts := []string{"N", "Y", "New", "New York", " ", "U", "S", "A", "SA"}
	for _, tc := range []struct {
		w    string
		want []string
	}{
		{"USA", []string{"U", "SA"}},
		{"NY", []string{"N", "Y"}},
		{"New York", []string{"New York"}},
		{"NewY", []string{"New", "Y"}},
		{"NYC", nil}, // no C
	} {
		if got := spellWith(tc.w, consts); !slices.Equal(got, tc.want) {
			t.Errorf("spellWith(%q) = %q, want %q", tc.w, got, tc.want)
		}
	}
	if got := spelled([]string{"U", "S", "A"}, "str.++").String(); got != `(str.++ "U" (str.++ "S" "A"))` {
		t.Errorf("spelled = %s", got)
	}
}

// TestProposedWordSolves: usa.sl needs ", USA", which its grammar can only
// spell out of letters. The proposed word "USA" is one leaf, so 200k
// candidates solve it (2M did not before), and the solution is still a term of the task's grammar
// (Synthesize checks it against the constraints; the spelling is in it).
// What the node shares holds a hole where the word was.
func TestProposedWordSolves(t *testing.T) {
	src, err := os.ReadFile("testdata/words/usa.sl")
	if err != nil {
		t.Fatal(err)
	}
	e := New(Options{}, 7)
	res, err := e.Solve(context.Background(), engine.Task{ID: "usa", Spec: src}, engine.Budget{Candidates: 200_000})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Solved {
		t.Fatalf("usa.sl unsolved at 200k candidates: %s", res.Reason)
	}
	if !strings.Contains(res.Program, `(str.++ "U" (str.++ "S" "A"))`) {
		t.Errorf("solution %s does not spell the proposed word", res.Program)
	}
	a := distillOne(t, e, res)
	pl, err := DecodePayload(a.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Holes) == 0 || strings.Contains(pl.Program, `"S" "A"`) {
		t.Errorf("payload program %s (holes %v) keeps the spelt word", pl.Program, pl.Holes)
	}
	p, err := sygus.Parse(string(src))
	if err != nil {
		t.Fatal(err)
	}
	if leak := assembledLeak(t, pl.Program, pl.Params, pl.Holes, pl.Ret, Secrets(p)); leak != "" {
		t.Errorf("payload %s", leak)
	}
}

// TestHoleSpelledWord: a word of the examples spelt out of one-character
// constants becomes a hole where it is assembled; separators around it,
// separators alone and words that are not the task's stay.
func TestHoleSpelledWord(t *testing.T) {
	p := load(t, "country.sl")
	secrets := []string{"Ithaca, NY, USA", "Utrecht, NL"}
	for _, tc := range []struct{ in, want string }{
		{`(str.++ city (str.++ "," (str.++ " " (str.++ "N" "L"))))`, `(str.++ $0 (str.++ "," (str.++ " " $1)))`},
		{`(str.++ city (str.++ "U" (str.++ "S" "A")))`, `(str.++ $0 $1)`},
		{`(str.++ city (str.++ "," " "))`, `(str.++ $0 (str.++ "," " "))`},
		{`(str.++ city (str.++ "Q" "Z"))`, `(str.++ $0 (str.++ "Q" "Z"))`},
		{`(str.++ (str.++ "N" "L") (str.++ city (str.++ "N" "L")))`, `(str.++ $1 (str.++ $0 $1))`},
	} {
		h, _, ok := Hole(mustTerm(t, p, tc.in), 1, secrets)
		if got := Canonical(h); !ok || got != tc.want {
			t.Errorf("Hole(%s) = %s (ok %v), want %s", tc.in, got, ok, tc.want)
		}
	}
}

// assembledLeak evaluates every constant sub-term of a shared program that
// is not a literal and reports one whose value holds a secret: a literal
// scan cannot see a word spelt out of letters.
func assembledLeak(t *testing.T, prog string, params, holes []string, ret string, secrets []string) string {
	t.Helper()
	term, err := ParseHoled(prog, params, holes, ret)
	if err != nil {
		return "does not parse: " + err.Error()
	}
	var ev sygus.Problem
	for _, sub := range subterms(term) {
		if sub.Kind != sygus.TermApp || sub.Sort != sygus.SortString || hasVar(sub) {
			continue
		}
		if v, err := ev.Eval(sub, nil, nil); err == nil {
			for _, w := range words(v.Str) {
				if taskConstant(sygus.StrVal(w), secrets) {
					return "assembles the task word " + w + " in " + sub.String()
				}
			}
		}
	}
	return ""
}
