package sim

import (
	"fmt"

	"github.com/h3lix/h3lix/x/ccf/aggregate"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	reptypes "github.com/h3lix/h3lix/x/reputation/types"
)

// Params are the chain parameters a simulated round is finalized with.
type Params struct {
	VerifiersPerArtifact int
	// MaxFieldCandidates bounds the accepted artifacts kept for the field;
	// the rest count as accepted but not selected.
	MaxFieldCandidates int
	Verdict            aggregate.VerdictParams
	Filter             aggregate.FilterParams
	Field              aggregate.FieldParams
	// Producer signals in ppm of the consensus quality.
	UnselectedSignalPPM, OutlierSignalPPM uint32
	InitialScorePPM, EMAAlphaPPM          uint32
}

// DefaultParams takes the chain's defaults, so that the simulation and a
// fresh network weigh artifacts alike and cannot drift apart silently.
func DefaultParams() Params {
	c, r := ccftypes.DefaultParams(), reptypes.DefaultParams()
	return Params{
		VerifiersPerArtifact: int(c.VerifiersPerArtifact),
		MaxFieldCandidates:   int(c.MaxFieldCandidates),
		Verdict:              aggregate.VerdictParams{MinAttestedWeight: c.MinAttestedWeightPpm, MinAttesters: int(c.MinAttesters), AcceptPPM: c.AcceptThresholdPpm},
		Filter:               aggregate.FilterParams{MADMultiplierPPM: c.MadMultiplierPpm, MinMAD: c.MinMad, MinGroup: int(c.MinDomainPoints)},
		Field: aggregate.FieldParams{
			MaxFieldSize: int(c.MaxFieldSize),
			MinSpreadPPM: c.MinSpreadPpm, EMABetaPPM: c.EmaBetaPpm,
		},
		UnselectedSignalPPM: c.UnselectedSignalPpm,
		OutlierSignalPPM:    c.OutlierSignalPpm,
		InitialScorePPM:     r.InitialScorePpm,
		EMAAlphaPPM:         r.EmaAlphaPpm,
	}
}

func (p Params) validate() error {
	switch {
	case p.VerifiersPerArtifact <= 0:
		return fmt.Errorf("verifiers per artifact must be positive, got %d", p.VerifiersPerArtifact)
	case p.MaxFieldCandidates < p.Field.MaxFieldSize:
		return fmt.Errorf("max field candidates %d below max field size %d", p.MaxFieldCandidates, p.Field.MaxFieldSize)
	case p.InitialScorePPM > aggregate.PPM || p.EMAAlphaPPM > aggregate.PPM ||
		p.UnselectedSignalPPM > aggregate.PPM || p.OutlierSignalPPM > aggregate.PPM:
		return fmt.Errorf("a ppm parameter is above %d", aggregate.PPM)
	}
	// The aggregate functions check the rest (MAD multiplier, field size, beta).
	return nil
}
