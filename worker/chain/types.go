package chain

import (
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
	Verdict        = artifacttypes.Verdict
	Attestation    = artifacttypes.AttestationInput
	ArtifactParams = artifacttypes.Params
	Node           = identitytypes.Node
	Reputation     = reputationtypes.Reputation
)

const (
	PhaseCommit     = ccftypes.PHASE_COMMIT
	PhaseReveal     = ccftypes.PHASE_REVEAL
	PhaseAttest     = ccftypes.PHASE_ATTEST
	PhaseFinalizing = ccftypes.PHASE_FINALIZING

	VerdictValid       = artifacttypes.VERDICT_VALID
	VerdictInvalid     = artifacttypes.VERDICT_INVALID
	VerdictUnavailable = artifacttypes.VERDICT_UNAVAILABLE

	StatusCommitted = artifacttypes.ARTIFACT_STATUS_COMMITTED
	StatusRevealed  = artifacttypes.ARTIFACT_STATUS_REVEALED
	StatusDuplicate = artifacttypes.ARTIFACT_STATUS_DUPLICATE

	// PPM is the chain's fixed-point unit: 1_000_000 = 1.
	PPM = artifacttypes.PPM
)
