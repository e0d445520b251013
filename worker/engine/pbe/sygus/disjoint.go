package sygus

import "strings"

// A rate measured on tasks a prior was learned from is in-sample and says
// little about a new user's tasks. Sets of tasks are compared on their
// parsed input/output examples, as ../shared/bench/sygus-pbe/check-disjoint.py
// does, so spacing and parameter names cannot hide a repeat.

// Named is a parsed task with its name (nil P: a task that did not parse,
// which shares nothing).
type Named struct {
	Name string
	P    *Problem
}

// ExampleKey renders an example as SMT-LIB literals, which are unambiguous.
func ExampleKey(ex Example) string {
	var b strings.Builder
	for _, v := range ex.In {
		b.WriteString(v.String())
		b.WriteByte(' ')
	}
	b.WriteString("-> ")
	b.WriteString(ex.Out.String())
	return b.String()
}

// SharedExamples lists, as "a.sl and b.sl", the pairs of a task of as and a
// task of bs that share an input/output example.
func SharedExamples(as, bs []Named) []string {
	keys := make([]map[string]bool, len(bs))
	for i, b := range bs {
		if b.P == nil {
			continue
		}
		keys[i] = map[string]bool{}
		for _, ex := range b.P.Examples {
			keys[i][ExampleKey(ex)] = true
		}
	}
	var out []string
	for _, a := range as {
		if a.P == nil {
			continue
		}
		ka := make([]string, len(a.P.Examples))
		for j, ex := range a.P.Examples {
			ka[j] = ExampleKey(ex)
		}
		for i, b := range bs {
			for _, k := range ka {
				if keys[i][k] {
					out = append(out, a.Name+" and "+b.Name)
					break
				}
			}
		}
	}
	return out
}
