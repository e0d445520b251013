package aggregate

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// The bucket median used for large domains equals WeightedMedian.
func TestInt8MedianMatchesWeightedMedian(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var m int8Median
	for iter := 0; iter < 2000; iter++ {
		n := 1 + rng.IntN(150)
		vals := make([]int64, n)
		ws := make([]uint64, n)
		m.reset()
		mode := iter % 4
		for i := range vals {
			v := int8(rng.IntN(256) - 128)
			if mode == 3 {
				v = int8(rng.IntN(5) - 2) // many ties
			}
			var w uint64
			switch mode {
			case 0:
				w = uint64(rng.IntN(1000))
			case 1:
				w = 0
			case 2:
				w = math.MaxUint64 - uint64(rng.IntN(3))
			case 3:
				w = uint64(rng.IntN(3))
			}
			vals[i], ws[i] = int64(v), w
			m.add(v, w)
		}
		want, err := WeightedMedian(vals, ws)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.median(uint64(n)); int64(got) != want {
			t.Fatalf("iter %d: bucket %d, sort %d", iter, got, want)
		}
	}
}

// normalizePPM matches an exact math/big reference of the largest-remainder rule.
func TestNormalizePPMReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 500; iter++ {
		n := 1 + rng.IntN(40)
		ws := make([]uint64, n)
		ids := make([]uint64, n)
		perm := rng.Perm(n)
		for i := range ws {
			switch iter % 3 {
			case 0:
				ws[i] = 1 + uint64(rng.IntN(10))
			case 1:
				ws[i] = 1 + rng.Uint64()>>1
			case 2:
				ws[i] = math.MaxUint64 - uint64(rng.IntN(2))
			}
			ids[i] = uint64(perm[i])
		}
		got := normalizePPM(ws, ids)
		// reference
		T := new(big.Int)
		for _, w := range ws {
			T.Add(T, new(big.Int).SetUint64(w))
		}
		q := make([]*big.Int, n)
		r := make([]*big.Int, n)
		var sum int64
		for i, w := range ws {
			num := new(big.Int).Mul(new(big.Int).SetUint64(w), big.NewInt(PPM))
			q[i], r[i] = new(big.Int).QuoRem(num, T, new(big.Int))
			sum += q[i].Int64()
		}
		for d := int64(0); d < PPM-sum; d++ {
			best := -1
			for i := range ws {
				if r[i].Sign() < 0 {
					continue
				}
				if best < 0 || r[i].Cmp(r[best]) > 0 || (r[i].Cmp(r[best]) == 0 && ids[i] < ids[best]) {
					best = i
				}
			}
			q[best].Add(q[best], big.NewInt(1))
			r[best].SetInt64(-1)
		}
		var total uint64
		for i := range ws {
			if uint64(got[i]) != q[i].Uint64() {
				t.Fatalf("iter %d: got %v, want %v at %d", iter, got, q, i)
			}
			total += uint64(got[i])
		}
		if total != PPM {
			t.Fatalf("sum %d", total)
		}
	}
}

func TestRoundDiv(t *testing.T) {
	tests := []struct{ num, den, want int64 }{
		{0, 3, 0}, {1, 2, 1}, {-1, 2, 0}, {3, 2, 2}, {-3, 2, -1}, {1, 3, 0}, {2, 3, 1},
		{-1, 3, 0}, {-2, 3, -1}, {5, 1, 5}, {-5, 1, -5}, {7, 7, 1}, {-7, 7, -1},
	}
	for _, tc := range tests {
		if got := roundDiv(tc.num, tc.den); got != tc.want {
			t.Errorf("roundDiv(%d,%d) = %d, want %d", tc.num, tc.den, got, tc.want)
		}
	}
}

func TestU128(t *testing.T) {
	m := uint64(math.MaxUint64)
	if from64(m).add64Sat(1) != (u128{1, 0}) {
		t.Fatal("carry")
	}
	if maxU128.add64Sat(1) != maxU128 || maxU128.mul64Sat(2) != maxU128 || (u128{1, 0}).mul64Sat(m) != (u128{m, 0}) {
		t.Fatal("saturation")
	}
	if (u128{m, 0}).mul64Sat(2) != maxU128 || (u128{1, m}).mul64Sat(2) != (u128{3, m - 1}) {
		t.Fatal("mul")
	}
	if from64(3).ceilHalf() != from64(2) || (u128{1, 1}).ceilHalf() != (u128{0, 1<<63 + 1}) || maxU128.ceilHalf() != (u128{1 << 63, 0}) {
		t.Fatal("ceilHalf")
	}
	if (u128{1, 0}).sub(from64(1)) != from64(m) || (u128{1, 0}).sat64() != m || (u128{5, 0}).div64Sat(5) != m || mul64(m, 3).div64Sat(3) != m {
		t.Fatal("sub/sat/div")
	}
	if q, r := bigDivMod(u128{7, 5}, u128{1, 0}); q != 7 || r != from64(5) {
		t.Fatal("bigDivMod")
	}
}
