package aggregate

import (
	"math"
	"math/bits"
)

// u128 is an unsigned 128-bit integer used for sums and products that may
// exceed 64 bits.
type u128 struct{ hi, lo uint64 }

var maxU128 = u128{math.MaxUint64, math.MaxUint64}

func from64(x uint64) u128 { return u128{lo: x} }

func mul64(a, b uint64) u128 {
	hi, lo := bits.Mul64(a, b)
	return u128{hi, lo}
}

// addSat returns a+b, saturating at 2^128-1.
func (a u128) addSat(b u128) u128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, c2 := bits.Add64(a.hi, b.hi, c)
	if c2 != 0 {
		return maxU128
	}
	return u128{hi, lo}
}

// add64Sat returns a+b, saturating at 2^128-1.
func (a u128) add64Sat(b uint64) u128 { return a.addSat(from64(b)) }

// sub returns a-b; callers guarantee a >= b.
func (a u128) sub(b u128) u128 {
	lo, br := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, br)
	return u128{hi, lo}
}

// mul64Sat returns a·b, saturating at 2^128-1.
func (a u128) mul64Sat(b uint64) u128 {
	h1, l1 := bits.Mul64(a.lo, b)
	h2, l2 := bits.Mul64(a.hi, b)
	if h2 != 0 {
		return maxU128
	}
	hi, c := bits.Add64(h1, l2, 0)
	if c != 0 {
		return maxU128
	}
	return u128{hi, l1}
}

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a u128) isZero() bool { return a.hi == 0 && a.lo == 0 }

// ceilHalf returns ceil(a/2).
func (a u128) ceilHalf() u128 {
	odd := a.lo & 1
	h := u128{a.hi >> 1, a.lo>>1 | a.hi<<63}
	return h.add64Sat(odd)
}

// sat64 returns a clamped to the uint64 range.
func (a u128) sat64() uint64 {
	if a.hi != 0 {
		return math.MaxUint64
	}
	return a.lo
}

// div64Sat returns floor(a/d) clamped to the uint64 range; d must be > 0.
func (a u128) div64Sat(d uint64) uint64 {
	if d == 0 || a.hi >= d {
		return math.MaxUint64
	}
	q, _ := bits.Div64(a.hi, a.lo, d)
	return q
}
