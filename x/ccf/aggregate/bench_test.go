package aggregate_test

import (
	"fmt"
	"testing"

	"github.com/h3lix/h3lix/x/ccf/aggregate"
)

var benchSizes = []int{1_000, 10_000, 50_000}

const benchDim = 64

func BenchmarkBuildField(b *testing.B) {
	for _, n := range benchSizes {
		rng := newRNG(uint64(n))
		cands := randCands(rng, n, benchDim)
		prev := randPrev(rng, benchDim)
		p := aggregate.FieldParams{MaxFieldSize: n, GreenBonusPPM: 200_000, MinSpreadPPM: 1, EMABetaPPM: 100_000}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := aggregate.BuildField(cands, prev, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFilterOutliers(b *testing.B) {
	for _, n := range benchSizes {
		rng := newRNG(uint64(n))
		ps := randPoints(rng, n, benchDim)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := aggregate.FilterOutliers(ps, k3); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
