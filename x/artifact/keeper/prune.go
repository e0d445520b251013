package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/artifact/types"
)

func isNotFound(err error) bool { return errors.Is(err, collections.ErrNotFound) }

// PruneRound deletes up to limit records of round: its artifacts with their
// attestations and indexes first, then its verifier set entries. It returns
// the number of records deleted and whether the round is now empty. x/ccf
// calls it for rounds older than retain_rounds; fields are kept.
func (k Keeper) PruneRound(ctx context.Context, round uint64, limit uint32) (uint32, bool, error) {
	var deleted uint32
	_, done, err := k.IterateRound(ctx, round, 0, limit, func(a types.Artifact) error {
		producer, err := k.addressCodec.StringToBytes(a.Producer)
		if err != nil {
			return err
		}
		if err := k.Attestations.Clear(ctx, collections.NewPrefixedPairRange[uint64, sdk.AccAddress](a.Id)); err != nil {
			return err
		}
		if a.Cid != "" {
			if err := k.ByCID.Remove(ctx, collections.Join(a.Cid, a.Id)); err != nil {
				return err
			}
			if err := k.RoundCID.Remove(ctx, collections.Join(a.Round, a.Cid)); err != nil {
				return err
			}
		}
		for _, rm := range []error{
			k.ByProducer.Remove(ctx, collections.Join(sdk.AccAddress(producer), a.Id)),
			k.RoundCommitment.Remove(ctx, collections.Join3(a.Round, sdk.AccAddress(producer), a.Commitment)),
			k.CommitCount.Remove(ctx, collections.Join(a.Round, sdk.AccAddress(producer))),
			k.ByRound.Remove(ctx, collections.Join(a.Round, a.Id)),
			k.Artifacts.Remove(ctx, a.Id),
		} {
			if rm != nil {
				return rm
			}
		}
		deleted++
		return nil
	})
	if err != nil || !done || deleted == limit {
		return deleted, false, err
	}
	// The verifier entries go in the same budget, a batch per block: a
	// round's set holds every active verifier, and one call must not delete
	// an unbounded number of records.
	it, err := k.Verifiers.Iterate(ctx, collections.NewPrefixedPairRange[uint64, uint64](round))
	if err != nil {
		return deleted, false, err
	}
	var vs []collections.KeyValue[collections.Pair[uint64, uint64], types.RoundVerifier]
	for ; it.Valid() && deleted+uint32(len(vs)) < limit; it.Next() {
		kv, err := it.KeyValue()
		if err != nil {
			it.Close()
			return deleted, false, err
		}
		vs = append(vs, kv)
	}
	more := it.Valid()
	it.Close()
	for _, kv := range vs {
		op, err := k.addressCodec.StringToBytes(kv.Value.Operator)
		if err != nil {
			return deleted, false, err
		}
		if err := k.VerifierWeight.Remove(ctx, collections.Join(round, sdk.AccAddress(op))); err != nil {
			return deleted, false, err
		}
		if err := k.Verifiers.Remove(ctx, kv.Key); err != nil {
			return deleted, false, err
		}
		deleted++
	}
	if more {
		return deleted, false, nil
	}
	return deleted, true, k.VerifierSets.Remove(ctx, round)
}
