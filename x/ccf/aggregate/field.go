package aggregate

import (
	"cmp"
	"fmt"
	"math/big"
	"math/bits"
	"slices"
)

// WeightUnit is the weight W of a perfect candidate (R = Q = C = PPM) without
// green bonus: Weight returns W in units of 1/WeightUnit.
const WeightUnit uint64 = PPM * PPM

// Micro is the scale of DomainVector coordinates: an embedding value v is v·Micro.
const Micro = 1_000_000

// MinMicro and MaxMicro bound DomainVector coordinates (the int8 range in micro units).
const (
	MinMicro = -128 * Micro
	MaxMicro = 127 * Micro
)

// Candidate is an accepted, non-outlier artifact competing for the field.
type Candidate struct {
	ID           uint64
	CID          string
	Producer     string
	Kind, Domain string
	Reputation   uint32 // ppm, reputation of the producer
	Quality      uint32 // ppm, consensus quality (VerdictResult.Quality)
	Confidence   uint32 // ppm
	RenewablePPM uint32 // ppm share of renewable energy
	Embedding    []int8
}

// FieldParams parameterize BuildField.
type FieldParams struct {
	MaxFieldSize  int    // top-K; must be > 0
	GreenBonusPPM uint32 // W *= (1 + bonus·renewable); any value
	MinSpreadPPM  uint64 // below -> degenerate (spread in ppm of embedding units squared)
	EMABetaPPM    uint32 // ema = (1-beta)·prev + beta·centroid; at most PPM
}

// Entry is one artifact of the field.
type Entry struct {
	ID                          uint64
	CID, Producer, Kind, Domain string
	WeightPPM                   uint32
}

// DomainVector is a per-domain vector in micro units (value × 10^6).
type DomainVector struct {
	Domain string
	Micro  []int64
}

// Field is the Collective Context Field of a round.
type Field struct {
	Entries    []Entry        // ordered by W desc, ties by ID asc; WeightPPM sums to PPM
	Centroids  []DomainVector // WeightPPM-weighted mean per domain over the entries, sorted by domain
	EMA        []DomainVector // smoothed with prev, sorted by domain
	SpreadPPM  uint64         // weighted mean squared pairwise distance × PPM (floor)
	Degenerate bool           // fewer than 2 entries or SpreadPPM < MinSpreadPPM
	MerkleRoot [32]byte       // MerkleRoot(Entries)
}

// Weight returns W = R·Q·C·(PPM² + bonus·renewable) / PPM³ in units of
// 1/WeightUnit (one truncating division; 128-bit intermediate). R, Q, C and the
// renewable share are clamped to PPM. The maximum, with bonus = MaxUint32, is
// below 4.3·10^15, so W never overflows.
func Weight(c Candidate, greenBonusPPM uint32) uint64 {
	r := uint64(min(c.Reputation, PPM))
	q := uint64(min(c.Quality, PPM))
	cf := uint64(min(c.Confidence, PPM))
	ren := uint64(min(c.RenewablePPM, PPM))
	rqc := r * q * cf                                     // ≤ 10^18
	factor := uint64(PPM*PPM) + uint64(greenBonusPPM)*ren // ≤ 10^12 + 4.3·10^15
	hi, lo := bits.Mul64(rqc, factor)
	w, _ := bits.Div64(hi, lo, PPM*PPM*PPM) // hi < 2^48 < 10^18: no panic
	return w
}

func validateCandidates(cands []Candidate) (dim int, err error) {
	if len(cands) == 0 {
		return 0, nil
	}
	dim = len(cands[0].Embedding)
	for i := range cands {
		c := &cands[i]
		if len(c.Embedding) == 0 {
			return 0, fmt.Errorf("%w: candidate id %d", ErrEmptyEmbedding, c.ID)
		}
		if len(c.Embedding) != dim {
			return 0, fmt.Errorf("%w: candidate id %d has %d, want %d", ErrDimensionMismatch, c.ID, len(c.Embedding), dim)
		}
		if c.Reputation > PPM || c.Quality > PPM || c.Confidence > PPM || c.RenewablePPM > PPM {
			return 0, fmt.Errorf("%w: candidate id %d", ErrPPMRange, c.ID)
		}
	}
	return dim, checkUniqueIDs(len(cands), func(i int) uint64 { return cands[i].ID })
}

