package types

import (
	"crypto/sha256"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultGenesis: default params, no round yet (round 1 starts at the first
// block), no fields.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams(), PruneRound: 1} }

// Validate checks params and field/round consistency.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	seen := make(map[uint64]struct{}, len(gs.Fields))
	for _, f := range gs.Fields {
		if _, dup := seen[f.Round]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "field of round %d listed twice", f.Round)
		}
		seen[f.Round] = struct{}{}
		if gs.CurrentRound != nil && f.Round >= gs.CurrentRound.Id {
			return errorsmod.Wrapf(ErrInvalidGenesis, "field of round %d, but round %d is in progress", f.Round, gs.CurrentRound.Id)
		}
	}
	rounds := make(map[uint64]struct{}, len(gs.Rounds))
	for _, r := range gs.Rounds {
		if _, dup := rounds[r.Id]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "round %d listed twice", r.Id)
		}
		rounds[r.Id] = struct{}{}
		if gs.CurrentRound != nil && r.Id >= gs.CurrentRound.Id {
			return errorsmod.Wrapf(ErrInvalidGenesis, "finalized round %d, but round %d is in progress", r.Id, gs.CurrentRound.Id)
		}
	}
	if r := gs.CurrentRound; r != nil {
		if r.Id == 0 || !(r.StartHeight < r.RevealStart && r.RevealStart < r.AttestStart && r.AttestStart < r.DiscloseStart && r.DiscloseStart < r.FinalizeStart) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "round %d has inconsistent heights", r.Id)
		}
	} else if len(gs.Candidates) > 0 || len(gs.Tallies) > 0 || gs.PendingField != nil {
		return errorsmod.Wrap(ErrInvalidGenesis, "candidates, tallies or a pending field without a round in progress")
	}
	if r := gs.CurrentRound; r != nil {
		if !r.Finalizing && (len(gs.Candidates) > 0 || len(gs.Tallies) > 0) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "round %d is not finalizing but has candidates or tallies", r.Id)
		}
		if r.Settling != (gs.PendingField != nil) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "round %d: settling is %t but a pending field is %s", r.Id, r.Settling, map[bool]string{true: "present", false: "absent"}[gs.PendingField != nil])
		}
		if f := gs.PendingField; f != nil && f.Round != r.Id {
			return errorsmod.Wrapf(ErrInvalidGenesis, "pending field of round %d, but round %d is in progress", f.Round, r.Id)
		}
	}
	if err := validateBeacon(gs); err != nil {
		return err
	}
	ops := make(map[string]struct{}, len(gs.Tallies))
	for _, t := range gs.Tallies {
		if _, err := sdk.AccAddressFromBech32(t.Operator); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "tally of %q: %v", t.Operator, err)
		}
		if _, dup := ops[t.Operator]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "tally of %s listed twice", t.Operator)
		}
		ops[t.Operator] = struct{}{}
		if t.ProducerReward.IsNil() || t.ProducerReward.IsNegative() {
			return errorsmod.Wrapf(ErrInvalidGenesis, "tally of %s has a negative or missing producer reward", t.Operator)
		}
	}
	return nil
}

// validateBeacon checks the seed commitments: they belong to the round in
// progress while its seed is not drawn, one per validator, 32 bytes each.
func validateBeacon(gs GenesisState) error {
	seen := make(map[string]struct{}, len(gs.BeaconCommitments))
	for _, c := range gs.BeaconCommitments {
		r := gs.CurrentRound
		switch {
		case r == nil || c.Round != r.Id:
			return errorsmod.Wrapf(ErrInvalidGenesis, "beacon commitment of round %d, which is not in progress", c.Round)
		case r.Seed != nil:
			return errorsmod.Wrapf(ErrInvalidGenesis, "beacon commitment of round %d, whose seed is drawn", c.Round)
		case len(c.Validator) == 0 || len(c.Validator) > 255:
			return errorsmod.Wrapf(ErrInvalidGenesis, "beacon commitment with a %d-byte validator address", len(c.Validator))
		case len(c.Commitment) != sha256.Size:
			return errorsmod.Wrapf(ErrInvalidGenesis, "beacon commitment of %X is %d bytes, want %d", c.Validator, len(c.Commitment), sha256.Size)
		}
		if _, dup := seen[string(c.Validator)]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "beacon commitment of %X listed twice", c.Validator)
		}
		seen[string(c.Validator)] = struct{}{}
	}
	if r := gs.CurrentRound; r != nil && r.SeedSource == SEED_SOURCE_VALIDATOR_BEACON && r.Seed == nil && len(gs.BeaconCommitments) == 0 {
		return errorsmod.Wrapf(ErrInvalidGenesis, "round %d awaits the validators' beacon but has no commitments", r.Id)
	}
	return nil
}
