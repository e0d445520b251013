package types

import "context"

// Phase is the part of a round a height falls in (mirrors h3lix.ccf.v1.Phase).
type Phase int32

const (
	PhaseNone Phase = iota
	PhaseCommit
	PhaseReveal
	PhaseAttest
	PhaseFinalizing
	// PhaseDisclose sits between attest and finalizing (its number follows
	// h3lix.ccf.v1.Phase, which added it last).
	PhaseDisclose
)

func (p Phase) String() string {
	switch p {
	case PhaseCommit:
		return "commit"
	case PhaseReveal:
		return "reveal"
	case PhaseAttest:
		return "attest"
	case PhaseFinalizing:
		return "finalizing"
	case PhaseDisclose:
		return "disclose"
	default:
		return "none"
	}
}

// RoundInfo is what the artifact module needs to know about the round in
// progress; x/ccf owns the schedule.
type RoundInfo struct {
	ID                                                            uint64
	Phase                                                         Phase
	Start, RevealStart, AttestStart, DiscloseStart, FinalizeStart int64
	Seed                                                          []byte
}

// Assignments draws the verifiers of a round's artifacts (Keeper.Assigner):
// one per round, reused over a batch of artifacts.
type Assignments interface {
	Assigned(ctx context.Context, a Artifact) ([]string, error)
}
