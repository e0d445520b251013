package aggregate_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/h3lix/h3lix/x/ccf/aggregate"
)

// Property tests use a seeded PRNG (the package itself never does).

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

var domains = []string{"code", "math", "text", "vision", ""}

func randPoints(rng *rand.Rand, n, dim int) []aggregate.Point {
	ps := make([]aggregate.Point, n)
	ids := rng.Perm(n * 3)
	for i := range ps {
		e := make([]int8, dim)
		for j := range e {
			e[j] = int8(rng.IntN(256) - 128)
			if rng.IntN(4) > 0 {
				e[j] = int8(rng.IntN(11) - 5) // clustered, with ties
			}
		}
		ps[i] = aggregate.Point{
			ID: uint64(ids[i]), Domain: domains[rng.IntN(len(domains))], Embedding: e,
			Weight: uint64(rng.IntN(aggregate.PPM + 1)),
		}
		if rng.IntN(10) == 0 {
			ps[i].Weight = 0
		}
	}
	return ps
}

func randCands(rng *rand.Rand, n, dim int) []aggregate.Candidate {
	cs := make([]aggregate.Candidate, n)
	ids := rng.Perm(n * 3)
	for i := range cs {
		e := make([]int8, dim)
		for j := range e {
			e[j] = int8(rng.IntN(256) - 128)
		}
		ppmv := func() uint32 {
			if rng.IntN(8) == 0 {
				return aggregate.PPM // ties in W
			}
			return uint32(rng.IntN(aggregate.PPM + 1))
		}
		cs[i] = aggregate.Candidate{
			ID: uint64(ids[i]), CID: fmt.Sprintf("bafy%d", ids[i]), Producer: fmt.Sprintf("p%d", rng.IntN(5)),
			Kind: "pbe", Domain: domains[rng.IntN(len(domains))],
			Reputation: ppmv(), Quality: ppmv(), Confidence: ppmv(), RenewablePPM: ppmv(), Embedding: e,
		}
	}
	return cs
}

func randPrev(rng *rand.Rand, dim int) []aggregate.DomainVector {
	var out []aggregate.DomainVector
	for _, d := range domains {
		if rng.IntN(2) == 0 {
			continue
		}
		v := make([]int64, dim)
		for j := range v {
			v[j] = aggregate.MinMicro + rng.Int64N(aggregate.MaxMicro-aggregate.MinMicro+1)
		}
		out = append(out, aggregate.DomainVector{Domain: d, Micro: v})
	}
	return out
}

func shuffled[T any](rng *rand.Rand, s []T) []T {
	c := slices.Clone(s)
	rng.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
	return c
}

func TestPropertyFilterOrderInvariant(t *testing.T) {
	rng := newRNG(11)
	for iter := 0; iter < 60; iter++ {
		n := 1 + rng.IntN(400) // crosses the bucket threshold per domain
		ps := randPoints(rng, n, 1+rng.IntN(12))
		k := aggregate.FilterParams{MADMultiplierPPM: 1 + uint64(rng.IntN(5*aggregate.PPM))}
		keep, centres, err := aggregate.FilterOutliers(ps, k)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[uint64]bool{}
		for i, p := range ps {
			byID[p.ID] = keep[i]
		}
		for rep := 0; rep < 3; rep++ {
			ps2 := shuffled(rng, ps)
			keep2, centres2, err := aggregate.FilterOutliers(ps2, k)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range ps2 {
				if keep2[i] != byID[p.ID] {
					t.Fatalf("iter %d: keep of id %d changed with order", iter, p.ID)
				}
			}
			if !reflect.DeepEqual(centres, centres2) {
				t.Fatalf("iter %d: centres changed with order", iter)
			}
		}
		// repeated run on the same input is identical
		keep3, centres3, _ := aggregate.FilterOutliers(ps, k)
		if !slices.Equal(keep, keep3) || !reflect.DeepEqual(centres, centres3) {
			t.Fatal("not repeatable")
		}
		// every centre coordinate is a weighted median of the domain's coordinates
		for _, c := range centres {
			for j := range c.Centre {
				var vals []int64
				var ws []uint64
				for _, p := range ps {
					if p.Domain == c.Domain {
						vals = append(vals, int64(p.Embedding[j]))
						ws = append(ws, p.Weight)
					}
				}
				m, _ := aggregate.WeightedMedian(vals, ws)
				if int64(c.Centre[j]) != m {
					t.Fatalf("centre %q[%d] = %d, WeightedMedian %d", c.Domain, j, c.Centre[j], m)
				}
			}
		}
	}
}