// validateVectors checks a DomainVector list and returns a copy sorted by domain.
func validateVectors(vs []DomainVector, dim int) ([]DomainVector, error) {
	out := slices.Clone(vs)
	slices.SortFunc(out, func(a, b DomainVector) int { return cmp.Compare(a.Domain, b.Domain) })
	for i := range out {
		if i > 0 && out[i].Domain == out[i-1].Domain {
			return nil, fmt.Errorf("%w: %q", ErrDuplicateDomain, out[i].Domain)
		}
		if len(out[i].Micro) == 0 {
			return nil, fmt.Errorf("%w: vector of domain %q", ErrEmptyEmbedding, out[i].Domain)
		}
		if dim == 0 {
			dim = len(out[i].Micro)
		}
		if len(out[i].Micro) != dim {
			return nil, fmt.Errorf("%w: vector of domain %q has %d, want %d", ErrDimensionMismatch, out[i].Domain, len(out[i].Micro), dim)
		}
		for _, x := range out[i].Micro {
			if x < MinMicro || x > MaxMicro {
				return nil, fmt.Errorf("%w: domain %q coordinate %d", ErrVectorRange, out[i].Domain, x)
			}
		}
		out[i].Micro = slices.Clone(out[i].Micro)
	}
	return out, nil
}

// BuildField selects and normalizes the field of a round from the accepted,
// non-outlier candidates (see the package doc for every rule). prevEMA is the
// previous round's Field.EMA (any order; duplicate domains, a dimension other
// than the candidates' or coordinates outside [MinMicro, MaxMicro] are errors).
// Errors: ErrInvalidParams, ErrPPMRange, ErrEmptyEmbedding,
// ErrDimensionMismatch, ErrDuplicateID, ErrDuplicateDomain, ErrVectorRange.
// Cost O(n log n + n·dim). The inputs are not modified.
func BuildField(cands []Candidate, prevEMA []DomainVector, p FieldParams) (Field, error) {
	if p.MaxFieldSize <= 0 {
		return Field{}, fmt.Errorf("%w: MaxFieldSize %d must be > 0", ErrInvalidParams, p.MaxFieldSize)
	}
	if p.EMABetaPPM > PPM {
		return Field{}, fmt.Errorf("%w: EMABetaPPM %d > PPM", ErrInvalidParams, p.EMABetaPPM)
	}
	dim, err := validateCandidates(cands)
	if err != nil {
		return Field{}, err
	}
	prev, err := validateVectors(prevEMA, dim)
	if err != nil {
		return Field{}, err
	}

	// Eligible candidates (W > 0), sorted by W desc, ID asc; top K.
	type ranked struct {
		i int
		w uint64
	}
	rk := make([]ranked, 0, len(cands))
	for i := range cands {
		if w := Weight(cands[i], p.GreenBonusPPM); w > 0 {
			rk = append(rk, ranked{i, w})
		}
	}
	slices.SortFunc(rk, func(a, b ranked) int {
		if c := cmp.Compare(b.w, a.w); c != 0 {
			return c
		}
		return cmp.Compare(cands[a.i].ID, cands[b.i].ID)
	})
	if len(rk) > p.MaxFieldSize {
		rk = rk[:p.MaxFieldSize]
	}
	ws := make([]uint64, len(rk))
	ids := make([]uint64, len(rk))
	for k, r := range rk {
		ws[k], ids[k] = r.w, cands[r.i].ID
	}
	ppm := normalizePPM(ws, ids)

	f := Field{Entries: make([]Entry, len(rk))}
	embs := make([][]int8, len(rk))
	for k, r := range rk {
		c := &cands[r.i]
		f.Entries[k] = Entry{ID: c.ID, CID: c.CID, Producer: c.Producer, Kind: c.Kind, Domain: c.Domain, WeightPPM: ppm[k]}
		embs[k] = c.Embedding
	}
	f.Centroids = centroids(f.Entries, embs, dim)
	f.EMA = smoothEMA(prev, f.Centroids, p.EMABetaPPM)
	f.SpreadPPM = spreadPPM(f.Entries, embs, dim)
	f.Degenerate = len(f.Entries) < 2 || f.SpreadPPM < p.MinSpreadPPM
	f.MerkleRoot = MerkleRoot(f.Entries)
	return f, nil
}

// normalizePPM maps positive weights to ppm shares summing to exactly PPM by
// the largest-remainder method (ties by id ascending). Empty in, empty out.
func normalizePPM(ws, ids []uint64) []uint32 {
	n := len(ws)
	out := make([]uint32, n)
	if n == 0 {
		return out
	}
	var total u128
	for _, w := range ws {
		total = total.add64Sat(w)
	}
	if total.isZero() {
		return out // callers pass positive weights only
	}
	rem := make([]u128, n)
	var sum uint64
	for k, w := range ws {
		num := mul64(w, PPM)
		var q uint64
		if total.hi == 0 && num.hi < total.lo {
			var r uint64
			q, r = bits.Div64(num.hi, num.lo, total.lo)
			rem[k] = from64(r)
		} else {
			q, rem[k] = bigDivMod(num, total)
		}
		out[k] = uint32(q) // q ≤ PPM since w ≤ total
		sum += q
	}
	order := make([]int, n)
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := rem[b].cmp(rem[a]); c != 0 {
			return c
		}
		return cmp.Compare(ids[a], ids[b])
	})
	for d := 0; uint64(d) < PPM-sum && d < n; d++ {
		out[order[d]]++
	}
	return out
}

