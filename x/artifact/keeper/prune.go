package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/artifact/types"
)

func isNotFound(err error) bool { return errors.Is(err, collections.ErrNotFound) }

// PruneRound deletes up to limit artifacts of round with their attestations
// and indexes, and the round's verifier set once no artifact is left. It
// returns the number deleted and whether the round is now empty. x/ccf calls
// it for rounds older than retain_rounds; fields are kept.
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
			k.RoundCommitment.Remove(ctx, collections.Join(a.Round, a.Commitment)),
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
	if err != nil || !done {
		return deleted, false, err
	}
	if err := k.Verifiers.Clear(ctx, collections.NewPrefixedPairRange[uint64, uint64](round)); err != nil {
		return deleted, false, err
	}
	if err := k.VerifierWeight.Clear(ctx, collections.NewPrefixedPairRange[uint64, sdk.AccAddress](round)); err != nil {
		return deleted, false, err
	}
	return deleted, true, k.VerifierSets.Remove(ctx, round)
}
