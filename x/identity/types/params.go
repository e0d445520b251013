package types

import (
	"fmt"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultBondDenom is the chain's staking and fee denom.
const DefaultBondDenom = "uhlx"

// DefaultParams are the parameters of a new chain: a 10 HLX minimum bond and
// about a day of unbonding at 6 s blocks.
func DefaultParams() Params {
	return Params{
		MinBond:               sdk.NewCoin(DefaultBondDenom, sdkmath.NewInt(10_000_000)),
		UnbondingBlocks:       14_400,
		MaxUnbondingsPerBlock: 100,
		MaxMultiaddrs:         8,
		MaxFieldLength:        256,
		// About 10 minutes at 6 s blocks.
		KeyRotationIntervalBlocks: 100,
	}
}

// Validate checks the parameters are usable.
func (p Params) Validate() error {
	if err := p.MinBond.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidParams, "min_bond: %v", err)
	}
	if p.UnbondingBlocks <= 0 {
		return errorsmod.Wrapf(ErrInvalidParams, "unbonding_blocks must be positive, got %d", p.UnbondingBlocks)
	}
	if p.MaxUnbondingsPerBlock == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "max_unbondings_per_block must be positive")
	}
	if p.MaxMultiaddrs == 0 || p.MaxMultiaddrs > 64 {
		return errorsmod.Wrapf(ErrInvalidParams, "max_multiaddrs must be in [1, 64], got %d", p.MaxMultiaddrs)
	}
	if p.KeyRotationIntervalBlocks < 0 {
		return errorsmod.Wrapf(ErrInvalidParams, "key_rotation_interval_blocks must not be negative, got %d", p.KeyRotationIntervalBlocks)
	}
	if p.MaxFieldLength < 16 || p.MaxFieldLength > 4096 {
		return errorsmod.Wrapf(ErrInvalidParams, "max_field_length must be in [16, 4096], got %d", p.MaxFieldLength)
	}
	return nil
}

// CheckBond checks a registration bond against the minimum.
func (p Params) CheckBond(bond sdk.Coin) error {
	if err := bond.Validate(); err != nil {
		return errorsmod.Wrap(ErrInvalidBond, err.Error())
	}
	if bond.Denom != p.MinBond.Denom {
		return errorsmod.Wrapf(ErrInvalidBond, "bond must be in %s, got %s", p.MinBond.Denom, bond.Denom)
	}
	if bond.Amount.LT(p.MinBond.Amount) {
		return errorsmod.Wrapf(ErrBondTooLow, "bond %s is below the minimum %s", bond, p.MinBond)
	}
	return nil
}

// Short returns the role name used on the command line (worker, verifier).
func (r Role) Short() string {
	switch r {
	case ROLE_WORKER:
		return "worker"
	case ROLE_VERIFIER:
		return "verifier"
	default:
		return fmt.Sprintf("role(%d)", int32(r))
	}
}
