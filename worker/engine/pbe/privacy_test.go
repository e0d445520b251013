package pbe

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// sharedSets are the public benchmark sets next to the repository.
var sharedSets = []string{"../../../../shared/bench/sygus-pbe/euphony-train", "../../../../shared/bench/sygus-pbe/sygus2018"}

// TestPrivacyScan is the privacy promise over every shared benchmark task:
// solve each task, distil it, learn a prior from each whole set, and scan
// every shared byte (payloads and priors) for every example string of two
// or more characters of the tasks it came from, and every program for a
// word of them spelt out of letters (assembledLeak). It also checks that
// provenance is not the public SHA-256 of a spec. Tasks the engine leaves
// unsolved at this budget are learned from their reference solution when
// the file has one. CI sets H3LIX_REQUIRE_SHARED, so a missing ../shared
// fails there instead of skipping.
func TestPrivacyScan(t *testing.T) {
	scanned := 0
	for _, dir := range sharedSets {
		files, _ := filepath.Glob(filepath.Join(dir, "*.sl"))
		if len(files) == 0 {
			if os.Getenv("H3LIX_REQUIRE_SHARED") != "" {
				t.Fatalf("H3LIX_REQUIRE_SHARED is set but %s has no tasks", dir)
			}
			t.Skipf("%s is absent: the shared benchmark sets are not part of the repository", dir)
		}
		e := New(Options{}, 11)
		var solved []Solved
		var setSecrets []string
		payloads := 0
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := sygus.Parse(string(src))
			if err != nil || len(p.Examples) == 0 {
				continue // not a PBE task; nothing to solve or share
			}
			secrets := Secrets(p)
			setSecrets = append(setSecrets, secrets...)
			res, err := e.Solve(context.Background(), engine.Task{ID: f, Spec: src}, engine.Budget{Candidates: 20_000})
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			var term *sygus.Term
			switch {
			case res.Solved:
				term, err = ParseCanonical(res.Program, sortsOfParams(p), p.Fun.Ret.String())
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				arts, err := e.Distill(context.Background(), []engine.Result{res})
				if err != nil {
					t.Fatalf("%s: distill: %v", f, err)
				}
				for _, a := range arts {
					payloads++
					if leak := scanShared(a.Payload, secrets); leak != "" {
						t.Errorf("%s: payload %s\n%s", filepath.Base(f), leak, a.Payload)
					}
					if pl, err := DecodePayload(a.Payload); err != nil {
						t.Errorf("%s: %v", filepath.Base(f), err)
					} else if leak := assembledLeak(t, pl.Program, pl.Params, pl.Holes, pl.Ret, secrets); leak != "" {
						t.Errorf("%s: payload %s", filepath.Base(f), leak)
					}
					plain := sha256.Sum256(src)
					if bytes.Contains(a.Payload, []byte(hex.EncodeToString(plain[:]))) {
						t.Errorf("%s: provenance is the spec's public SHA-256", filepath.Base(f))
					}
				}
			case p.Reference != nil:
				term = p.Reference.Body
			default:
				continue
			}
			solved = append(solved, Solved{Problem: p, Term: term, TaskHash: f})
		}
		pr, err := Learn(solved, 5)
		if err != nil {
			t.Fatal(err)
		}
		b, err := pr.Encode()
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(setSecrets)
		setSecrets = slices.Compact(setSecrets)
		if leak := scanShared(b, setSecrets); leak != "" {
			t.Errorf("%s: learned prior %s", dir, leak)
		}
		for _, l := range pr.Library {
			if leak := assembledLeak(t, l.Program, l.Params, l.Holes, l.Ret, setSecrets); leak != "" {
				t.Errorf("%s: learned library entry %s", dir, leak)
			}
		}
		dp, err := LearnPrivate(solved, 4000, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := dp.Encode(); scanShared(b, setSecrets) != "" {
			t.Errorf("%s: private prior %s", dir, scanShared(b, setSecrets))
		}
		if len(pr.Library) == 0 || payloads < len(files)/3 {
			t.Errorf("%s: %d payloads, %d library entries: too little was shared for the scan to mean anything", dir, payloads, len(pr.Library))
		}
		t.Logf("%s: %d tasks, %d payloads and a prior of %d bytes (%d library entries) scanned", filepath.Base(dir), len(files), payloads, len(b), len(pr.Library))
		scanned += payloads
	}
	if scanned == 0 {
		t.Fatal("nothing scanned")
	}
}