func (a u128) big() *big.Int {
	x := new(big.Int).SetUint64(a.hi)
	x.Lsh(x, 64)
	return x.Or(x, new(big.Int).SetUint64(a.lo))
}

// bigDivMod returns floor(a/b) (which must fit in 64 bits) and a mod b; b > 0.
func bigDivMod(a, b u128) (uint64, u128) {
	q, r := new(big.Int).QuoRem(a.big(), b.big(), new(big.Int))
	lo := new(big.Int).And(r, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi := new(big.Int).Rsh(r, 64).Uint64()
	return q.Uint64(), u128{hi, lo}
}

// roundDiv returns num/den rounded to the nearest integer, ties toward +∞; den > 0.
func roundDiv(num, den int64) int64 {
	n, d := 2*num+den, 2*den
	q := n / d
	if (n%d != 0) && ((n < 0) != (d < 0)) {
		q--
	}
	return q
}

// centroids returns the WeightPPM-weighted mean embedding per domain in micro
// units, sorted by domain.
func centroids(entries []Entry, embs [][]int8, dim int) []DomainVector {
	if len(entries) == 0 {
		return nil
	}
	idx := make([]int, len(entries))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(entries[a].Domain, entries[b].Domain); c != 0 {
			return c
		}
		return cmp.Compare(entries[a].ID, entries[b].ID)
	})
	var out []DomainVector
	sums := make([]int64, dim)
	for start := 0; start < len(idx); {
		end := start + 1
		for end < len(idx) && entries[idx[end]].Domain == entries[idx[start]].Domain {
			end++
		}
		group := idx[start:end]
		var den int64
		for _, i := range group {
			den += int64(entries[i].WeightPPM) // Σ ≤ PPM
		}
		clear(sums)
		if den > 0 {
			for _, i := range group {
				w := int64(entries[i].WeightPPM)
				for j, v := range embs[i] {
					sums[j] += w * int64(v) // |Σ| ≤ 128·PPM
				}
			}
		} else { // all weights rounded to 0: unweighted mean
			den = int64(len(group))
			for _, i := range group {
				for j, v := range embs[i] {
					sums[j] += int64(v)
				}
			}
		}
		vec := make([]int64, dim)
		for j := range vec {
			vec[j] = roundDiv(sums[j]*Micro, den)
		}
		out = append(out, DomainVector{Domain: entries[group[0]].Domain, Micro: vec})
		start = end
	}
	return out
}

// smoothEMA merges prev and cur (both sorted by domain, same dimension).
func smoothEMA(prev, cur []DomainVector, beta uint32) []DomainVector {
	out := make([]DomainVector, 0, len(prev)+len(cur))
	b := int64(beta)
	i, j := 0, 0
	for i < len(prev) || j < len(cur) {
		switch {
		case j == len(cur) || (i < len(prev) && prev[i].Domain < cur[j].Domain):
			out = append(out, DomainVector{Domain: prev[i].Domain, Micro: slices.Clone(prev[i].Micro)})
			i++
		case i == len(prev) || cur[j].Domain < prev[i].Domain:
			out = append(out, DomainVector{Domain: cur[j].Domain, Micro: slices.Clone(cur[j].Micro)})
			j++
		default: // same domain
			vec := make([]int64, len(cur[j].Micro))
			for k := range vec {
				// |values| ≤ 1.28·10^8, × PPM ≤ 1.28·10^14: no overflow
				vec[k] = roundDiv((PPM-b)*prev[i].Micro[k]+b*cur[j].Micro[k], PPM)
			}
			out = append(out, DomainVector{Domain: cur[j].Domain, Micro: vec})
			i++
			j++
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// spreadPPM returns floor(PPM · Σ_i Σ_j w_i w_j |e_i - e_j|² / W²) with
// w = WeightPPM, via 2·(W·Σ w|e|² - |Σ w e|²) / W², in O(n·dim).
func spreadPPM(entries []Entry, embs [][]int8, dim int) uint64 {
	var W uint64
	for _, e := range entries {
		W += uint64(e.WeightPPM)
	}
	if W == 0 || len(entries) < 2 {
		return 0
	}
	var a u128 // Σ w|e|²
	s := make([]int64, dim)
	for k, e := range entries {
		w := uint64(e.WeightPPM)
		var n2 uint64
		for j, v := range embs[k] {
			n2 += uint64(int64(v) * int64(v))
			s[j] += int64(w) * int64(v)
		}
		a = a.addSat(mul64(w, n2))
	}
	var b u128 // |Σ w e|²
	for _, x := range s {
		ax := uint64(x)
		if x < 0 {
			ax = uint64(-x)
		}
		b = b.addSat(mul64(ax, ax))
	}
	num := a.mul64Sat(W)
	if num.cmp(b) <= 0 {
		return 0
	}
	num = num.sub(b).mul64Sat(2 * PPM)
	return num.div64Sat(W * W)
}