func TestPropertyBuildFieldOrderInvariant(t *testing.T) {
	rng := newRNG(12)
	for iter := 0; iter < 60; iter++ {
		dim := 1 + rng.IntN(16)
		cs := randCands(rng, rng.IntN(300), dim)
		prev := randPrev(rng, dim)
		p := aggregate.FieldParams{
			MaxFieldSize: 1 + rng.IntN(200), GreenBonusPPM: uint32(rng.IntN(2 * aggregate.PPM)),
			MinSpreadPPM: uint64(rng.IntN(100_000 * aggregate.PPM)), EMABetaPPM: uint32(rng.IntN(aggregate.PPM + 1)),
		}
		f, err := aggregate.BuildField(cs, prev, p)
		if err != nil {
			t.Fatal(err)
		}
		for rep := 0; rep < 3; rep++ {
			f2, err := aggregate.BuildField(shuffled(rng, cs), shuffled(rng, prev), p)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f, f2) {
				t.Fatalf("iter %d: field changed with input order", iter)
			}
		}
		f3, _ := aggregate.BuildField(cs, prev, p)
		if !reflect.DeepEqual(f, f3) {
			t.Fatal("not repeatable")
		}
		checkFieldInvariants(t, f, cs, p)
	}
}

// checkFieldInvariants verifies a field against brute-force references.
func checkFieldInvariants(t *testing.T, f aggregate.Field, cs []aggregate.Candidate, p aggregate.FieldParams) {
	t.Helper()
	byID := map[uint64]aggregate.Candidate{}
	eligible := 0
	for _, c := range cs {
		byID[c.ID] = c
		if aggregate.Weight(c, p.GreenBonusPPM) > 0 {
			eligible++
		}
	}
	if len(f.Entries) != min(eligible, p.MaxFieldSize) {
		t.Fatalf("%d entries, %d eligible, K %d", len(f.Entries), eligible, p.MaxFieldSize)
	}
	if len(f.Entries) > 0 && sumPPM(f.Entries) != aggregate.PPM {
		t.Fatalf("weights sum to %d", sumPPM(f.Entries))
	}
	for i := 1; i < len(f.Entries); i++ {
		a, b := byID[f.Entries[i-1].ID], byID[f.Entries[i].ID]
		wa, wb := aggregate.Weight(a, p.GreenBonusPPM), aggregate.Weight(b, p.GreenBonusPPM)
		if wa < wb || (wa == wb && a.ID >= b.ID) || f.Entries[i-1].WeightPPM < f.Entries[i].WeightPPM {
			t.Fatalf("order broken at %d", i)
		}
	}
	// spread: O(n²) exact reference
	num, den := new(big.Int), new(big.Int)
	var W int64
	for _, e := range f.Entries {
		W += int64(e.WeightPPM)
	}
	for _, ei := range f.Entries {
		for _, ej := range f.Entries {
			var d int64
			a, b := byID[ei.ID].Embedding, byID[ej.ID].Embedding
			for k := range a {
				x := int64(a[k]) - int64(b[k])
				d += x * x
			}
			term := new(big.Int).SetInt64(int64(ei.WeightPPM) * int64(ej.WeightPPM))
			num.Add(num, term.Mul(term, big.NewInt(d)))
		}
	}
	if len(f.Entries) >= 2 {
		num.Mul(num, big.NewInt(aggregate.PPM))
		den.SetInt64(W * W)
		want := num.Quo(num, den).Uint64()
		if f.SpreadPPM != want {
			t.Fatalf("spread %d, brute force %d", f.SpreadPPM, want)
		}
	} else if f.SpreadPPM != 0 {
		t.Fatalf("spread %d with %d entries", f.SpreadPPM, len(f.Entries))
	}
	if f.Degenerate != (len(f.Entries) < 2 || f.SpreadPPM < p.MinSpreadPPM) {
		t.Fatal("degenerate flag")
	}
	if f.MerkleRoot != aggregate.MerkleRoot(f.Entries) {
		t.Fatal("merkle root")
	}
	for i := 1; i < len(f.Centroids); i++ {
		if f.Centroids[i-1].Domain >= f.Centroids[i].Domain {
			t.Fatal("centroids not sorted")
		}
	}
	for i := 1; i < len(f.EMA); i++ {
		if f.EMA[i-1].Domain >= f.EMA[i].Domain {
			t.Fatal("ema not sorted")
		}
	}
	for _, v := range f.EMA {
		for _, x := range v.Micro {
			if x < aggregate.MinMicro || x > aggregate.MaxMicro {
				t.Fatalf("ema out of range: %d", x)
			}
		}
	}
}