func sortsOfParams(p *sygus.Problem) []string {
	out := make([]string, len(p.Fun.Params))
	for i, v := range p.Fun.Params {
		out[i] = v.Sort.String()
	}
	return out
}

// scanShared reads shared JSON bytes the way an observer would. Every JSON
// key and string value is cut into SMT-LIB string literals (whose contents
// are data) and tokens; a token must be part of the format's own
// vocabulary (field names, operators, sorts, parameters, holes, digests,
// integers), so that nothing unrecognised passes. It returns a description
// of the first string literal or integer that contains a secret, or of the
// first token outside the vocabulary; "" when the bytes are clean.
func scanShared(b []byte, secrets []string) string {
	var doc any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return "does not decode: " + err.Error()
	}
	var found string
	var walk func(v any)
	check := func(s string) {
		if found == "" {
			found = scanString(s, secrets)
		}
	}
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				check(k)
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case string:
			check(v)
		}
	}
	walk(doc)
	return found
}

var (
	intToken = regexp.MustCompile(`^-?[0-9]+$`)
	argToken = regexp.MustCompile(`^[$?][0-9]+$`)
	hexToken = regexp.MustCompile(`^[0-9a-f]{32}$|^[0-9a-f]{64}$`)
)

// scanVocabulary is every token the shared formats use.
var scanVocabulary = func() map[string]bool {
	v := map[string]bool{}
	for _, w := range strings.Fields(`schema dsl program params holes ret checks in fill out prior_delta ops consts
		ctx provenance tasks library weight dp_epsilon_milli c v lib true false Int String Bool ?Int ?String
		h3lix/pbe/artifact/v2 h3lix/pbe/prior/v3`) {
		v[w] = true
	}
	for op := sygus.Op(1); op.Name() != "?"; op++ {
		v[op.Name()] = true
		for _, s := range []string{"Int", "String", "Bool"} {
			v[op.Name()+"/"+s] = true
		}
	}
	return v
}()

func scanString(s string, secrets []string) string {
	var rest strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '"' {
			rest.WriteByte(s[i])
			continue
		}
		// An SMT-LIB string literal: "" inside is one quote.
		j := i + 1
		for ; j < len(s); j++ {
			if s[j] == '"' {
				if j+1 < len(s) && s[j+1] == '"' {
					j++
					continue
				}
				break
			}
		}
		if j >= len(s) {
			return fmt.Sprintf("has an unterminated string literal in %q", s)
		}
		v, err := parseLiteral(s[i : j+1])
		if err != nil {
			return fmt.Sprintf("has a literal %s that does not parse: %v", s[i:j+1], err)
		}
		if leaks(v.Str, secrets) {
			return fmt.Sprintf("holds the task string in the literal %s", s[i:j+1])
		}
		rest.WriteByte(' ')
		i = j
	}
	for _, tok := range strings.FieldsFunc(rest.String(), func(r rune) bool {
		return strings.ContainsRune(" ()#>:|,", r)
	}) {
		switch {
		case intToken.MatchString(tok):
			if leaks(tok, secrets) {
				return fmt.Sprintf("holds the task string in the integer %s", tok)
			}
		case argToken.MatchString(tok), hexToken.MatchString(tok), scanVocabulary[tok]:
		default:
			return fmt.Sprintf("has a token %q that is not part of the format", tok)
		}
	}
	return ""
}

// TestScanSharedCatches makes sure the scan is not blind: it finds a task
// string in a literal, in a prior key, in an integer and in an unknown
// token, and passes clean bytes.
func TestScanSharedCatches(t *testing.T) {
	secrets := []string{"_acme.com", "555"}
	for _, tc := range []struct {
		doc  string
		leak bool
	}{
		{`{"program":"(str.++ $0 \"_acme.com\")"}`, true},
		{`{"program":"(str.++ $0 \"x_acme.com\"\"\")"}`, true},
		{`{"consts":{"c:\"_acme.com\"":1000}}`, true},
		{`{"checks":[{"in":["7"],"out":"15557"}]}`, true},
		{`{"program":"(str.++ $0 acme)"}`, true},
		{`{"program":"(str.++ $0 $1)","holes":["String"],"checks":[{"in":["\"Kato\""],"fill":["\"-Bu\""],"out":"\"Kato-Bu\""}]}`, false},
		{`{"consts":{"c:?String":1000,"c:\" \"":2000},"ctx":{"str.++#1>c:?String":1000}}`, false},
	} {
		if got := scanShared([]byte(tc.doc), secrets); (got != "") != tc.leak {
			t.Errorf("%s: scan says %q, want leak=%v", tc.doc, got, tc.leak)
		}
	}
}
