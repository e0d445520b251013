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

// payFactor is the share of the round reward a field earns, in ppm: 0 for a
// degenerate field (one entry, or entries too alike), and n / m for a field
// from n < m = min_field_producers distinct producers. A round pays for a
// real, contested field, so one person with a few accounts cannot mint the
// round's reward with a junk one.
func payFactor(p types.Params, f aggregate.Field) uint64 {
	if f.Degenerate || len(f.Entries) == 0 {
		return 0
	}
	distinct := map[string]struct{}{}
	for _, e := range f.Entries {
		distinct[e.Producer] = struct{}{}
	}
	return uint64(min(uint32(len(distinct)), p.MinFieldProducers)) * types.PPM / uint64(p.MinFieldProducers)
}

// accrueProducers adds the producer share of the round reward, scaled by
// the field's pay factor, to the tallies of the field's producers, split by
// field weight and rounded down. Unpaid shares stay in the pool.
func (k Keeper) accrueProducers(ts *tallies, p types.Params, f aggregate.Field, factor uint64) error {
	share := p.ProducerShare().Mul(sdkmath.NewIntFromUint64(factor)).QuoRaw(types.PPM)
	if !share.IsPositive() {
		return nil
	}
	for _, e := range f.Entries {
		producer, err := k.addressCodec.StringToBytes(e.Producer)
		if err != nil {
			return err
		}
		t := ts.of(producer)
		t.ProducerReward = t.ProducerReward.Add(share.MulRaw(int64(e.WeightPPM)).QuoRaw(types.PPM))
	}
	return nil
}
