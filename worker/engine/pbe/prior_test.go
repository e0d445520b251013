package pbe

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/h3lix/h3lix/worker/engine"
)

// holedPrior is a small valid prior with one holed library entry.
func holedPrior() *Prior {
	p := NewPrior()
	p.Tasks = milli
	p.Ops["str.++"] = 5 * milli
	p.Ctx[ctxKey("str.++", 0, "v:String")] = 3 * milli
	p.Consts[`c:" "`] = milli
	p.Library = []LibEntry{{
		Program: "(str.++ $0 $1)", Params: []string{"String"}, Holes: []string{"String"}, Ret: "String",
		Weight: milli, Checks: []Check{{In: []string{`"a"`}, Fill: []string{`"b"`}, Out: `"ab"`}},
	}}
	return p
}

// TestDecodePriorRejects checks that a prior whose library or counts are
// damaged is refused with a message naming the entry, instead of being
// loaded and silently skipped by every search.
func TestDecodePriorRejects(t *testing.T) {
	good, err := holedPrior().Encode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodePrior(good); err != nil {
		t.Fatalf("valid prior refused: %v", err)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"unparseable program", `"program":"(str.++ $0 $1)"`, `"program":"(str.++ $0"`, "library entry 0"},
		{"unknown operator", `"program":"(str.++ $0 $1)"`, `"program":"(str.frob $0 $1)"`, "library entry 0"},
		{"sort differs from ret", `"ret":"String"`, `"ret":"Int"`, "signature says Int"},
		{"hole not used", `"program":"(str.++ $0 $1)"`, `"program":"(str.++ $0 $0)"`, "holes"},
		{"unknown sort", `"params":["String"]`, `"params":["Float"]`, "library entry 0"},
		{"negative weight", `"weight":1000`, `"weight":-1`, "weight: negative value -1"},
		{"huge weight", `"weight":1000`, `"weight":1099511627777`, "above the most a prior holds"},
		{"negative tasks", `"tasks":1000`, `"tasks":-5`, "task count: negative value -5"},
		{"huge count", `"str.++":5000`, `"str.++":9223372036854775807`, "above the most a prior holds"},
		{"unknown field", `"weight":1000`, `"weight":1000,"cost":3`, "unknown field"},
	} {
		bad := strings.Replace(string(good), tc.from, tc.to, 1)
		if bad == string(good) {
			t.Fatalf("%s: the test's edit did not apply to %s", tc.name, good)
		}
		_, err := DecodePrior([]byte(bad))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	// Two entries whose signatures join to the same text: the valid one is
	// parsed (and memoized) first, which must not vouch for the other.
	p := holedPrior()
	p.Library = []LibEntry{
		{Program: "(str.++ $0 $1)", Params: []string{"String", "String"}, Ret: "String", Weight: milli},
		{Program: "(str.++ $0 $1)", Params: []string{"String,String"}, Ret: "String", Weight: milli},
	}
	enc, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodePrior(enc); err == nil || !strings.Contains(err.Error(), "library entry 1") {
		t.Errorf("params [\"String,String\"] after [\"String\", \"String\"]: got %v", err)
	}
}

// FuzzDecodePrior builds priors from fuzzed library entries and counts.
// Whatever DecodePrior accepts must re-encode to bytes that decode and
// encode to themselves, and be usable by a search without panicking.
func FuzzDecodePrior(f *testing.F) {
	f.Add("(str.++ $0 $1)", "String", "String", "String", `"a"`, `"ab"`, int64(1000), "str.++", int64(5000), ctxKey("str.++", 0, "v:String"), int64(3000))
	f.Add("(str.substr $0 0 (str.indexof $0 $1 0))", "String", "String", "String", `"a b"`, `"a"`, int64(7), "str.substr", int64(1), "bogus", int64(0))
	f.Add("(str.len $0)", "String", "", "Int", `"abc"`, "3", int64(0), "v:String", int64(0), "", int64(-1))
	spec, err := os.ReadFile("testdata/area-code.sl")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, prog, param, hole, ret, in, out string, w int64, op string, opv int64, ctx string, ctxv int64) {
		p := holedPrior()
		var holes []string
		if hole != "" {
			holes = []string{hole}
		}
		p.Library = append(p.Library, LibEntry{Program: prog, Params: []string{param}, Holes: holes, Ret: ret, Weight: w,
			Checks: []Check{{In: []string{in}, Out: out}}})
		p.Ops[op] = opv
		p.Ctx[ctx] = ctxv
		enc, err := p.Encode()
		if err != nil {
			return
		}
		q, err := DecodePrior(enc)
		if err != nil {
			return
		}
		// The first encoding may replace invalid UTF-8 built in Go; from
		// then on an accepted prior is a fixed point of decode and encode.
		enc2, err := q.Encode()
		if err != nil {
			t.Fatal(err)
		}
		q2, err := DecodePrior(enc2)
		if err != nil {
			t.Fatalf("re-encoded prior refused: %v\n%s", err, enc2)
		}
		if enc3, err := q2.Encode(); err != nil || !bytes.Equal(enc2, enc3) {
			t.Fatalf("accepted prior does not round-trip (%v):\n%s\n%s", err, enc2, enc3)
		}
		e := New(Options{Prior: q}, 1)
		if _, err := e.Solve(context.Background(), engine.Task{ID: "t", Spec: spec}, engine.Budget{Candidates: 200}); err != nil {
			t.Fatalf("solve under an accepted prior: %v", err)
		}
	})
}
