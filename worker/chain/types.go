package chain

import (
	"crypto/rand"

	sdk "github.com/cosmos/cosmos-sdk/types"

	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
	reputationtypes "github.com/h3lix/h3lix/x/reputation/types"
)

// The chain's vocabulary, re-exported so the rest of the worker speaks it
// without importing x/ packages: these are aliases, not copies.
type (
	Phase          = ccftypes.Phase
	Round          = ccftypes.Round
	Field          = ccftypes.Field
	FieldEntry     = ccftypes.FieldEntry
	Artifact       = artifacttypes.Artifact
	ArtifactStatus = artifacttypes.ArtifactStatus
	Manifest       = artifacttypes.Manifest
	EnergyRecord   = artifacttypes.EnergyRecord
	EnergyMethod   = artifacttypes.EnergyMethod
	Verdict        = artifacttypes.Verdict
	Attestation    = artifacttypes.AttestationInput
	Disclosure     = artifacttypes.AttestationDisclosure
	// StoredAttestation is an attestation as the chain keeps it: sealed,
	// then disclosed.
	StoredAttestation = artifacttypes.Attestation
	ArtifactParams    = artifacttypes.Params
	Node              = identitytypes.Node
	Reputation        = reputationtypes.Reputation
)

const (
	PhaseCommit     = ccftypes.PHASE_COMMIT
	PhaseReveal     = ccftypes.PHASE_REVEAL
	PhaseAttest     = ccftypes.PHASE_ATTEST
	PhaseFinalizing = ccftypes.PHASE_FINALIZING
	PhaseDisclose   = ccftypes.PHASE_DISCLOSE

	VerdictValid       = artifacttypes.VERDICT_VALID
	VerdictInvalid     = artifacttypes.VERDICT_INVALID
	VerdictUnavailable = artifacttypes.VERDICT_UNAVAILABLE

	EnergyUnspecified   = artifacttypes.ENERGY_METHOD_UNSPECIFIED
	EnergyRAPL          = artifacttypes.ENERGY_METHOD_RAPL
	EnergyCPUTDP        = artifacttypes.ENERGY_METHOD_CPU_TDP
	EnergyCPUConfigured = artifacttypes.ENERGY_METHOD_CPU_CONFIGURED

	StatusCommitted = artifacttypes.ARTIFACT_STATUS_COMMITTED
	StatusRevealed  = artifacttypes.ARTIFACT_STATUS_REVEALED
	StatusDuplicate = artifacttypes.ARTIFACT_STATUS_DUPLICATE

	// PPM is the chain's fixed-point unit: 1_000_000 = 1.
	PPM = artifacttypes.PPM
)

// PhaseEnd is the first height after phase p of round r (0 for a phase
// without an end in the schedule).
func PhaseEnd(r Round, p Phase) int64 {
	switch p {
	case PhaseCommit:
		return r.RevealStart
	case PhaseReveal:
		return r.AttestStart
	case PhaseAttest:
		return r.DiscloseStart
	case PhaseDisclose:
		return r.FinalizeStart
	}
	return 0
}

// Seal seals verdict v (quality q) on artifact a for verifier under the
// round's seed, with a fresh salt; payload, when the verifier fetched it,
// adds the proof of retrieval. retrieved says whether it did: without it a
// VALID verdict cannot be disclosed.
func Seal(a Artifact, verifier sdk.AccAddress, seed []byte, v Verdict, q uint32, payload []byte) (Attestation, Disclosure, bool, error) {
	d := Disclosure{ArtifactId: a.Id, Verdict: v, QualityPpm: q, Salt: make([]byte, 32)}
	if _, err := rand.Read(d.Salt); err != nil {
		return Attestation{}, d, false, err
	}
	in, retrieved, err := artifacttypes.SealAttestation(a, verifier, seed, d, payload)
	return in, d, retrieved, err
}

// PayloadMatchesManifest reports whether payload has the size and chunk
// root m commits to; a payload that does not is an INVALID artifact.
func PayloadMatchesManifest(m Manifest, payload []byte) bool {
	return artifacttypes.PayloadMatchesManifest(m, payload)
}

// ChunkRoot is the manifest chunk_root of payload.
func ChunkRoot(payload []byte) []byte { return artifacttypes.ChunkRoot(payload) }
