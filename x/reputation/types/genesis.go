package types

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultGenesis has default params and no history.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// Validate checks params, addresses, score ranges and uniqueness.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	seen := make(map[string]struct{}, len(gs.Reputations))
	for i, r := range gs.Reputations {
		if _, err := sdk.AccAddressFromBech32(r.Operator); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "reputation %d: operator: %v", i, err)
		}
		if r.ScorePpm > PPM {
			return errorsmod.Wrapf(ErrInvalidGenesis, "reputation %d (%s): score %d above %d", i, r.Operator, r.ScorePpm, PPM)
		}
		if _, dup := seen[r.Operator]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "operator %s listed twice", r.Operator)
		}
		seen[r.Operator] = struct{}{}
	}
	return nil
}
