package pbe

import (
	"context"
	"testing"
	"time"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// BenchmarkEnumerate measures raw enumeration speed: a task whose first
// example is unreachable, so the search runs until its candidate budget.
// Run: GOMAXPROCS=1 go test -run XXX -bench Enumerate ./worker/engine/pbe/
func BenchmarkEnumerate(b *testing.B) {
	p := load(b, "lastname.sl")
	p.Examples[0].Out = sygus.StrVal("unreachable output")
	const budget = 2_000_000
	var total int64
	var elapsed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, err := Synthesize(context.Background(), p, Options{}, Limits{Candidates: budget})
		if err != nil {
			b.Fatal(err)
		}
		if out.Solved {
			b.Fatal("solved an unreachable task")
		}
		total += out.Stats.Candidates
		elapsed += out.Stats.Elapsed
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "candidates/s")
}

// BenchmarkSmallSearches measures what the collective's budget costs: the
// in-repo tasks solved at 10k candidates each, where a search's fixed costs
// (grammar, library, the first chunk of its string arena) weigh as much as
// its enumeration. One op solves all of them.
// Run: GOMAXPROCS=1 go test -run XXX -bench SmallSearches ./worker/engine/pbe/
func BenchmarkSmallSearches(b *testing.B) {
	var ps []*sygus.Problem
	for _, name := range []string{"area-code.sl", "country.sl", "join.sl", "lastname.sl", "prefix-bool.sl", "word-count.sl"} {
		ps = append(ps, load(b, name))
	}
	var cand int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range ps {
			out, err := Synthesize(context.Background(), p, Options{}, Limits{Candidates: 10_000})
			if err != nil {
				b.Fatal(err)
			}
			cand += out.Stats.Candidates
		}
	}
	b.ReportMetric(float64(cand)/float64(b.N), "candidates/op")
}

// BenchmarkSetupWithPrior measures what a search costs before it
// enumerates (grammar, library instances, context costs) under a prior
// learned from the in-repo tasks: one op sets up all of them, each stopped
// at its first candidate. A conditioned node pays this on every task, and
// at 10k candidates it is a large share of a solve.
// Run: GOMAXPROCS=1 go test -run XXX -bench SetupWithPrior ./worker/engine/pbe/
func BenchmarkSetupWithPrior(b *testing.B) {
	var ps []*sygus.Problem
	var solved []Solved
	for _, name := range []string{"area-code.sl", "country.sl", "join.sl", "lastname.sl", "prefix-bool.sl", "word-count.sl"} {
		p := load(b, name)
		out, err := Synthesize(context.Background(), p, Options{}, Limits{Candidates: 1_000_000})
		if err != nil || !out.Solved {
			b.Fatalf("%s: %v %+v", name, err, out)
		}
		ps, solved = append(ps, p), append(solved, Solved{Problem: p, Term: out.Term})
	}
	pr, err := Learn(solved, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, p := range ps {
			if _, err := Synthesize(context.Background(), p, Options{Prior: pr}, Limits{Candidates: 1}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
