package sygus

import (
	"os"
	"strings"
	"testing"
)

const v1Task = `; comment
(set-logic SLIA)
(synth-fun f ((name String) (n Int)) String
    ((Start String (ntString))
     (ntString String (name " " (str.++ ntString ntString) (int.to.str ntInt) (str.substr ntString ntInt ntInt)))
     (ntInt Int (n 0 1 -1 (+ ntInt ntInt) (str.to.int ntString) (str.len ntString)))))
(declare-var name String)
(declare-var n Int)
(constraint (= (f "Ada Lovelace" 3) "Ada"))
(constraint (= "Alan" (f "Alan Turing" 4)))
(check-synth)
(define-fun f_1 ((x String) (k Int)) String (str.substr x 0 k))
`

const v2Task = `(set-logic SLIA)
(synth-fun g ((s String)) Int
  ((I Int) (S String))
  ((I Int (0 1 (- 1) (Constant Int) (str.to_int S) (str.len S) (+ I I)))
   (S String (s (Variable String) (str.from_int I) (str.++ "x" S)))))
(declare-var s String)
(constraint (= (g "12") 12))
(constraint (= (g "ab") (- 1)))
(check-synth)
`

func TestParseV1(t *testing.T) {
	p, err := Parse(v1Task)
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != 1 || p.Logic != "SLIA" || p.Fun.Name != "f" || len(p.Fun.Params) != 2 || p.Fun.Ret != SortString {
		t.Fatalf("header: %+v", p.Fun)
	}
	g := p.Fun.Grammar
	if g == nil || len(g.NTs) != 3 || g.NTs[g.Start].Name != "Start" {
		t.Fatalf("grammar: %+v", g)
	}
	ints := g.NTs[2]
	if ints.Prods[3].Kind != TermConst || ints.Prods[3].Val != IntVal(-1) {
		t.Errorf("v1 negative literal: got %s", ints.Prods[3])
	}
	if got := g.NTs[1].Prods[3].String(); got != "(int.to.str ntInt)" {
		t.Errorf("old operator spelling must be kept for output, got %s", got)
	}
	if len(p.Examples) != 2 || p.NonPBE != "" {
		t.Fatalf("examples: %+v (%s)", p.Examples, p.NonPBE)
	}
	if p.Examples[1].Out != StrVal("Alan") || p.Examples[1].In[1] != IntVal(4) {
		t.Errorf("reversed example: %+v", p.Examples[1])
	}
	if p.Reference == nil {
		t.Fatal("reference solution after check-synth not recorded")
	}
	if err := p.Check(p.Reference.Body); err != nil {
		t.Errorf("reference solution: %v", err)
	}
}

func TestParseV2(t *testing.T) {
	p, err := Parse(v2Task)
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != 2 || p.Fun.Grammar.NTs[p.Fun.Grammar.Start].Name != "I" {
		t.Fatalf("v2 start symbol must be the first declared, got %+v", p.Fun.Grammar)
	}
	i := p.Fun.Grammar.NTs[0]
	if i.Prods[2].Kind != TermConst || i.Prods[2].Val != IntVal(-1) || i.Prods[3].Kind != TermAnyConst {
		t.Errorf("productions: %v %v", i.Prods[2], i.Prods[3])
	}
	if p.Examples[1].Out != IntVal(-1) {
		t.Errorf("(- 1) output: %v", p.Examples[1].Out)
	}
}

