package aggregate_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/h3lix/h3lix/x/ccf/aggregate"
)

const ppm = aggregate.PPM

func cand(id uint64, dom string, r, q, c uint32, e ...int8) aggregate.Candidate {
	return aggregate.Candidate{
		ID: id, CID: cidOf(id), Producer: "prod", Kind: "pbe", Domain: dom,
		Reputation: r, Quality: q, Confidence: c, Embedding: e,
	}
}

func cidOf(id uint64) string {
	return "bafy" + string(rune('a'+id%26)) + string(rune('a'+(id/26)%26)) + string(rune('a'+(id/676)%26))
}

func TestWeight(t *testing.T) {
	full := aggregate.Candidate{Reputation: ppm, Quality: ppm, Confidence: ppm}
	half := aggregate.Candidate{Reputation: ppm / 2, Quality: ppm / 2, Confidence: ppm / 2}
	green := full
	green.RenewablePPM = ppm
	halfGreen := full
	halfGreen.RenewablePPM = ppm / 2
	clamped := aggregate.Candidate{Reputation: math.MaxUint32, Quality: math.MaxUint32, Confidence: math.MaxUint32, RenewablePPM: math.MaxUint32}
	tests := []struct {
		name  string
		c     aggregate.Candidate
		bonus uint32
		want  uint64
	}{
		{"zero", aggregate.Candidate{}, 0, 0},
		{"full", full, 0, aggregate.WeightUnit},
		{"full, bonus without renewables", full, 500_000, aggregate.WeightUnit},
		{"half cubed", half, 0, aggregate.WeightUnit / 8},
		{"green full", green, 500_000, 1_500_000_000_000},
		{"green half", halfGreen, 500_000, 1_250_000_000_000},
		{"truncates to zero", aggregate.Candidate{Reputation: 1, Quality: 1, Confidence: 1}, 0, 0},
		{"smallest nonzero", aggregate.Candidate{Reputation: 1, Quality: 1, Confidence: ppm}, 0, 1},
		{"max bonus", green, math.MaxUint32, 4_295_967_295_000_000},
		{"clamped max", clamped, math.MaxUint32, 4_295_967_295_000_000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := aggregate.Weight(tc.c, tc.bonus); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestBuildFieldHandChecked(t *testing.T) {
	cands := []aggregate.Candidate{
		cand(3, "y", ppm, ppm/2, ppm, 0, 4),
		cand(1, "x", ppm, ppm, ppm, 10, 0),
		cand(2, "x", ppm, ppm, ppm/2, -2, 0),
	}
	prev := []aggregate.DomainVector{
		{Domain: "z", Micro: []int64{1, 1}},
		{Domain: "x", Micro: []int64{2_000_000, -1_000_000}},
	}
	p := aggregate.FieldParams{MaxFieldSize: 10, MinSpreadPPM: 67_500_000, EMABetaPPM: 250_000}
	f, err := aggregate.BuildField(cands, prev, p)
	if err != nil {
		t.Fatal(err)
	}
	// W = 1e12, 5e11, 5e11 -> 500k, 250k, 250k; ties (IDs 2, 3) by ID.
	wantIDs := []uint64{1, 2, 3}
	wantW := []uint32{500_000, 250_000, 250_000}
	for i, e := range f.Entries {
		if e.ID != wantIDs[i] || e.WeightPPM != wantW[i] {
			t.Fatalf("entries = %+v", f.Entries)
		}
	}
	if f.Entries[0].CID != cidOf(1) || f.Entries[0].Domain != "x" || f.Entries[0].Kind != "pbe" || f.Entries[0].Producer != "prod" {
		t.Fatalf("entry fields not copied: %+v", f.Entries[0])
	}
	// x: (0.5·10 + 0.25·(-2)) / 0.75 = 6; y: (0, 4).
	assertVectors(t, "centroids", f.Centroids, []aggregate.DomainVector{
		{Domain: "x", Micro: []int64{6_000_000, 0}},
		{Domain: "y", Micro: []int64{0, 4_000_000}},
	})
	// x: 0.75·prev + 0.25·centroid; y starts at its centroid; z carried over.
	assertVectors(t, "ema", f.EMA, []aggregate.DomainVector{
		{Domain: "x", Micro: []int64{3_000_000, -750_000}},
		{Domain: "y", Micro: []int64{0, 4_000_000}},
		{Domain: "z", Micro: []int64{1, 1}},
	})
	// mean (4.5, 1); Σw|e|² = 55; spread = 2·(55 - 21.25) = 67.5
	if f.SpreadPPM != 67_500_000 {
		t.Fatalf("spread = %d", f.SpreadPPM)
	}
	if f.Degenerate {
		t.Fatal("degenerate at spread == MinSpreadPPM")
	}
	if f.MerkleRoot != aggregate.MerkleRoot(f.Entries) {
		t.Fatal("merkle root")
	}
	p.MinSpreadPPM++
	f2, err := aggregate.BuildField(cands, prev, p)
	if err != nil || !f2.Degenerate {
		t.Fatalf("want degenerate: %v %v", f2.Degenerate, err)
	}
	// The inputs are not modified.
	if prev[0].Domain != "z" || cands[0].ID != 3 || prev[1].Micro[0] != 2_000_000 {
		t.Fatal("input modified")
	}
}

func assertVectors(t *testing.T, what string, got, want []aggregate.DomainVector) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i].Domain != want[i].Domain || !slices.Equal(got[i].Micro, want[i].Micro) {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
	}
}

func sumPPM(es []aggregate.Entry) uint64 {
	var s uint64
	for _, e := range es {
		s += uint64(e.WeightPPM)
	}
	return s
}

func TestBuildFieldTable(t *testing.T) {
	base := aggregate.FieldParams{MaxFieldSize: 2, EMABetaPPM: ppm / 2}
	tests := []struct {
		name    string
		cands   []aggregate.Candidate
		prev    []aggregate.DomainVector
		p       aggregate.FieldParams
		ids     []uint64
		weights []uint32
		degen   bool
		err     error
	}{
		{name: "empty", p: base, degen: true},
		{name: "zero max size", p: aggregate.FieldParams{}, err: aggregate.ErrInvalidParams},
		{name: "negative max size", p: aggregate.FieldParams{MaxFieldSize: -1}, err: aggregate.ErrInvalidParams},
		{name: "beta above PPM", p: aggregate.FieldParams{MaxFieldSize: 1, EMABetaPPM: ppm + 1}, err: aggregate.ErrInvalidParams},
		{name: "reputation above PPM", p: base, cands: []aggregate.Candidate{cand(1, "a", ppm+1, 1, 1, 0)}, err: aggregate.ErrPPMRange},
		{name: "quality above PPM", p: base, cands: []aggregate.Candidate{cand(1, "a", 1, ppm+1, 1, 0)}, err: aggregate.ErrPPMRange},
		{name: "confidence above PPM", p: base, cands: []aggregate.Candidate{cand(1, "a", 1, 1, ppm+1, 0)}, err: aggregate.ErrPPMRange},
		{name: "renewable above PPM", p: base, cands: []aggregate.Candidate{{ID: 1, RenewablePPM: ppm + 1, Embedding: []int8{0}}}, err: aggregate.ErrPPMRange},
		{name: "empty embedding", p: base, cands: []aggregate.Candidate{cand(1, "a", 1, 1, 1)}, err: aggregate.ErrEmptyEmbedding},
		{name: "dimension mismatch", p: base, cands: []aggregate.Candidate{cand(1, "a", 1, 1, 1, 0), cand(2, "a", 1, 1, 1, 0, 0)}, err: aggregate.ErrDimensionMismatch},
		{name: "duplicate id", p: base, cands: []aggregate.Candidate{cand(1, "a", 1, 1, 1, 0), cand(1, "b", 1, 1, 1, 0)}, err: aggregate.ErrDuplicateID},
		{name: "prev duplicate domain", p: base, prev: []aggregate.DomainVector{{Domain: "a", Micro: []int64{0}}, {Domain: "a", Micro: []int64{0}}}, err: aggregate.ErrDuplicateDomain},
		{name: "prev dimension mismatch", p: base, cands: []aggregate.Candidate{cand(1, "a", 1, 1, 1, 0)}, prev: []aggregate.DomainVector{{Domain: "a", Micro: []int64{0, 0}}}, err: aggregate.ErrDimensionMismatch},
		{name: "prev dimensions disagree", p: base, prev: []aggregate.DomainVector{{Domain: "a", Micro: []int64{0}}, {Domain: "b", Micro: []int64{0, 0}}}, err: aggregate.ErrDimensionMismatch},
		{name: "prev empty vector", p: base, prev: []aggregate.DomainVector{{Domain: "a"}}, err: aggregate.ErrEmptyEmbedding},
		{name: "prev out of range", p: base, prev: []aggregate.DomainVector{{Domain: "a", Micro: []int64{aggregate.MaxMicro + 1}}}, err: aggregate.ErrVectorRange},
		{name: "prev out of range low", p: base, prev: []aggregate.DomainVector{{Domain: "a", Micro: []int64{math.MinInt64}}}, err: aggregate.ErrVectorRange},
		{name: "only prev", p: base, prev: []aggregate.DomainVector{{Domain: "a", Micro: []int64{aggregate.MinMicro}}}, degen: true},
		{
			name: "single entry", p: base,
			cands: []aggregate.Candidate{cand(9, "a", ppm, ppm, ppm, 1, 2)},
			ids:   []uint64{9}, weights: []uint32{ppm}, degen: true,
		},
		{
			name: "zero weight excluded", p: base,
			cands: []aggregate.Candidate{cand(1, "a", 0, ppm, ppm, 1), cand(2, "a", ppm, ppm, 1, 5)},
			ids:   []uint64{2}, weights: []uint32{ppm}, degen: true,
		},
		{
			name: "all zero weight", p: base,
			cands: []aggregate.Candidate{cand(1, "a", 0, ppm, ppm, 1), cand(2, "a", ppm, 0, ppm, 5)},
			degen: true,
		},
		{
			name: "top-K and largest remainder ties by id", p: aggregate.FieldParams{MaxFieldSize: 3},
			cands: []aggregate.Candidate{
				cand(7, "a", ppm, ppm, ppm, 1), cand(3, "a", ppm, ppm, ppm, 2),
				cand(5, "a", ppm, ppm, ppm, 3), cand(1, "a", ppm, ppm, ppm-1, 4),
			},
			ids: []uint64{3, 5, 7}, weights: []uint32{333_334, 333_333, 333_333},
		},
		{
			name: "all equal embeddings are degenerate", p: aggregate.FieldParams{MaxFieldSize: 5, MinSpreadPPM: 1},
			cands: []aggregate.Candidate{cand(1, "a", ppm, ppm, ppm, 4, 4), cand(2, "b", ppm, ppm/3, ppm, 4, 4)},
			ids:   []uint64{1, 2}, weights: []uint32{750_000, 250_000}, degen: true,
		},
		{
			name: "remainders", p: aggregate.FieldParams{MaxFieldSize: 5},
			// W = 1e12, 2e12/3 (666666666666), 1e12/3 (333333333333): T = 1999999999999
			cands: []aggregate.Candidate{
				cand(1, "a", ppm, ppm, ppm, 1), cand(2, "a", ppm, 666_667, 999_999, -1), cand(3, "a", ppm, 333_334, 999_999, 0),
			},
			ids: []uint64{1, 2, 3},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := aggregate.BuildField(tc.cands, tc.prev, tc.p)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []uint64
			var ws []uint32
			for _, e := range f.Entries {
				ids = append(ids, e.ID)
				ws = append(ws, e.WeightPPM)
			}
			if !slices.Equal(ids, tc.ids) || (tc.weights != nil && !slices.Equal(ws, tc.weights)) {
				t.Fatalf("entries %v %v, want %v %v", ids, ws, tc.ids, tc.weights)
			}
			if len(f.Entries) > 0 && sumPPM(f.Entries) != ppm {
				t.Fatalf("weights sum to %d", sumPPM(f.Entries))
			}
			if f.Degenerate != tc.degen {
				t.Fatalf("degenerate = %v, spread %d", f.Degenerate, f.SpreadPPM)
			}
			if len(f.Entries) == 0 && (f.MerkleRoot != [32]byte{} || f.Centroids != nil || f.SpreadPPM != 0) {
				t.Fatalf("empty field: %+v", f)
			}
			if len(f.EMA) < len(f.Centroids) || len(f.EMA) < len(tc.prev) {
				t.Fatalf("ema %v", f.EMA)
			}
		})
	}
}

