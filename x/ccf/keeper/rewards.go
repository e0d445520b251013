package keeper

import (
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/ccf/aggregate"
	"github.com/h3lix/h3lix/x/ccf/types"
)

// pool tracks what the ccf module account can still pay in one block, so the
// balance is read once per block instead of once per payment.
type pool struct {
	denom string
	left  sdkmath.Int
}

func (k Keeper) openPool(ctx sdk.Context, denom string) *pool {
	return &pool{denom: denom, left: k.bank.GetBalance(ctx, k.accounts.GetModuleAddress(types.ModuleName), denom).Amount}
}

// pay sends up to want from the ccf module account to addr and returns what
// was sent: an empty or short pool pays what it has, and never fails for it.
func (k Keeper) pay(ctx sdk.Context, pl *pool, addr sdk.AccAddress, want sdkmath.Int) (sdk.Coin, error) {
	if want.GT(pl.left) {
		want = pl.left
	}
	paid := sdk.NewCoin(pl.denom, want)
	if !want.IsPositive() {
		return sdk.NewCoin(pl.denom, sdkmath.ZeroInt()), nil
	}
	pl.left = pl.left.Sub(want)
	return paid, k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, addr, sdk.NewCoins(paid))
}

// payVerifier pays one attestation: pool × agreement / (k × artifacts in the
// round), rounded down.
func (k Keeper) payVerifier(ctx sdk.Context, pl *pool, r *types.Round, verifier sdk.AccAddress, agreement uint32, roundSize uint64) error {
	slots := sdkmath.NewIntFromUint64(uint64(max(r.VerifiersPerArtifact, 1))).Mul(sdkmath.NewIntFromUint64(max(roundSize, 1)))
	amount := r.VerifierPool.Amount.Mul(sdkmath.NewIntFromUint64(uint64(agreement))).Quo(slots).QuoRaw(types.PPM)
	paid, err := k.pay(ctx, pl, verifier, amount)
	if err != nil {
		return err
	}
	r.VerifierPaid = r.VerifierPaid.Add(paid)
	return nil
}

// payProducers splits the producer share of the round reward by field
// weight, rounding down; the remainder stays in the pool.
func (k Keeper) payProducers(ctx sdk.Context, pl *pool, p types.Params, entries []aggregate.Entry) (sdk.Coin, error) {
	share := p.RewardPerRound.Amount.MulRaw(int64(types.PPM - p.VerifierRewardSharePpm)).QuoRaw(types.PPM)
	total := sdk.NewCoin(p.RewardPerRound.Denom, sdkmath.ZeroInt())
	for _, e := range entries {
		producer, err := k.addressCodec.StringToBytes(e.Producer)
		if err != nil {
			return total, err
		}
		paid, err := k.pay(ctx, pl, producer, share.MulRaw(int64(e.WeightPPM)).QuoRaw(types.PPM))
		if err != nil {
			return total, err
		}
		total = total.Add(paid)
	}
	return total, nil
}
