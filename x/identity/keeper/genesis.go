package keeper

import (
	"context"
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/identity/types"
)

// InitGenesis loads a validated genesis state and rebuilds the unbonding
// queue from the UNBONDING nodes.
func (k Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	// Creates the module account if it does not exist yet, so bonds have
	// somewhere to live from the first block.
	k.accountKeeper.GetModuleAccount(ctx, types.ModuleName)
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	bonds := sdk.NewCoins()
	for _, n := range gs.Nodes {
		bonds = bonds.Add(n.Bond)
	}
	// Every bond must be backed by coins in the escrow account, or a later
	// bond release would fail inside EndBlock and halt the chain.
	escrow := k.accountKeeper.GetModuleAddress(types.ModuleName)
	for _, c := range bonds {
		if have := k.bankKeeper.GetBalance(ctx, escrow, c.Denom); have.IsLT(c) {
			return fmt.Errorf("%w: node bonds total %s but the %s module account holds %s", types.ErrInvalidGenesis, c, types.ModuleName, have)
		}
	}
	for _, n := range gs.Nodes {
		operator, err := k.addressCodec.StringToBytes(n.Operator)
		if err != nil {
			return err
		}
		if err := k.Nodes.Set(ctx, operator, n); err != nil {
			return fmt.Errorf("node %s: %w", n.Operator, err)
		}
		if n.Status == types.NODE_STATUS_UNBONDING {
			if err := k.UnbondingQueue.Set(ctx, unbondingKey(n.UnbondingReleaseHeight, sdk.AccAddress(operator))); err != nil {
				return err
			}
		}
	}
	return nil
}

// ExportGenesis writes params and every node, in operator-address order.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params}
	err = k.Nodes.Walk(ctx, nil, func(_ sdk.AccAddress, n types.Node) (bool, error) {
		gs.Nodes = append(gs.Nodes, n)
		return false, nil
	})
	return gs, err
}
