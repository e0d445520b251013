package round

import (
	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/schedule"
)

// Status is what GET /status shows: where the node is, what it did in the
// last rounds and what it learned.
type Status struct {
	Operator        string       `json:"operator"`
	PeerID          string       `json:"peer_id"`
	Engine          string       `json:"engine"`
	Adversary       string       `json:"adversary,omitempty"`
	Conditioning    string       `json:"conditioning"`
	Height          int64        `json:"height"`
	Round           uint64       `json:"round"`
	Phase           string       `json:"phase"`
	PhaseEndsAt     int64        `json:"phase_ends_at_height"`
	Tasks           int          `json:"tasks"`
	ValidationTasks int          `json:"validation_tasks"`
	Committed       uint64       `json:"artifacts_committed"`
	Revealed        uint64       `json:"artifacts_revealed"`
	Attested        uint64       `json:"attestations_sent"`
	Disclosed       uint64       `json:"attestations_disclosed"`
	FetchedRemote   uint64       `json:"payloads_fetched_remote"`
	Verified        uint64       `json:"payloads_verified"`
	LastCommit      CommitStatus `json:"last_commit"`
	LastReveal      RevealStatus `json:"last_reveal"`
	LastAttest      AttestStatus `json:"last_attest"`
	// Verifications are the node's latest attested verdicts, newest last
	// (at most maxVerifications), for the dashboard.
	Verifications []VerificationStatus `json:"verifications"`
	FieldRound    uint64               `json:"field_round"`
	Field         FieldStatus          `json:"field"`
	Reputation    *ReputationStatus    `json:"reputation,omitempty"`
	LearningCurve []CurvePoint         `json:"learning_curve"`
	Energy        EnergyStatus         `json:"energy"`
	// Scheduler is the latest decision on the heavy work (nil without a
	// scheduler or before the first commit phase).
	Scheduler *schedule.Status `json:"scheduler,omitempty"`
	// Overhead is, per recent round, what publishing cost beside solving:
	// IPFS import, and simulate+sign+CheckTx of the commit and the reveal
	// (block waits excluded).
	Overhead  []OverheadSample `json:"overhead"`
	LastError string           `json:"last_error,omitempty"`
}

// OverheadSample is one round's publishing cost, in milliseconds.
type OverheadSample struct {
	Round     uint64  `json:"round"`
	Artifacts int     `json:"artifacts"`
	PutMs     float64 `json:"ipfs_put_ms"`
	CommitMs  float64 `json:"commit_ms"`
	RevealMs  float64 `json:"reveal_ms"`
}

// PerArtifactMs is the sample's overhead per artifact.
func (o OverheadSample) PerArtifactMs() float64 {
	if o.Artifacts == 0 {
		return 0
	}
	return (o.PutMs + o.CommitMs + o.RevealMs) / float64(o.Artifacts)
}

// overhead returns the sample of round r, creating it.
func (l *Loop) overhead(r uint64) *OverheadSample {
	for i := range l.status.Overhead {
		if l.status.Overhead[i].Round == r {
			return &l.status.Overhead[i]
		}
	}
	l.status.Overhead = append(l.status.Overhead, OverheadSample{Round: r})
	if n := len(l.status.Overhead); n > 256 {
		l.status.Overhead = l.status.Overhead[n-256:]
	}
	return &l.status.Overhead[len(l.status.Overhead)-1]
}

// CommitStatus is the last commit.
type CommitStatus struct {
	Round       uint64   `json:"round"`
	ArtifactIDs []uint64 `json:"artifact_ids"`
	CIDs        []string `json:"cids"`
	TxHash      string   `json:"tx"`
}

// RevealStatus is the last reveal.
type RevealStatus struct {
	Round    uint64 `json:"round"`
	Revealed int    `json:"revealed"`
	TxHash   string `json:"tx"`
}

// AttestStatus is the last attestation.
type AttestStatus struct {
	Round    uint64         `json:"round"`
	Verdicts map[string]int `json:"verdicts"`
	TxHash   string         `json:"tx"`
}

// VerificationStatus is one attested verdict on another node's artifact.
type VerificationStatus struct {
	Round      uint64 `json:"round"`
	ArtifactID uint64 `json:"artifact_id"`
	Verdict    string `json:"verdict"`
}

// maxVerifications bounds Status.Verifications.
const maxVerifications = 64

// FieldStatus is the last field the engine was conditioned on.
type FieldStatus struct {
	Round      uint64 `json:"round"`
	Entries    int    `json:"entries"`
	Accepted   int    `json:"accepted"`
	Rejected   int    `json:"rejected"`
	Missing    int    `json:"missing"`
	Degenerate bool   `json:"degenerate"`
	// Own counts the node's own artifacts it learned from instead of the
	// field (conditioning = own).
	Own int `json:"own,omitempty"`
	// Kept, when set, says why the engine turned down what this field
	// teaches (it would have done worse on the node's own tasks), and
	// whether it adopted its own artifacts of the field instead.
	Kept string `json:"kept,omitempty"`
}

// ReputationStatus is the node's on-chain reputation.
type ReputationStatus struct {
	ScorePPM    uint32 `json:"score_ppm"`
	Rounds      uint64 `json:"rounds"`
	Accepted    uint64 `json:"artifacts_accepted"`
	Rejected    uint64 `json:"artifacts_rejected"`
	JailedUntil uint64 `json:"jailed_until_round,omitempty"`
}

// CurvePoint is one measurement of the learning curve: the validation
// tasks solved at a fixed candidate budget after conditioning on a round's
// field (AfterRound 0: before any field).
type CurvePoint struct {
	AfterRound uint64 `json:"after_round"`
	Solved     int    `json:"solved"`
	Total      int    `json:"total"`
	Candidates int64  `json:"candidates"`
}

// EnergyStatus sums what the node's work cost.
type EnergyStatus struct {
	Method     string  `json:"method"`
	CPUSeconds float64 `json:"cpu_seconds"`
	Joules     uint64  `json:"joules"`
	MgCO2e     uint64  `json:"mg_co2e"`
	// SolvedTasks counts the tasks solved in rounds; JoulesPerSolvedTask
	// is the energy of the rounds' work over them.
	SolvedTasks         uint64  `json:"solved_tasks"`
	JoulesPerSolvedTask float64 `json:"joules_per_solved_task"`
}

// Status returns a copy of the current status.
func (l *Loop) Status() Status {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.status
	s.LearningCurve = append([]CurvePoint(nil), l.status.LearningCurve...)
	s.Overhead = append([]OverheadSample(nil), l.status.Overhead...)
	s.Verifications = append([]VerificationStatus(nil), l.status.Verifications...)
	if l.status.Scheduler != nil {
		d := *l.status.Scheduler
		s.Scheduler = &d
	}
	return s
}

func (l *Loop) setRound(rs chain.RoundStatus) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.status.Height, l.status.Round = rs.Height, rs.Round.Id
	l.status.Phase = phaseName(rs.Phase)
	l.status.PhaseEndsAt = chain.PhaseEnd(rs.Round, rs.Phase)
	l.metrics.Round.Set(float64(rs.Round.Id))
	l.metrics.Height.Set(float64(rs.Height))
}

func (l *Loop) setError(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.status.LastError = err.Error()
}

func phaseName(p chain.Phase) string {
	switch p {
	case chain.PhaseCommit:
		return "commit"
	case chain.PhaseReveal:
		return "reveal"
	case chain.PhaseAttest:
		return "attest"
	case chain.PhaseDisclose:
		return "disclose"
	case chain.PhaseFinalizing:
		return "finalizing"
	}
	return "unknown"
}
