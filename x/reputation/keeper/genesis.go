package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/reputation/types"
)

// InitGenesis loads params and records and rebuilds the leaderboard index.
func (k Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, r := range gs.Reputations {
		operator, err := k.addressCodec.StringToBytes(r.Operator)
		if err != nil {
			return err
		}
		// x/identity's genesis is loaded first; node records are never
		// deleted, so every history belongs to one.
		if _, err := k.identityKeeper.GetNode(ctx, operator); err != nil {
			return errorsmod.Wrapf(types.ErrInvalidGenesis, "reputation of %s: %v", r.Operator, err)
		}
		if err := k.Reputations.Set(ctx, operator, r); err != nil {
			return err
		}
		if err := k.Leaderboard.Set(ctx, leaderboardKey(r.ScorePpm, operator)); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis writes params and records in operator-address order.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params}
	err = k.Reputations.Walk(ctx, nil, func(_ sdk.AccAddress, r types.Reputation) (bool, error) {
		gs.Reputations = append(gs.Reputations, r)
		return false, nil
	})
	return gs, err
}
