package aggregate_test

import (
	"errors"
	"math"
	"testing"

	"github.com/h3lix/h3lix/x/ccf/aggregate"
)

const (
	valid = aggregate.VerdictValid
	inval = aggregate.VerdictInvalid
	unav  = aggregate.VerdictUnavailable
)

func att(v string, w uint64, vd aggregate.Verdict, q uint32) aggregate.Attestation {
	return aggregate.Attestation{Verifier: v, Weight: w, Verdict: vd, Quality: q}
}

func TestDecideVerdict(t *testing.T) {
	tests := []struct {
		name  string
		atts  []aggregate.Attestation
		floor uint64
		want  aggregate.VerdictResult
	}{
		{name: "empty", want: aggregate.VerdictResult{}},
		{name: "empty with floor", floor: 1, want: aggregate.VerdictResult{}},
		{
			name: "single valid",
			atts: []aggregate.Attestation{att("a", 500_000, valid, 700_000)},
			want: aggregate.VerdictResult{Outcome: valid, Accepted: true, Quality: 700_000, ValidWeight: 500_000},
		},
		{
			name:  "single valid below floor",
			atts:  []aggregate.Attestation{att("a", 500_000, valid, 700_000)},
			floor: 500_001,
			want:  aggregate.VerdictResult{Quality: 700_000, ValidWeight: 500_000},
		},
		{
			name:  "floor reached exactly",
			atts:  []aggregate.Attestation{att("a", 500_000, valid, 700_000)},
			floor: 500_000,
			want:  aggregate.VerdictResult{Outcome: valid, Accepted: true, Quality: 700_000, ValidWeight: 500_000},
		},
		{
			name: "valid majority, weighted median quality",
			atts: []aggregate.Attestation{
				att("a", 300_000, valid, 900_000),
				att("b", 300_000, valid, 100_000),
				att("c", 500_000, valid, 500_000),
				att("d", 200_000, inval, 0),
			},
			// sorted qualities 100k(300k) 500k(500k) 900k(300k); W=1.1M, half=550k -> 500k
			want: aggregate.VerdictResult{Outcome: valid, Accepted: true, Quality: 500_000, ValidWeight: 1_100_000, InvalidWeight: 200_000},
		},
		{
			name: "tie valid vs invalid: no consensus",
			atts: []aggregate.Attestation{att("a", 400_000, valid, 800_000), att("b", 400_000, inval, 0)},
			want: aggregate.VerdictResult{Quality: 800_000, ValidWeight: 400_000, InvalidWeight: 400_000},
		},
		{
			name: "invalid majority",
			atts: []aggregate.Attestation{att("a", 100_000, valid, 800_000), att("b", 300_000, inval, 0), att("c", 100_000, unav, 0)},
			want: aggregate.VerdictResult{Outcome: inval, Quality: 800_000, ValidWeight: 100_000, InvalidWeight: 300_000, UnavailableWeight: 100_000},
		},
		{
			name: "unavailable majority",
			atts: []aggregate.Attestation{att("a", 100_000, valid, 800_000), att("b", 100_000, inval, 0), att("c", 300_000, unav, 0)},
			want: aggregate.VerdictResult{Outcome: unav, Quality: 800_000, ValidWeight: 100_000, InvalidWeight: 100_000, UnavailableWeight: 300_000},
		},
		{
			name: "plurality without majority",
			atts: []aggregate.Attestation{att("a", 400_000, valid, 800_000), att("b", 300_000, inval, 0), att("c", 300_000, unav, 0)},
			want: aggregate.VerdictResult{Quality: 800_000, ValidWeight: 400_000, InvalidWeight: 300_000, UnavailableWeight: 300_000},
		},
		{
			name: "zero weights: plain lower median quality, no consensus",
			atts: []aggregate.Attestation{att("a", 0, valid, 300_000), att("b", 0, valid, 100_000), att("c", 0, valid, 200_000), att("d", 0, valid, 900_000)},
			want: aggregate.VerdictResult{Quality: 200_000},
		},
		{
			name: "unspecified and unknown verdicts ignored",
			atts: []aggregate.Attestation{att("a", 100, valid, 5), att("b", 1_000_000, 0, 0), att("c", 1_000_000, 9, 0), att("d", 1_000_000, -1, 0)},
			want: aggregate.VerdictResult{Outcome: valid, Accepted: true, Quality: 5, ValidWeight: 100},
		},
		{
			name: "quality clamped to PPM",
			atts: []aggregate.Attestation{att("a", 1, valid, math.MaxUint32)},
			want: aggregate.VerdictResult{Outcome: valid, Accepted: true, Quality: aggregate.PPM, ValidWeight: 1},
		},
		{
			name: "max weights do not wrap",
			atts: []aggregate.Attestation{att("a", math.MaxUint64, valid, 1), att("b", math.MaxUint64, valid, 2), att("c", math.MaxUint64, inval, 0)},
			want: aggregate.VerdictResult{Outcome: valid, Accepted: true, Quality: 1, ValidWeight: math.MaxUint64, InvalidWeight: math.MaxUint64},
		},
		{
			name:  "max floor unreachable",
			atts:  []aggregate.Attestation{att("a", aggregate.PPM, valid, 1)},
			floor: math.MaxUint64,
			want:  aggregate.VerdictResult{Quality: 1, ValidWeight: aggregate.PPM},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := aggregate.DecideVerdict(tc.atts, aggregate.VerdictParams{MinAttestedWeight: tc.floor})
			if got != tc.want {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestAgreement(t *testing.T) {
	cons := aggregate.VerdictResult{Outcome: valid, Accepted: true, Quality: 600_000}
	tests := []struct {
		name string
		a    aggregate.Attestation
		r    aggregate.VerdictResult
		want uint32
	}{
		{"no consensus", att("a", 1, valid, 600_000), aggregate.VerdictResult{Quality: 600_000}, 0},
		{"valid exact", att("a", 1, valid, 600_000), cons, aggregate.PPM},
		{"valid above", att("a", 1, valid, 900_000), cons, 700_000},
		{"valid below", att("a", 1, valid, 0), cons, 400_000},
		{"valid clamped", att("a", 1, valid, math.MaxUint32), cons, 600_000},
		{"differs", att("a", 1, inval, 0), cons, 0},
		{"unspecified attestation", att("a", 1, 0, 0), cons, 0},
		{"invalid vs invalid", att("a", 1, inval, 123), aggregate.VerdictResult{Outcome: inval}, aggregate.PPM},
		{"unavailable vs unavailable", att("a", 1, unav, 0), aggregate.VerdictResult{Outcome: unav}, aggregate.PPM},
		{"garbage outcome", att("a", 1, 7, 0), aggregate.VerdictResult{Outcome: 7}, 0},
		{"max distance", att("a", 1, valid, 0), aggregate.VerdictResult{Outcome: valid, Quality: aggregate.PPM}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := aggregate.Agreement(tc.a, tc.r); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestValidateAttestations(t *testing.T) {
	tests := []struct {
		name string
		atts []aggregate.Attestation
		err  error
	}{
		{"empty", nil, nil},
		{"ok", []aggregate.Attestation{att("a", aggregate.PPM, valid, aggregate.PPM), att("b", 0, unav, 0)}, nil},
		{"unspecified", []aggregate.Attestation{att("a", 1, 0, 0)}, aggregate.ErrInvalidVerdict},
		{"unknown", []aggregate.Attestation{att("a", 1, 4, 0)}, aggregate.ErrInvalidVerdict},
		{"weight", []aggregate.Attestation{att("a", aggregate.PPM+1, valid, 0)}, aggregate.ErrPPMRange},
		{"quality", []aggregate.Attestation{att("a", 1, valid, aggregate.PPM+1)}, aggregate.ErrPPMRange},
		{"duplicate", []aggregate.Attestation{att("a", 1, valid, 0), att("b", 1, valid, 0), att("a", 1, inval, 0)}, aggregate.ErrDuplicateVerifier},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := aggregate.ValidateAttestations(tc.atts); !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
		})
	}
}

func TestPointWeight(t *testing.T) {
	tests := []struct {
		r, c uint32
		want uint64
	}{
		{0, 0, 0},
		{aggregate.PPM, aggregate.PPM, aggregate.PPM},
		{500_000, 500_000, 250_000},
		{1, 999_999, 0},
		{math.MaxUint32, math.MaxUint32, aggregate.PPM},
	}
	for _, tc := range tests {
		if got := aggregate.PointWeight(tc.r, tc.c); got != tc.want {
			t.Errorf("PointWeight(%d,%d) = %d, want %d", tc.r, tc.c, got, tc.want)
		}
	}
}

// A minority of verifiers lying in concert does not change the consensus, and
// their agreement (the basis of their reputation update) is 0.
func TestColludingMinorityVerifiers(t *testing.T) {
	atts := []aggregate.Attestation{
		att("honest1", 900_000, valid, 800_000),
		att("honest2", 800_000, valid, 750_000),
		att("liar1", 600_000, inval, 0),
		att("liar2", 600_000, inval, 0),
	}
	r := aggregate.DecideVerdict(atts, aggregate.VerdictParams{MinAttestedWeight: 1_000_000})
	// qualities 750k (w 800k), 800k (w 900k): half of 1.7M is 850k -> 800k
	if !r.Accepted || r.Quality != 800_000 {
		t.Fatalf("consensus changed: %+v", r)
	}
	for _, a := range atts {
		g := aggregate.Agreement(a, r)
		if (a.Verdict == inval) != (g == 0) {
			t.Fatalf("%s agreement %d", a.Verifier, g)
		}
	}
	if errors.Is(aggregate.ValidateAttestations(atts), aggregate.ErrDuplicateVerifier) {
		t.Fatal("unexpected duplicate")
	}
}

// Acceptance can demand a supermajority of the attested weight and a quorum
// of distinct verifiers; rejection stays a simple majority.
func TestDecideVerdictQuorumAndSupermajority(t *testing.T) {
	p := aggregate.VerdictParams{MinAttesters: 2, AcceptPPM: 666_666}
	tests := []struct {
		name string
		atts []aggregate.Attestation
		want aggregate.Verdict
	}{
		{"one attester is no quorum", []aggregate.Attestation{att("a", 900_000, valid, 800_000)}, 0},
		{"one attester cannot reject alone either", []aggregate.Attestation{att("a", 900_000, inval, 0)}, 0},
		{"the same verifier twice is one attester", []aggregate.Attestation{att("a", 400_000, valid, 800_000), att("a", 400_000, valid, 800_000)}, 0},
		{"unanimous", []aggregate.Attestation{att("a", 400_000, valid, 800_000), att("b", 400_000, valid, 800_000)}, valid},
		{"60% valid is a majority but not two thirds", []aggregate.Attestation{att("a", 300_000, valid, 800_000), att("b", 300_000, valid, 800_000), att("c", 400_000, inval, 0)}, 0},
		{"two of three equal verifiers is two thirds", []aggregate.Attestation{att("a", 250_000, valid, 800_000), att("b", 250_000, valid, 800_000), att("c", 250_000, inval, 0)}, valid},
		{"just under two thirds", []aggregate.Attestation{att("a", 333_332, valid, 800_000), att("b", 333_332, valid, 800_000), att("c", 333_336, inval, 0)}, 0},
		{"rejection needs a simple majority only", []aggregate.Attestation{att("a", 300_000, inval, 0), att("b", 300_000, inval, 0), att("c", 500_000, valid, 800_000)}, inval},
	}
	for _, tc := range tests {
		if got := aggregate.DecideVerdict(tc.atts, p).Outcome; got != tc.want {
			t.Errorf("%s: outcome %d, want %d", tc.name, got, tc.want)
		}
	}
	// Without the thresholds the old simple-majority rule holds.
	if got := aggregate.DecideVerdict(tests[4].atts, aggregate.VerdictParams{}).Outcome; got != valid {
		t.Errorf("simple majority: outcome %d, want VALID", got)
	}
}
