package sygus

import (
	"strings"
	"testing"
	"time"
)

const fragTask = `(set-logic SLIA)
(synth-fun f ((name String)) String
    ((Start String (ntString))
     (ntString String (name " " (str.++ ntString ntString) (str.substr ntString ntInt ntInt)))
     (ntInt Int (0 1 (+ ntInt ntInt) (str.len ntString) (str.indexof ntString ntString ntInt)))))
(declare-var name String)
(constraint (= (f "Ada Lovelace") "Lovelace"))
(check-synth)
`

func TestFragments(t *testing.T) {
	p, err := Parse(fragTask)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, text string
		want       []string // rendered terms, in order
		whole      []bool
	}{
		{"define-fun with its own parameter names, in a code fence",
			"Sure! Here it is:\n```lisp\n(define-fun f ((x String)) String (str.substr x (+ (str.indexof x \" \" 0) 1) (str.len x)))\n```",
			[]string{`(str.substr name (+ (str.indexof name " " 0) 1) (str.len name))`}, []bool{true}},
		{"a bare term of the return sort is whole",
			"(str.++ name \" \")", []string{`(str.++ name " ")`}, []bool{true}},
		{"a term of another sort is a fragment",
			"(str.len name)", []string{"(str.len name)"}, []bool{false}},
		{"unbalanced text keeps its complete inner terms",
			"(str.++ (str.substr name 0 1) (str.len", []string{"(str.substr name 0 1)"}, []bool{false}},
		{"an unknown operator gives its well-formed arguments",
			"(str.reverse (str.++ name name) (str.len name))", []string{"(str.++ name name)", "(str.len name)"}, []bool{false, false}},
		{"a define-fun of another signature gives its body's parts",
			"(define-fun g ((x Int)) Int (+ x 1)) (define-fun h ((y String)) Int (str.len name))", []string{"(str.len name)"}, []bool{false}},
		{"echoed constraints call the synth-fun and are skipped",
			`(constraint (= (f "Ada Lovelace") "Lovelace"))`, nil, nil},
		{"prose gives nothing",
			"Once upon a time, a little bird (who liked to sing) flew home.", nil, nil},
		{"undeclared variables give nothing", "(str.++ x name)", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := p.Fragments(c.text, 16)
			if len(got) != len(c.want) {
				t.Fatalf("got %d fragments %v, want %v", len(got), got, c.want)
			}
			for i, f := range got {
				if s := f.Term.String(); s != c.want[i] || f.Whole != c.whole[i] {
					t.Errorf("fragment %d = %s (whole %v), want %s (whole %v)", i, s, f.Whole, c.want[i], c.whole[i])
				}
			}
		})
	}
	if got := p.Fragments(strings.Repeat("(str.len name) ", 100), 5); len(got) != 5 {
		t.Errorf("limit 5: got %d fragments", len(got))
	}
}

func FuzzFragments(f *testing.F) {
	p, err := Parse(fragTask)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"(str.++ name \" \")", "(define-fun f ((x String)) String x)", "((((", "(let ((a name)) (str.++ a a))", "\"unterminated (str.len name"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, fr := range p.Fragments(text, 8) {
			if fr.Term == nil || !p.usable(fr.Term) {
				t.Fatalf("fragment %v is not a usable term", fr)
			}
			if fr.Whole && fr.Term.Sort != p.Fun.Ret {
				t.Fatalf("whole fragment %s has sort %s", fr.Term, fr.Term.Sort)
			}
		}
	})
}

// TestFragmentsLinear: unclosed parens are skipped unread, so hostile text
// of the maximum length is read in one pass rather than once per paren.
func TestFragmentsLinear(t *testing.T) {
	p, err := Parse(fragTask)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("(", maxFragmentText-20) + "(str.len name)"
	start := time.Now()
	got := p.Fragments(text, 8)
	if len(got) != 1 || got[0].Whole {
		t.Errorf("got %v, want the one inner (str.len name), not whole", got)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("%d unclosed parens took %s", maxFragmentText-20, d)
	}
}
