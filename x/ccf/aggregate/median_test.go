package aggregate_test

import (
	"errors"
	"math"
	"testing"

	"github.com/h3lix/h3lix/x/ccf/aggregate"
)

func TestWeightedMedian(t *testing.T) {
	const maxU = math.MaxUint64
	tests := []struct {
		name    string
		values  []int64
		weights []uint64
		want    int64
		err     error
	}{
		{name: "empty", err: aggregate.ErrEmpty},
		{name: "nil values, one weight", weights: []uint64{1}, err: aggregate.ErrLengthMismatch},
		{name: "length mismatch", values: []int64{1, 2}, weights: []uint64{1}, err: aggregate.ErrLengthMismatch},
		{name: "single", values: []int64{7}, weights: []uint64{3}, want: 7},
		{name: "single zero weight", values: []int64{-7}, weights: []uint64{0}, want: -7},
		{name: "all equal", values: []int64{5, 5, 5}, weights: []uint64{1, 2, 3}, want: 5},
		{name: "odd equal weights", values: []int64{3, 1, 2}, weights: []uint64{1, 1, 1}, want: 2},
		{name: "even equal weights is lower", values: []int64{4, 1, 3, 2}, weights: []uint64{1, 1, 1, 1}, want: 2},
		{name: "two equal weights is lower", values: []int64{10, -10}, weights: []uint64{5, 5}, want: -10},
		{name: "heavy element wins", values: []int64{1, 2, 3, 100}, weights: []uint64{1, 1, 1, 10}, want: 100},
		{name: "exact half reaches", values: []int64{1, 2}, weights: []uint64{1, 1}, want: 1},
		{name: "just under half", values: []int64{1, 2}, weights: []uint64{49, 51}, want: 2},
		{name: "zero total is plain lower median", values: []int64{9, 1, 5, 3}, weights: []uint64{0, 0, 0, 0}, want: 3},
		{name: "zero weights skipped", values: []int64{-100, 0, 100}, weights: []uint64{0, 1, 0}, want: 0},
		{name: "zero-weight low values", values: []int64{-5, -4, 10}, weights: []uint64{0, 0, 1}, want: 10},
		{name: "ties in value", values: []int64{2, 2, 1, 3}, weights: []uint64{1, 1, 1, 1}, want: 2},
		{name: "negative values", values: []int64{-3, -1, -2}, weights: []uint64{1, 1, 1}, want: -2},
		{name: "extreme values", values: []int64{math.MinInt64, math.MaxInt64, 0}, weights: []uint64{1, 1, 1}, want: 0},
		{name: "max weights no overflow", values: []int64{1, 2, 3}, weights: []uint64{maxU, maxU, maxU}, want: 2},
		{name: "max weights lower half", values: []int64{1, 2}, weights: []uint64{maxU, maxU}, want: 1},
		{name: "max weight vs sum", values: []int64{1, 2, 3}, weights: []uint64{maxU, maxU - 1, 1}, want: 1},
		{name: "max weight majority", values: []int64{1, 2, 3}, weights: []uint64{maxU - 1, maxU, 0}, want: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := aggregate.WeightedMedian(tc.values, tc.weights)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestWeightedMedianDoesNotModifyInput(t *testing.T) {
	v := []int64{3, 1, 2}
	w := []uint64{1, 2, 3}
	if _, err := aggregate.WeightedMedian(v, w); err != nil {
		t.Fatal(err)
	}
	if v[0] != 3 || v[1] != 1 || v[2] != 2 || w[0] != 1 || w[1] != 2 || w[2] != 3 {
		t.Fatalf("input modified: %v %v", v, w)
	}
}
