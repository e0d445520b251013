package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/identity/types"
)

func unbondingKey(height int64, operator sdk.AccAddress) collections.Pair[int64, sdk.AccAddress] {
	return collections.Join(height, operator)
}

func isNotFound(err error) bool { return errors.Is(err, collections.ErrNotFound) }

// EndBlocker returns the bonds that are due, oldest first, at most
// max_unbondings_per_block per block; the rest stay queued for the next
// blocks. The work is O(bonds released now): the queue is ordered by height.
func (k Keeper) EndBlocker(ctx context.Context) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	due, err := k.dueUnbondings(ctx, sdkCtx.BlockHeight(), params.MaxUnbondingsPerBlock)
	if err != nil {
		return err
	}
	for _, key := range due {
		if err := k.releaseBond(sdkCtx, key); err != nil {
			return err
		}
	}
	return nil
}

// dueUnbondings collects up to limit queue keys with a release height at or
// below height. Keys are collected before any write, so the iterator never
// sees its own deletions.
func (k Keeper) dueUnbondings(ctx context.Context, height int64, limit uint32) ([]collections.Pair[int64, sdk.AccAddress], error) {
	it, err := k.UnbondingQueue.Iterate(ctx, collections.NewPrefixUntilPairRange[int64, sdk.AccAddress](height))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var due []collections.Pair[int64, sdk.AccAddress]
	for ; it.Valid() && uint32(len(due)) < limit; it.Next() {
		key, err := it.Key()
		if err != nil {
			return nil, err
		}
		due = append(due, key)
	}
	return due, nil
}

func (k Keeper) releaseBond(ctx sdk.Context, key collections.Pair[int64, sdk.AccAddress]) error {
	if err := k.UnbondingQueue.Remove(ctx, key); err != nil {
		return err
	}
	operator := key.K2()
	node, err := k.Nodes.Get(ctx, operator)
	if err != nil {
		return err
	}
	if k.pending != nil {
		pending, err := k.pending.HasPendingWork(ctx, operator)
		if err != nil {
			return err
		}
		if pending {
			// Try again next block: the round finalizes within a bounded
			// number of blocks, and the release stays O(due now).
			node.UnbondingReleaseHeight = ctx.BlockHeight() + 1
			if err := k.UnbondingQueue.Set(ctx, unbondingKey(node.UnbondingReleaseHeight, operator)); err != nil {
				return err
			}
			return k.Nodes.Set(ctx, operator, node)
		}
	}
	amount := node.Bond
	if amount.IsPositive() {
		if err := k.bankKeeper.SendCoinsFromModuleToAccount(ctx, types.ModuleName, operator, sdk.NewCoins(amount)); err != nil {
			return err
		}
	}
	node.Bond = sdk.NewCoin(amount.Denom, sdkmath.ZeroInt())
	node.Status = types.NODE_STATUS_DEREGISTERED
	node.UnbondingReleaseHeight = 0
	if err := k.Nodes.Set(ctx, operator, node); err != nil {
		return err
	}
	return ctx.EventManager().EmitTypedEvent(&types.EventBondReleased{Operator: node.Operator, Amount: amount})
}
