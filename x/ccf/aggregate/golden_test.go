package aggregate_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/h3lix/h3lix/x/ccf/aggregate"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.json from the current implementation")

const goldenPath = "testdata/golden.json"

type goldenVerdictCase struct {
	Name         string
	Attestations []aggregate.Attestation
	Params       aggregate.VerdictParams
	Result       aggregate.VerdictResult
	Agreement    []uint32
}

type goldenFilter struct {
	Points  []aggregate.Point
	Params  aggregate.FilterParams
	Keep    []bool
	Centres []aggregate.DomainCentre
}

type goldenFieldOut struct {
	Entries    []aggregate.Entry
	Weights    []uint64 // Weight(c) of each entry, in 1/WeightUnit
	Centroids  []aggregate.DomainVector
	EMA        []aggregate.DomainVector
	SpreadPPM  uint64
	Degenerate bool
	MerkleRoot string // hex
}

type goldenField struct {
	Candidates []aggregate.Candidate
	PrevEMA    []aggregate.DomainVector
	Params     aggregate.FieldParams
	Field      goldenFieldOut
}

type golden struct {
	Comment  string
	Verdicts []goldenVerdictCase
	Filter   goldenFilter
	Field    goldenField
}

// goldenInputs is a small fixed round. Hand checks of its outputs:
//   - "majority": V=1.4M > I+U=0.3M; qualities 600k(.5M) 700k(.6M) 900k(.3M), half 700k -> 700k.
//   - filter domain "alpha": centre (1,1,0,0); the point (90,-90,90,-90) is the only outlier.
//   - field: W = 1e12·(R·Q·C/PPM³)·(1+0.2·ren); ids 1 and 2 lead with 1.2e12 and 1.1e12.
//   - testdata/golden_check.py recomputes the field's spread, centroids, EMA and
//     Merkle root from golden.json with exact rationals (an independent reference).
func goldenInputs() golden {
	return golden{
		Comment: "H3LIX x/ccf/aggregate golden vectors; regenerate with go test ./x/ccf/aggregate -run TestGolden -update",
		Verdicts: []goldenVerdictCase{
			{
				Name:   "majority",
				Params: aggregate.VerdictParams{MinAttestedWeight: 1_000_000},
				Attestations: []aggregate.Attestation{
					{Verifier: "h3lix1aaa", Weight: 500_000, Verdict: aggregate.VerdictValid, Quality: 600_000},
					{Verifier: "h3lix1bbb", Weight: 600_000, Verdict: aggregate.VerdictValid, Quality: 700_000},
					{Verifier: "h3lix1ccc", Weight: 300_000, Verdict: aggregate.VerdictValid, Quality: 900_000},
					{Verifier: "h3lix1ddd", Weight: 300_000, Verdict: aggregate.VerdictInvalid},
				},
			},
			{
				Name:   "below floor",
				Params: aggregate.VerdictParams{MinAttestedWeight: 1_000_000},
				Attestations: []aggregate.Attestation{
					{Verifier: "h3lix1aaa", Weight: 400_000, Verdict: aggregate.VerdictValid, Quality: 600_000},
					{Verifier: "h3lix1bbb", Weight: 500_000, Verdict: aggregate.VerdictValid, Quality: 700_000},
				},
			},
			{
				Name: "invalid",
				Attestations: []aggregate.Attestation{
					{Verifier: "h3lix1aaa", Weight: 400_000, Verdict: aggregate.VerdictValid, Quality: 600_000},
					{Verifier: "h3lix1bbb", Weight: 700_000, Verdict: aggregate.VerdictInvalid},
					{Verifier: "h3lix1ccc", Weight: 200_000, Verdict: aggregate.VerdictUnavailable},
				},
			},
		},
		Filter: goldenFilter{
			Params: aggregate.FilterParams{MADMultiplierPPM: 3_000_000},
			Points: []aggregate.Point{
				{ID: 1, Domain: "alpha", Embedding: []int8{1, 1, 0, 0}, Weight: 900_000},
				{ID: 2, Domain: "alpha", Embedding: []int8{2, 1, 0, -1}, Weight: 800_000},
				{ID: 3, Domain: "alpha", Embedding: []int8{1, 2, 1, 0}, Weight: 700_000},
				{ID: 4, Domain: "alpha", Embedding: []int8{0, 1, 0, 1}, Weight: 600_000},
				{ID: 5, Domain: "alpha", Embedding: []int8{90, -90, 90, -90}, Weight: 1_000_000},
				{ID: 6, Domain: "beta", Embedding: []int8{-5, 5, -5, 5}, Weight: 500_000},
				{ID: 7, Domain: "beta", Embedding: []int8{-6, 5, -4, 5}, Weight: 500_000},
			},
		},
		Field: goldenField{
			Params: aggregate.FieldParams{MaxFieldSize: 4, GreenBonusPPM: 200_000, MinSpreadPPM: 1_000_000, EMABetaPPM: 300_000},
			Candidates: []aggregate.Candidate{
				{ID: 1, CID: "bafkreia", Producer: "h3lix1p1", Kind: "pbe", Domain: "alpha", Reputation: 1_000_000, Quality: 1_000_000, Confidence: 1_000_000, RenewablePPM: 1_000_000, Embedding: []int8{1, 1, 0, 0}},
				{ID: 2, CID: "bafkreib", Producer: "h3lix1p2", Kind: "pbe", Domain: "alpha", Reputation: 1_000_000, Quality: 1_000_000, Confidence: 1_000_000, RenewablePPM: 500_000, Embedding: []int8{2, 1, 0, -1}},
				{ID: 3, CID: "bafkreic", Producer: "h3lix1p3", Kind: "pbe", Domain: "alpha", Reputation: 800_000, Quality: 700_000, Confidence: 900_000, RenewablePPM: 0, Embedding: []int8{1, 2, 1, 0}},
				{ID: 6, CID: "bafkreid", Producer: "h3lix1p1", Kind: "pbe", Domain: "beta", Reputation: 900_000, Quality: 800_000, Confidence: 500_000, RenewablePPM: 250_000, Embedding: []int8{-5, 5, -5, 5}},
				{ID: 7, CID: "bafkreie", Producer: "h3lix1p4", Kind: "pbe", Domain: "beta", Reputation: 300_000, Quality: 600_000, Confidence: 700_000, RenewablePPM: 1_000_000, Embedding: []int8{-6, 5, -4, 5}},
				{ID: 8, CID: "bafkreif", Producer: "h3lix1p4", Kind: "pbe", Domain: "beta", Reputation: 0, Quality: 600_000, Confidence: 700_000, RenewablePPM: 1_000_000, Embedding: []int8{-6, 5, -4, 5}},
			},
			PrevEMA: []aggregate.DomainVector{
				{Domain: "alpha", Micro: []int64{1_000_000, 1_000_000, 0, 0}},
				{Domain: "gamma", Micro: []int64{-3_000_000, 0, 3_000_000, 0}},
			},
		},
	}
}

