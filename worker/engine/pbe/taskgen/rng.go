package taskgen

import "math/bits"

// rng is splitmix64. It is spelled out here, not taken from math/rand, so
// that a seed names the same tasks on every Go version and platform: the
// tasks are part of what a node can be asked to reproduce.
type rng struct{ s uint64 }

const golden = 0x9e3779b97f4a7c15

func (r *rng) next() uint64 {
	r.s += golden
	return mix(r.s)
}

// mix is the splitmix64 finalizer, also used to derive independent streams.
func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// stream returns a generator for substream k of seed, so that task i does
// not depend on how many draws the tasks before it needed.
func stream(seed, k uint64) *rng {
	return &rng{s: mix(seed^golden) ^ mix(k+1)}
}

// intn returns a uniform int in [0, n) by Lemire's multiply-and-reject.
func (r *rng) intn(n int) int {
	if n <= 0 {
		panic("taskgen: intn of a non-positive bound")
	}
	bound := uint64(n)
	hi, lo := bits.Mul64(r.next(), bound)
	if lo < bound {
		thresh := -bound % bound
		for lo < thresh {
			hi, lo = bits.Mul64(r.next(), bound)
		}
	}
	return int(hi)
}

// between returns a uniform int in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// percent reports true with probability p/100.
func (r *rng) percent(p int) bool { return r.intn(100) < p }

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// perm returns a uniform permutation of 0..n-1 (Fisher-Yates).
func (r *rng) perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}
