package aggregate

import (
	"cmp"
	"fmt"
	"slices"
)

// PPM is the fixed-point unit for scores, qualities, weights and multipliers.
const PPM = 1_000_000

type weighted struct {
	v int64
	w uint64
}

// WeightedMedian returns the lower weighted median of values: the smallest value
// v with 2·Σ{weights[i] : values[i] ≤ v} ≥ Σ weights. With a zero total weight it
// returns the plain lower median (element (n-1)/2 of the sorted values). The
// result depends only on the multiset of (value, weight) pairs, not on their
// order, and is always one of the values (one with positive weight when the
// total is positive). Sums are exact (128-bit). Cost O(n log n).
func WeightedMedian(values []int64, weights []uint64) (int64, error) {
	if len(values) != len(weights) {
		return 0, fmt.Errorf("%w: %d values, %d weights", ErrLengthMismatch, len(values), len(weights))
	}
	if len(values) == 0 {
		return 0, fmt.Errorf("%w: weighted median of no values", ErrEmpty)
	}
	buf := make([]weighted, len(values))
	for i := range values {
		buf[i] = weighted{values[i], weights[i]}
	}
	return weightedMedianInPlace(buf), nil
}

// weightedMedianInPlace sorts buf by value and returns its lower weighted
// median; buf must be non-empty.
func weightedMedianInPlace(buf []weighted) int64 {
	slices.SortFunc(buf, func(a, b weighted) int { return cmp.Compare(a.v, b.v) })
	var total u128
	for _, p := range buf {
		total = total.add64Sat(p.w)
	}
	if total.isZero() {
		return buf[(len(buf)-1)/2].v
	}
	half := total.ceilHalf()
	var cum u128
	for _, p := range buf {
		cum = cum.add64Sat(p.w)
		if cum.cmp(half) >= 0 {
			return p.v
		}
	}
	return buf[len(buf)-1].v // unreachable: cum reaches total >= half
}

// int8Median evaluates the lower weighted median of int8 values with buckets,
// O(len + 256). It gives exactly the result of WeightedMedian.
type int8Median struct {
	w   [256]u128
	cnt [256]uint64
}

func (m *int8Median) reset() {
	m.w = [256]u128{}
	m.cnt = [256]uint64{}
}

func (m *int8Median) add(v int8, w uint64) {
	b := int(v) + 128
	m.w[b] = m.w[b].add64Sat(w)
	m.cnt[b]++
}

// median returns the lower weighted median of the added values; n is the count
// of added values and must be > 0.
func (m *int8Median) median(n uint64) int8 {
	var total u128
	for b := range m.w {
		total = total.addSat(m.w[b])
	}
	if total.isZero() {
		idx := (n - 1) / 2
		var c uint64
		for b := range m.cnt {
			c += m.cnt[b]
			if c > idx {
				return int8(b - 128)
			}
		}
		return 127 // unreachable
	}
	half := total.ceilHalf()
	var cum u128
	for b := range m.w {
		cum = cum.addSat(m.w[b])
		if !m.w[b].isZero() && cum.cmp(half) >= 0 {
			return int8(b - 128)
		}
	}
	return 127 // unreachable
}

// doubledMedianSorted returns twice the standard median of a sorted non-empty
// slice: s[lo] + s[hi] with lo = (n-1)/2, hi = n/2 (saturating).
func doubledMedianSorted(s []uint64) uint64 {
	a, b := s[(len(s)-1)/2], s[len(s)/2]
	return from64(a).add64Sat(b).sat64()
}