// Totals beyond 64 bits take the math/big path of the normalization.
func TestBuildFieldOverflowNormalization(t *testing.T) {
	const n = 5000 // 5000 × 4.3e15 > 2^64
	cands := make([]aggregate.Candidate, n)
	for i := range cands {
		c := cand(uint64(i+1), "a", ppm, ppm, ppm, int8(i%7))
		c.RenewablePPM = ppm
		if i%3 == 0 {
			c.Confidence = ppm - uint32(i)
		}
		cands[i] = c
	}
	f, err := aggregate.BuildField(cands, nil, aggregate.FieldParams{MaxFieldSize: n, GreenBonusPPM: math.MaxUint32})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != n || sumPPM(f.Entries) != ppm {
		t.Fatalf("%d entries, sum %d", len(f.Entries), sumPPM(f.Entries))
	}
	for i := 1; i < n; i++ {
		if f.Entries[i].WeightPPM > f.Entries[i-1].WeightPPM {
			t.Fatalf("weights not monotone at %d", i)
		}
	}
	if f.SpreadPPM == 0 || f.Degenerate {
		t.Fatalf("spread %d", f.SpreadPPM)
	}
}

// An entry can round to WeightPPM 0; a domain of such entries falls back to the
// unweighted mean for its centroid.
func TestBuildFieldZeroPPMEntry(t *testing.T) {
	cands := []aggregate.Candidate{
		cand(1, "a", ppm, ppm, ppm, 10, 10),
		cand(2, "b", 1, 1, ppm, 3, -3), // W = 1
		cand(3, "b", 1, 1, ppm, 4, -4), // W = 1
	}
	f, err := aggregate.BuildField(cands, nil, aggregate.FieldParams{MaxFieldSize: 3, MinSpreadPPM: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Entries) != 3 || f.Entries[0].WeightPPM != ppm || f.Entries[1].WeightPPM != 0 || f.Entries[2].WeightPPM != 0 {
		t.Fatalf("entries %+v", f.Entries)
	}
	assertVectors(t, "centroids", f.Centroids, []aggregate.DomainVector{
		{Domain: "a", Micro: []int64{10_000_000, 10_000_000}},
		{Domain: "b", Micro: []int64{3_500_000, -3_500_000}}, // unweighted mean of (3,-3), (4,-4)
	})
	// all the weight on one point: zero spread, degenerate
	if f.SpreadPPM != 0 || !f.Degenerate {
		t.Fatalf("spread %d degenerate %v", f.SpreadPPM, f.Degenerate)
	}
}

func TestBuildFieldExtremeEmbeddings(t *testing.T) {
	const dim = 4096
	a := make([]int8, dim)
	b := make([]int8, dim)
	for i := range a {
		a[i], b[i] = -128, 127
	}
	cands := []aggregate.Candidate{cand(1, "d", ppm, ppm, ppm, a...), cand(2, "d", ppm, ppm, ppm, b...)}
	f, err := aggregate.BuildField(cands, nil, aggregate.FieldParams{MaxFieldSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	// two points, weight 1/2 each: spread = 2·(1/4)·255²·dim = 0.5·65025·4096
	if want := uint64(65025*4096/2) * ppm; f.SpreadPPM != want {
		t.Fatalf("spread %d, want %d", f.SpreadPPM, want)
	}
	// centroid = (-128 + 127) / 2 = -0.5 -> -500000 micro
	if f.Centroids[0].Micro[0] != -500_000 {
		t.Fatalf("centroid %d", f.Centroids[0].Micro[0])
	}
}