func computeGolden(t *testing.T) golden {
	g := goldenInputs()
	for i := range g.Verdicts {
		v := &g.Verdicts[i]
		v.Result = aggregate.DecideVerdict(v.Attestations, v.Params)
		for _, a := range v.Attestations {
			v.Agreement = append(v.Agreement, aggregate.Agreement(a, v.Result))
		}
	}
	var err error
	g.Filter.Keep, g.Filter.Centres, err = aggregate.FilterOutliers(g.Filter.Points, g.Filter.Params)
	if err != nil {
		t.Fatal(err)
	}
	f, err := aggregate.BuildField(g.Field.Candidates, g.Field.PrevEMA, g.Field.Params)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[uint64]aggregate.Candidate{}
	for _, c := range g.Field.Candidates {
		byID[c.ID] = c
	}
	out := goldenFieldOut{Entries: f.Entries, Centroids: f.Centroids, EMA: f.EMA, SpreadPPM: f.SpreadPPM, Degenerate: f.Degenerate, MerkleRoot: hex.EncodeToString(f.MerkleRoot[:])}
	for _, e := range f.Entries {
		out.Weights = append(out.Weights, aggregate.Weight(byID[e.ID], g.Field.Params.GreenBonusPPM))
	}
	g.Field.Field = out
	return g
}

func TestGolden(t *testing.T) {
	got, err := json.MarshalIndent(computeGolden(t), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(filepath.FromSlash(goldenPath), got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(filepath.FromSlash(goldenPath))
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("golden mismatch; if the change is intended, rerun with -update and review the diff\n got: %s", got)
	}
}

// Hand-checked values of the golden round, independent of the JSON file.
func TestGoldenHandChecked(t *testing.T) {
	g := computeGolden(t)
	v := g.Verdicts[0].Result
	if !v.Accepted || v.Quality != 700_000 || v.ValidWeight != 1_400_000 || v.InvalidWeight != 300_000 {
		t.Fatalf("verdict %+v", v)
	}
	if a := g.Verdicts[0].Agreement; a[0] != 900_000 || a[1] != 1_000_000 || a[2] != 800_000 || a[3] != 0 {
		t.Fatalf("agreement %v", a)
	}
	if g.Verdicts[1].Result.Outcome != 0 || g.Verdicts[2].Result.Outcome != aggregate.VerdictInvalid {
		t.Fatal("verdicts 1, 2")
	}
	wantKeep := []bool{true, true, true, true, false, true, true}
	for i, k := range g.Filter.Keep {
		if k != wantKeep[i] {
			t.Fatalf("keep %v", g.Filter.Keep)
		}
	}
	if c := g.Filter.Centres[0].Centre; c[0] != 1 || c[1] != 1 || c[2] != 0 || c[3] != 0 {
		t.Fatalf("centre alpha %v", c)
	}
	f := g.Field.Field
	// W: id1 1.2e12, id2 1.1e12, id3 0.504e12, id6 0.378e12, id7 0.1512e12, id8 0 (excluded); K = 4.
	wantIDs := []uint64{1, 2, 3, 6}
	wantW := []uint64{1_200_000_000_000, 1_100_000_000_000, 504_000_000_000, 378_000_000_000}
	for i, e := range f.Entries {
		if e.ID != wantIDs[i] || f.Weights[i] != wantW[i] {
			t.Fatalf("entries %+v weights %v", f.Entries, f.Weights)
		}
	}
	// T = 3.182e12: 1.2/3.182 = 377121.3, 1.1/3.182 = 345694.5, .504/3.182 = 158390.9, .378/3.182 = 118793.2
	// floors sum 999998; +1 to the two largest remainders (id3 .9, id2 .5).
	want := []uint32{377_121, 345_695, 158_391, 118_793}
	for i, e := range f.Entries {
		if e.WeightPPM != want[i] {
			t.Fatalf("weights %+v", f.Entries)
		}
	}
}