func TestCheck(t *testing.T) {
	p, err := Parse(v1Task)
	if err != nil {
		t.Fatal(err)
	}
	good, err := p.ParseBody(`(str.substr name 0 n)`)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(good); err != nil {
		t.Errorf("good solution rejected: %v", err)
	}
	bad, _ := p.ParseBody(`(str.substr name 0 3)`)
	err = p.Check(bad)
	if err == nil || !strings.Contains(err.Error(), "line 10") {
		t.Errorf("bad solution: err = %v, want a violation at line 10", err)
	}
	if got := p.DefineFun(good); got != `(define-fun f ((name String) (n Int)) String (str.substr name 0 n))` {
		t.Errorf("DefineFun = %s", got)
	}
	// A constraint with a universally quantified variable cannot be checked
	// by evaluation alone.
	q, err := Parse(`(set-logic LIA)(synth-fun m ((x Int)) Int)(declare-var x Int)(constraint (>= (m x) x))(check-synth)`)
	if err != nil {
		t.Fatal(err)
	}
	if q.NonPBE == "" {
		t.Error("non-example constraint not flagged")
	}
	id, _ := q.ParseBody("x")
	if err := q.Check(id); err == nil {
		t.Error("Check of a quantified constraint must not claim success")
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"unclosed", "(set-logic SLIA)\n(synth-fun f ((x String)) String\n", "line 2: unclosed '('"},
		{"stray paren", "(set-logic SLIA))", "line 1: unexpected ')'"},
		{"unterminated string", "(set-logic SLIA)\n(constraint (= \"abc))", "line 2: unterminated string"},
		{"unknown command", "(frobnicate)", "line 1: unknown command \"frobnicate\""},
		{"no synth-fun", "(set-logic SLIA)\n(check-synth)", "line 2: check-synth without a synth-fun"},
		{"missing check-synth", "(synth-fun f ((x String)) String)\n(declare-var x String)", "line 2: missing (check-synth)"},
		{"bad sort", "(synth-fun f ((x Real)) String)", "line 1: unsupported sort Real"},
		{"unknown op", "(synth-fun f ((x String)) String)\n(constraint (= (f \"a\") (str.frob \"a\")))\n(check-synth)", "line 2: unknown function \"str.frob\""},
		{"wrong arity", "(synth-fun f ((x String)) String)\n(constraint (= (f \"a\") (str.substr \"a\" 1)))\n(check-synth)", "line 2: str.substr: takes 3 arguments, got 2"},
		{"sort mismatch", "(synth-fun f ((x String)) String)\n(constraint (= (f \"a\") (str.len \"a\")))\n(check-synth)", "line 2: =: argument 2 has sort Int, argument 1 has String"},
		{"call arity", "(synth-fun f ((x String)) String)\n\n(constraint (= (f \"a\" \"b\") \"a\"))\n(check-synth)", "line 3: f takes 1 arguments, got 2"},
		{"unknown symbol", "(synth-fun f ((x String)) String)\n(constraint (= (f y) \"a\"))\n(check-synth)", "line 2: unknown symbol \"y\""},
		{"grammar unknown nt", "(synth-fun f ((x String)) String\n ((Start String (x Foo))))\n(check-synth)", "line 2: unknown symbol \"Foo\""},
		{"grammar sort", "(synth-fun f ((x String)) String\n ((Start String (x\n 1))))\n(check-synth)", "line 3: production 1 of Start has sort Int, want String"},
		{"start sort", "(synth-fun f ((x String)) Int\n ((Start String (x))))\n(check-synth)", "line 2: start symbol Start has sort String but f returns Int"},
		{"two synth-funs", "(synth-fun f ((x String)) String)\n(synth-fun g ((x String)) String)", "line 2: a second synth-fun"},
		{"invariant", "(synth-inv inv ((x Int)))", "line 1: synth-inv is not supported"},
		{"regex", "(synth-fun f ((x String)) Bool)\n(constraint (f (str.in.re \"a\" \"b\")))", "line 2: operator \"str.in.re\" is not supported"},
		{"non-bool constraint", "(synth-fun f ((x String)) String)\n(constraint (f \"a\"))", "line 2: constraint must be Bool"},
		{"big literal", "(synth-fun f ((x Int)) Int)\n(constraint (= (f 99999999999999999999) 1))", "line 2: integer literal 99999999999999999999 does not fit"},
		{"invalid utf8", "(set-logic SLIA)\n(check-synth \xff)", "line 2: input is not valid UTF-8"},
		{"v2 undeclared rule", "(synth-fun f ((x String)) String\n ((Start String))\n ((Start String (x)) (Other String (x))))\n(check-synth)", "line 3: rule for undeclared non-terminal \"Other\""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.src)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestParseTestdata(t *testing.T) {
	for _, f := range []string{"../testdata/lastname.sl", "../testdata/area-code.sl", "../testdata/country.sl"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(string(src)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// FuzzParse checks that no input makes the parser or the evaluator panic,
// and that a reference solution, when present, can be checked.
func FuzzParse(f *testing.F) {
	f.Add(v1Task)
	f.Add(v2Task)
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse(src)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		if p.Reference != nil {
			_ = p.Check(p.Reference.Body)
		}
		for _, ex := range p.Examples {
			for _, v := range ex.In {
				_ = v.String()
			}
		}
	})
}
