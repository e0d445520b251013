package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/identity/types"
)

// ppm is one in parts per million.
const ppm = 1_000_000

// SlashBond burns fractionPPM (parts per million) of the node's escrowed
// bond, rounding down, and at least floor, capped at the bond; it returns
// what was burned. A node with nothing left to slash is not an error: the
// burn is zero. Called by x/reputation.
func (k Keeper) SlashBond(ctx context.Context, operator sdk.AccAddress, fractionPPM uint32, floor sdkmath.Int, reason string) (sdk.Coin, error) {
	if fractionPPM > ppm {
		return sdk.Coin{}, errorsmod.Wrapf(types.ErrInvalidParams, "slash fraction %d ppm exceeds 1", fractionPPM)
	}
	node, err := k.GetNode(ctx, operator)
	if err != nil {
		return sdk.Coin{}, err
	}
	amount := node.Bond.Amount.Mul(sdkmath.NewIntFromUint64(uint64(fractionPPM))).QuoRaw(ppm)
	if !floor.IsNil() && floor.GT(amount) {
		amount = sdkmath.MinInt(floor, node.Bond.Amount)
	}
	burn := sdk.NewCoin(node.Bond.Denom, amount)
	if !burn.IsPositive() {
		return burn, nil
	}
	if err := k.bankKeeper.BurnCoins(ctx, types.ModuleName, sdk.NewCoins(burn)); err != nil {
		return sdk.Coin{}, err
	}
	node.Bond = node.Bond.Sub(burn)
	if err := k.Nodes.Set(ctx, operator, node); err != nil {
		return sdk.Coin{}, err
	}
	err = sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventBondSlashed{Operator: node.Operator, Amount: burn, Reason: reason})
	return burn, err
}