func TestPropertyVerdictOrderInvariant(t *testing.T) {
	rng := newRNG(13)
	for iter := 0; iter < 300; iter++ {
		n := rng.IntN(12)
		atts := make([]aggregate.Attestation, n)
		for i := range atts {
			atts[i] = aggregate.Attestation{
				Verifier: fmt.Sprintf("v%d", i), Weight: uint64(rng.IntN(aggregate.PPM + 1)),
				Verdict: aggregate.Verdict(rng.IntN(4)), Quality: uint32(rng.IntN(aggregate.PPM + 1)),
			}
		}
		p := aggregate.VerdictParams{MinAttestedWeight: uint64(rng.IntN(2 * aggregate.PPM))}
		r := aggregate.DecideVerdict(atts, p)
		if r2 := aggregate.DecideVerdict(shuffled(rng, atts), p); r != r2 {
			t.Fatalf("verdict changed with order: %+v vs %+v", r, r2)
		}
		if r.Accepted != (r.Outcome == aggregate.VerdictValid) {
			t.Fatal("accepted flag")
		}
		vals, ws := []int64{}, []uint64{}
		for _, a := range atts {
			if a.Verdict == aggregate.VerdictValid {
				vals, ws = append(vals, int64(a.Quality)), append(ws, a.Weight)
			}
		}
		if m, err := aggregate.WeightedMedian(vals, ws); (err == nil && uint32(m) != r.Quality) || (err != nil && r.Quality != 0) {
			t.Fatal("quality is not the weighted median")
		}
		for _, a := range atts {
			if g := aggregate.Agreement(a, r); g > aggregate.PPM || (r.Outcome == 0 && g != 0) {
				t.Fatalf("agreement %d", g)
			}
		}
	}
}

func TestPropertyWeightedMedianOrderInvariant(t *testing.T) {
	rng := newRNG(14)
	for iter := 0; iter < 500; iter++ {
		n := 1 + rng.IntN(30)
		vals := make([]int64, n)
		ws := make([]uint64, n)
		for i := range vals {
			vals[i] = rng.Int64N(21) - 10
			ws[i] = uint64(rng.IntN(4))
		}
		m, err := aggregate.WeightedMedian(vals, ws)
		if err != nil {
			t.Fatal(err)
		}
		perm := rng.Perm(n)
		v2, w2 := make([]int64, n), make([]uint64, n)
		for i, j := range perm {
			v2[i], w2[i] = vals[j], ws[j]
		}
		if m2, _ := aggregate.WeightedMedian(v2, w2); m2 != m {
			t.Fatalf("median changed with order: %d vs %d", m, m2)
		}
		// definition: 2·c(m) ≥ W and 2·c(<m) < W (W > 0)
		var W, c, below uint64
		for i := range vals {
			W += ws[i]
			if vals[i] <= m {
				c += ws[i]
			}
			if vals[i] < m {
				below += ws[i]
			}
		}
		if W > 0 && (2*c < W || 2*below >= W) {
			t.Fatalf("not the lower weighted median: %v %v -> %d", vals, ws, m)
		}
	}
}

// honestAdversarial builds one domain: honest points in a box around a random
// centre, adversarial points with total weight strictly below the honest total.
func honestAdversarial(rng *rand.Rand, dim, nh, na int, far bool) (ps []aggregate.Point, honest map[uint64]bool) {
	honest = map[uint64]bool{}
	centre := make([]int, dim)
	for j := range centre {
		centre[j] = rng.IntN(200) - 100
	}
	r := 1 + rng.IntN(10)
	var wh uint64
	id := uint64(0)
	for i := 0; i < nh; i++ {
		e := make([]int8, dim)
		for j := range e {
			e[j] = int8(max(-128, min(127, centre[j]+rng.IntN(2*r+1)-r)))
		}
		w := 1 + uint64(rng.IntN(aggregate.PPM))
		wh += w
		id++
		honest[id] = true
		ps = append(ps, aggregate.Point{ID: id, Domain: "d", Embedding: e, Weight: w})
	}
	// adversarial weights: random, then scaled so that their sum ≤ wh - 1
	aw := make([]uint64, na)
	var sa uint64
	for i := range aw {
		aw[i] = 1 + uint64(rng.IntN(aggregate.PPM))
		sa += aw[i]
	}
	collude := rng.IntN(2) == 0
	target := make([]int8, dim)
	for j := range target {
		target[j] = int8(rng.IntN(256) - 128)
		if far {
			target[j] = 127
			if centre[j] > 0 {
				target[j] = -128
			}
		}
	}
	for i := 0; i < na; i++ {
		w := aw[i] * (wh - 1) / sa // Σ ≤ wh - 1 < wh
		e := make([]int8, dim)
		for j := range e {
			switch {
			case collude:
				e[j] = target[j]
			case far:
				e[j] = target[j] - int8(rng.IntN(3))*int8(sign(int(target[j])))
			default:
				e[j] = int8(rng.IntN(256) - 128)
			}
		}
		id++
		ps = append(ps, aggregate.Point{ID: id, Domain: "d", Embedding: e, Weight: w})
	}
	return shuffled(rng, ps), honest
}

