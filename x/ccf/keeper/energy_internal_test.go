package keeper

import (
	"math"
	"testing"
)

// The CO2e per valid artifact never overflows or panics, whatever
// producers claim.
func TestPerValid(t *testing.T) {
	for _, tc := range []struct{ mg, accepted, want uint64 }{
		{4, 0, 0},
		{4, 6, 666},
		{120, 6, 20_000},
		{math.MaxUint64, 1, math.MaxUint64},
		{math.MaxUint64, 1000, math.MaxUint64},
		{math.MaxUint64, 1001, 18428315757951600014}, // ⌊(2^64−1)·1000/1001⌋
		{math.MaxUint64 / 1000, 1, (math.MaxUint64 / 1000) * 1000},
	} {
		if got := perValid(tc.mg, tc.accepted); got != tc.want {
			t.Errorf("perValid(%d, %d) = %d, want %d", tc.mg, tc.accepted, got, tc.want)
		}
	}
}
