package keeper

import (
	"bytes"
	"slices"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/ccf/types"
	reputationtypes "github.com/h3lix/h3lix/x/reputation/types"
)

// tallies holds, in memory, what a block of finalization adds to the nodes'
// tallies. Judging an artifact touches its producer and up to k verifiers;
// collecting the deltas here and writing each touched tally once per block,
// in address order (IAVL's shape depends on write order), costs one read and
// one write per node instead of one per outcome.
type tallies struct {
	byAddr map[string]*types.Tally
	addrs  []sdk.AccAddress
}

func newTallies() *tallies { return &tallies{byAddr: map[string]*types.Tally{}} }

// of returns the delta of addr, creating an empty one.
func (ts *tallies) of(addr sdk.AccAddress) *types.Tally {
	if t, ok := ts.byAddr[string(addr)]; ok {
		return t
	}
	t := &types.Tally{ProducerReward: sdkmath.ZeroInt()}
	ts.byAddr[string(addr)] = t
	ts.addrs = append(ts.addrs, addr)
	return t
}

// outcome counts one outcome of the round with its signal (ppm).
func (ts *tallies) outcome(addr sdk.AccAddress, signal uint32) *types.Tally {
	t := ts.of(addr)
	t.Outcomes++
	t.SignalSum += uint64(signal)
	return t
}

// merge adds every delta of o into ts.
func (ts *tallies) merge(o *tallies) {
	for _, a := range o.addrs {
		addTally(ts.of(a), o.byAddr[string(a)])
	}
}

func addTally(dst, src *types.Tally) {
	dst.SignalSum += src.SignalSum
	dst.Outcomes += src.Outcomes
	dst.Accepted += src.Accepted
	dst.Rejected += src.Rejected
	dst.Invalid += src.Invalid
	dst.Unrevealed += src.Unrevealed
	dst.Attestations += src.Attestations
	dst.Agreed += src.Agreed
	dst.Missed += src.Missed
	dst.AgreementSumPpm += src.AgreementSumPpm
	dst.ApprovedInvalid += src.ApprovedInvalid
	dst.ProducerReward = dst.ProducerReward.Add(src.ProducerReward)
}

// flush adds the deltas to the stored tallies, in address order.
func (k Keeper) flush(ctx sdk.Context, ts *tallies) error {
	slices.SortFunc(ts.addrs, func(a, b sdk.AccAddress) int { return bytes.Compare(a, b) })
	for _, a := range ts.addrs {
		t, err := k.Tallies.Get(ctx, a)
		switch {
		case isNotFound(err):
			t = types.Tally{Operator: a.String(), ProducerReward: sdkmath.ZeroInt()}
		case err != nil:
			return err
		}
		addTally(&t, ts.byAddr[string(a)])
		if err := k.Tallies.Set(ctx, a, t); err != nil {
			return err
		}
	}
	ts.byAddr, ts.addrs = map[string]*types.Tally{}, nil
	return nil
}

// settleStep applies up to max_finalize_per_block tallies: one reputation
// step and one payment (verifier share by agreement plus field rewards) per
// node, then deletes the tally. It reports whether none is left. Keys are
// collected before any write, and applied tallies are deleted, so the next
// block starts from the first one left.
func (k Keeper) settleStep(ctx sdk.Context, r *types.Round, p types.Params, f *types.Field) (bool, error) {
	it, err := k.Tallies.Iterate(ctx, nil)
	if err != nil {
		return false, err
	}
	var batch []collections.KeyValue[sdk.AccAddress, types.Tally]
	for ; it.Valid() && uint32(len(batch)) < p.MaxFinalizePerBlock; it.Next() {
		kv, err := it.KeyValue()
		if err != nil {
			it.Close()
			return false, err
		}
		batch = append(batch, kv)
	}
	more := it.Valid()
	it.Close()

	// As for judging: the batch runs in a cache context, and only if it
	// fails is it rerun with each node isolated, the failing ones skipped
	// (their tally dropped, nothing applied or paid) and logged.
	savedPaid, savedRewards := r.VerifierPaid, f.ProducerRewards
	cctx, write := ctx.CacheContext()
	pl := k.openPool(cctx, r.VerifierPool.Denom)
	var failed error
	for _, kv := range batch {
		if failed = k.settleOne(cctx, pl, r, f, kv.Key, kv.Value); failed != nil {
			break
		}
	}
	if failed == nil {
		write()
		return !more, nil
	}
	r.VerifierPaid, f.ProducerRewards = savedPaid, savedRewards
	pl = k.openPool(ctx, r.VerifierPool.Denom)
	for _, kv := range batch {
		paid, rewards, left := r.VerifierPaid, f.ProducerRewards, pl.left
		one, write := ctx.CacheContext()
		if err := k.settleOne(one, pl, r, f, kv.Key, kv.Value); err != nil {
			r.VerifierPaid, f.ProducerRewards, pl.left = paid, rewards, left
			ctx.Logger().Error("settling a node's round failed; its tally is dropped", "round", r.Id, "operator", kv.Value.Operator, "err", err)
			if err := k.Tallies.Remove(ctx, kv.Key); err != nil {
				return false, err
			}
			continue
		}
		write()
	}
	return !more, nil
}

// settleOne applies one node's tally: one reputation step, one payment, and
// the tally's deletion.
func (k Keeper) settleOne(ctx sdk.Context, pl *pool, r *types.Round, f *types.Field, op sdk.AccAddress, t types.Tally) error {
	if _, err := k.reputation.ApplyOutcome(ctx, op, reputationtypes.Outcome{
		Round: r.Id, SignalPPM: types.RoundSignal(t),
		Accepted: t.Accepted, Rejected: t.Rejected, Unrevealed: t.Unrevealed,
		Attestations: t.Attestations, Agreed: t.Agreed, Missed: t.Missed,
	}); err != nil {
		return err
	}
	slots := sdkmath.NewIntFromUint64(uint64(max(r.VerifiersPerArtifact, 1))).Mul(sdkmath.NewIntFromUint64(max(r.Attestable, 1))).MulRaw(types.PPM)
	verifierShare := r.VerifierPool.Amount.Mul(sdkmath.NewIntFromUint64(t.AgreementSumPpm)).Quo(slots)
	paid, err := k.pay(ctx, pl, op, verifierShare.Add(t.ProducerReward))
	if err != nil {
		return err
	}
	// A short pool pays the verifier share first.
	v := sdk.NewCoin(pl.denom, sdkmath.MinInt(paid.Amount, verifierShare))
	r.VerifierPaid = r.VerifierPaid.Add(v)
	f.ProducerRewards = f.ProducerRewards.Add(paid.Sub(v))
	return k.Tallies.Remove(ctx, op)
}
