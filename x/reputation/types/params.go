package types

import errorsmod "cosmossdk.io/errors"

// DefaultParams: new nodes start at 0.25, so two fresh verifiers together
// just reach ccf's default min_attested_weight_ppm (0.5), and stay capped
// there for 5 rounds of probation; a round moves the score by a fifth of the
// gap; a node that falls below 0.1 sits out 10 rounds; an INVALID artifact,
// or 3 rounds in a row of attesting mostly against the consensus, burns 1%
// of the bond.
func DefaultParams() Params {
	return Params{
		InitialScorePpm:    250_000,
		EmaAlphaPpm:        200_000,
		JailFloorPpm:       100_000,
		JailRounds:         10,
		SlashFractionPpm:   10_000,
		ProbationRounds:    5,
		DissentSlashRounds: 3,
	}
}

// Validate checks every ppm value is within [0, 1] and alpha is positive.
func (p Params) Validate() error {
	for _, f := range [...]struct {
		name string
		v    uint32
	}{{"initial_score_ppm", p.InitialScorePpm}, {"ema_alpha_ppm", p.EmaAlphaPpm}, {"jail_floor_ppm", p.JailFloorPpm}, {"slash_fraction_ppm", p.SlashFractionPpm}} {
		if f.v > PPM {
			return errorsmod.Wrapf(ErrInvalidParams, "%s is %d, above %d (1.0)", f.name, f.v, PPM)
		}
	}
	if p.EmaAlphaPpm == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "ema_alpha_ppm must be positive, or scores never move")
	}
	if p.JailFloorPpm > p.InitialScorePpm {
		return errorsmod.Wrapf(ErrInvalidParams, "jail_floor_ppm %d is above initial_score_ppm %d: new nodes would be jailed on their first outcome", p.JailFloorPpm, p.InitialScorePpm)
	}
	if p.ProbationRounds > 1_000_000 {
		return errorsmod.Wrapf(ErrInvalidParams, "probation_rounds %d is above 1,000,000", p.ProbationRounds)
	}
	return nil
}

// EMA returns (1-alpha)*score + alpha*signal, all in ppm, rounded down.
// Inputs are at most PPM, so the products fit in uint64.
func EMA(score, signal, alpha uint32) uint32 {
	return uint32((uint64(PPM-alpha)*uint64(score) + uint64(alpha)*uint64(signal)) / PPM)
}
