package aggregate

import (
	"fmt"
	"math/big"
	"slices"
)

// Verdict of an attestation; the values match the proto enum.
type Verdict int32

// Verdict values.
const (
	VerdictUnspecified Verdict = 0
	VerdictValid       Verdict = 1
	VerdictInvalid     Verdict = 2
	VerdictUnavailable Verdict = 3
)

// Attestation is one verifier's vote on one artifact.
type Attestation struct {
	Verifier string  // verifier operator address, unique per artifact (ValidateAttestations); no result depends on attestation order
	Weight   uint64  // verifier reputation in ppm (0..PPM)
	Verdict  Verdict // VALID, INVALID or UNAVAILABLE
	Quality  uint32  // ppm; meaningful for VALID
}

// VerdictParams parameterize DecideVerdict.
type VerdictParams struct {
	MinAttestedWeight uint64 // floor on the total attested weight (sum of Weight)
	// MinAttesters is the least number of distinct verifiers with a VALID,
	// INVALID or UNAVAILABLE verdict for any outcome (0 or 1: no floor).
	MinAttesters int
	// AcceptPPM is the share of the attested weight that VALID must reach
	// for the artifact to be accepted (at most PPM/2, or 0: a simple
	// majority is enough).
	// Acceptance is the costly mistake — an accepted poison teaches every
	// node that conditions on the field — so it can demand a supermajority
	// while rejection stays a simple majority.
	AcceptPPM uint32
}

// VerdictResult is the weighted consensus on one artifact.
type VerdictResult struct {
	// Outcome is VALID when ValidWeight > InvalidWeight+UnavailableWeight
	// and ValidWeight ≥ AcceptPPM × total,
	// INVALID when InvalidWeight > ValidWeight+UnavailableWeight, UNAVAILABLE
	// when UnavailableWeight > ValidWeight+InvalidWeight, each only when the
	// total reaches MinAttestedWeight and at least MinAttesters distinct
	// verifiers voted; otherwise 0 (no consensus).
	Outcome  Verdict
	Accepted bool   // Outcome == VALID
	Quality  uint32 // lower weighted median of the VALID qualities (0 if none)

	ValidWeight, InvalidWeight, UnavailableWeight uint64
}

// ValidateAttestations is the strict check of one artifact's attestations:
// every verdict is VALID, INVALID or UNAVAILABLE, Weight and Quality are at most
// PPM and no verifier attests twice. DecideVerdict does not require it.
func ValidateAttestations(atts []Attestation) error {
	for i, a := range atts {
		if a.Verdict < VerdictValid || a.Verdict > VerdictUnavailable {
			return fmt.Errorf("%w: attestation %d has verdict %d", ErrInvalidVerdict, i, a.Verdict)
		}
		if a.Weight > PPM {
			return fmt.Errorf("%w: attestation %d weight %d", ErrPPMRange, i, a.Weight)
		}
		if a.Quality > PPM {
			return fmt.Errorf("%w: attestation %d quality %d", ErrPPMRange, i, a.Quality)
		}
	}
	names := make([]string, len(atts))
	for i, a := range atts {
		names[i] = a.Verifier
	}
	slices.Sort(names)
	for i := 1; i < len(names); i++ {
		if names[i] == names[i-1] {
			return fmt.Errorf("%w: %q", ErrDuplicateVerifier, names[i])
		}
	}
	return nil
}

// DecideVerdict computes the reputation-weighted verdict of one artifact.
//
// It is total: attestations with a verdict other than VALID, INVALID or
// UNAVAILABLE are ignored (they count toward no weight), qualities above PPM
// are clamped to PPM, and weights are summed exactly in 128 bits (the reported
// per-verdict weights saturate at MaxUint64, which only invalid input can
// reach). Duplicate verifiers are counted as given; use ValidateAttestations to
// reject them. Cost O(n log n); the result does not depend on the order of atts.
func DecideVerdict(atts []Attestation, p VerdictParams) VerdictResult {
	var v, inv, un u128
	var valid []weighted
	voters := make([]string, 0, len(atts))
	for _, a := range atts {
		if a.Verdict >= VerdictValid && a.Verdict <= VerdictUnavailable {
			voters = append(voters, a.Verifier)
		}
		switch a.Verdict {
		case VerdictValid:
			v = v.add64Sat(a.Weight)
			valid = append(valid, weighted{int64(min(a.Quality, PPM)), a.Weight})
		case VerdictInvalid:
			inv = inv.add64Sat(a.Weight)
		case VerdictUnavailable:
			un = un.add64Sat(a.Weight)
		}
	}
	r := VerdictResult{ValidWeight: v.sat64(), InvalidWeight: inv.sat64(), UnavailableWeight: un.sat64()}
	if len(valid) > 0 {
		r.Quality = uint32(weightedMedianInPlace(valid))
	}
	total := v.addSat(inv).addSat(un)
	if total.cmp(from64(p.MinAttestedWeight)) < 0 {
		return r
	}
	if p.MinAttesters > 1 {
		slices.Sort(voters)
		if len(slices.Compact(voters)) < p.MinAttesters {
			return r
		}
	}
	switch {
	case v.cmp(inv.addSat(un)) > 0:
		if p.AcceptPPM > PPM/2 && !reachesShare(v, total, p.AcceptPPM) {
			break // a majority, but not the supermajority acceptance needs
		}
		r.Outcome = VerdictValid
	case inv.cmp(v.addSat(un)) > 0:
		r.Outcome = VerdictInvalid
	case un.cmp(v.addSat(inv)) > 0:
		r.Outcome = VerdictUnavailable
	}
	r.Accepted = r.Outcome == VerdictValid
	return r
}

// Agreement of one attestation with the consensus r, in ppm: 0 when there is no
// consensus or the verdict differs; for VALID against VALID,
// PPM - |quality - r.Quality| (qualities clamped to PPM); PPM for other equal
// verdicts.
func Agreement(a Attestation, r VerdictResult) uint32 {
	if r.Outcome < VerdictValid || r.Outcome > VerdictUnavailable || a.Verdict != r.Outcome {
		return 0
	}
	if r.Outcome != VerdictValid {
		return PPM
	}
	q, c := int64(min(a.Quality, PPM)), int64(min(r.Quality, PPM))
	d := q - c
	if d < 0 {
		d = -d
	}
	return uint32(PPM - d)
}

// PointWeight is the centre weight of an artifact for FilterOutliers:
// reputation × confidence / PPM, both clamped to PPM (result in ppm).
func PointWeight(reputation, confidence uint32) uint64 {
	return uint64(min(reputation, PPM)) * uint64(min(confidence, PPM)) / PPM
}

// reachesShare reports whether part ≥ share/PPM × total, exactly (the
// products of 128-bit sums and ppm factors are compared as big integers).
func reachesShare(part, total u128, share uint32) bool {
	l := new(big.Int).Mul(part.big(), big.NewInt(PPM))
	r := new(big.Int).Mul(total.big(), big.NewInt(int64(share)))
	return l.Cmp(r) >= 0
}
