package keeper

import (
	"context"

	"cosmossdk.io/collections"
	storetypes "cosmossdk.io/core/store"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/artifact/types"
)

// PendingReader answers x/identity's question "does this node still have
// work in a round that is not finalized?" by reading the artifact store
// directly, like ccf's RoundReader: identity is built before this keeper and
// must not depend on it.
type PendingReader struct {
	artifacts  collections.Map[uint64, types.Artifact]
	byProducer collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
	rounds     types.RoundSource
}

// NewPendingReader builds a reader over the artifact store.
func NewPendingReader(cdc codec.BinaryCodec, storeService storetypes.KVStoreService, rounds types.RoundSource) PendingReader {
	sb := collections.NewSchemaBuilder(storeService)
	r := PendingReader{
		artifacts: collections.NewMap(sb, types.ArtifactsKey, "artifacts", collections.Uint64Key, codec.CollValue[types.Artifact](cdc)),
		byProducer: collections.NewKeySet(sb, types.ByProducerKey, "by_producer",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),
		rounds: rounds,
	}
	if _, err := sb.Build(); err != nil {
		panic(err)
	}
	return r
}

// HasPendingWork reports whether the producer's latest artifact belongs to
// the round in progress (which stays current until it is finalized). Ids
// grow with rounds, so one read of the producer index decides.
func (r PendingReader) HasPendingWork(ctx context.Context, operator sdk.AccAddress) (bool, error) {
	it, err := r.byProducer.Iterate(ctx, collections.NewPrefixedPairRange[sdk.AccAddress, uint64](operator).Descending())
	if err != nil {
		return false, err
	}
	defer it.Close()
	if !it.Valid() {
		return false, nil
	}
	key, err := it.Key()
	if err != nil {
		return false, err
	}
	a, err := r.artifacts.Get(ctx, key.K2())
	if err != nil {
		return false, err
	}
	info, err := r.rounds.RoundInfo(ctx)
	if err != nil {
		return false, err
	}
	return info.Phase != types.PhaseNone && a.Round >= info.ID, nil
}