func sign(x int) int {
	if x < 0 {
		return -1
	}
	return 1
}

// The robustness bound of the package doc: with adversarial weight strictly
// below half, every centre coordinate stays within the honest points' range.
func TestPropertyRobustnessBound(t *testing.T) {
	rng := newRNG(15)
	for iter := 0; iter < 300; iter++ {
		dim := 1 + rng.IntN(16)
		nh := 1 + rng.IntN(120)
		na := rng.IntN(3 * nh) // the minority is by weight; it may outnumber the honest points
		ps, honest := honestAdversarial(rng, dim, nh, na, iter%2 == 0)
		_, centres, err := aggregate.FilterOutliers(ps, k3)
		if err != nil {
			t.Fatal(err)
		}
		c := centres[0].Centre
		for j := 0; j < dim; j++ {
			lo, hi := 127, -128
			for _, p := range ps {
				if honest[p.ID] && p.Weight > 0 {
					lo, hi = min(lo, int(p.Embedding[j])), max(hi, int(p.Embedding[j]))
				}
			}
			if int(c[j]) < lo || int(c[j]) > hi {
				t.Fatalf("iter %d: centre[%d] = %d outside honest range [%d, %d]", iter, j, c[j], lo, hi)
			}
		}
	}
}

// With the adversaries also fewer than half of the points, every adversarial
// point farther than D_H·(1+k) from the centre is filtered.
func TestPropertyFarOutliersFiltered(t *testing.T) {
	rng := newRNG(16)
	checked := 0
	for iter := 0; iter < 200; iter++ {
		dim := 1 + rng.IntN(16)
		nh := 2 + rng.IntN(100)
		na := rng.IntN((nh + 1) / 2) // strictly fewer than half of the points
		if 2*na >= nh+na {
			na = 0
		}
		ps, honest := honestAdversarial(rng, dim, nh, na, true)
		kppm := uint64(aggregate.PPM/2 + rng.IntN(4*aggregate.PPM))
		keep, centres, err := aggregate.FilterOutliers(ps, aggregate.FilterParams{MADMultiplierPPM: kppm})
		if err != nil {
			t.Fatal(err)
		}
		c := centres[0].Centre
		var dh uint64 // D_H: squared diagonal of the honest bounding box
		for j := 0; j < dim; j++ {
			lo, hi := 127, -128
			for _, p := range ps {
				if honest[p.ID] {
					lo, hi = min(lo, int(p.Embedding[j])), max(hi, int(p.Embedding[j]))
				}
			}
			dh += uint64((hi - lo) * (hi - lo))
		}
		for i, p := range ps {
			if honest[p.ID] {
				continue
			}
			var d uint64
			for j := range c {
				x := int64(p.Embedding[j]) - int64(c[j])
				d += uint64(x * x)
			}
			if d*aggregate.PPM > dh*(aggregate.PPM+kppm) {
				checked++
				if keep[i] {
					t.Fatalf("iter %d: far adversary id %d (d=%d, D_H=%d) kept", iter, p.ID, d, dh)
				}
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d far adversaries checked", checked)
	}
}

// The bound is tight: with exactly half the weight an adversary can move the
// lower weighted median to its own value.
func TestRobustnessBoundTight(t *testing.T) {
	ps := []aggregate.Point{
		{ID: 1, Domain: "d", Embedding: []int8{10}, Weight: 5},
		{ID: 2, Domain: "d", Embedding: []int8{12}, Weight: 5},
		{ID: 3, Domain: "d", Embedding: []int8{-128}, Weight: 10}, // exactly 1/2
	}
	_, centres, err := aggregate.FilterOutliers(ps, k3)
	if err != nil {
		t.Fatal(err)
	}
	if centres[0].Centre[0] != -128 {
		t.Fatalf("centre %d", centres[0].Centre[0])
	}
	ps[2].Weight = 9 // strictly below 1/2
	_, centres, _ = aggregate.FilterOutliers(ps, k3)
	if c := centres[0].Centre[0]; c < 10 || c > 12 {
		t.Fatalf("centre %d outside [10, 12]", c)
	}
}
