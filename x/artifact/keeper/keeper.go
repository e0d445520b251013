// Package keeper holds the commit → reveal → attest records of the rounds
// and the reputation-weighted verifier assignment.
package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	storetypes "cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/artifact/types"
)

// Keeper owns the artifact state.
type Keeper struct {
	cdc          codec.BinaryCodec
	addressCodec address.Codec
	authority    string

	identity   types.IdentityKeeper
	reputation types.ReputationKeeper
	rounds     types.RoundSource
	bank       types.BankKeeper

	Schema          collections.Schema
	Params          collections.Item[types.Params]
	NextID          collections.Item[uint64]
	Artifacts       collections.Map[uint64, types.Artifact]
	ByRound         collections.KeySet[collections.Pair[uint64, uint64]]
	ByProducer      collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
	CommitCount     collections.Map[collections.Pair[uint64, sdk.AccAddress], uint32]
	ByCID           collections.KeySet[collections.Pair[string, uint64]]
	RoundCID        collections.Map[collections.Pair[uint64, string], uint64]
	RoundCommitment collections.KeySet[collections.Triple[uint64, sdk.AccAddress, []byte]]
	Attestations    collections.Map[collections.Pair[uint64, sdk.AccAddress], types.Attestation]
	VerifierSets    collections.Map[uint64, types.RoundVerifierSet]
	Verifiers       collections.Map[collections.Pair[uint64, uint64], types.RoundVerifier]
	VerifierWeight  collections.Map[collections.Pair[uint64, sdk.AccAddress], uint64]
}

// NewKeeper builds the keeper. rounds reads x/ccf's schedule.
func NewKeeper(cdc codec.BinaryCodec, storeService storetypes.KVStoreService, addressCodec address.Codec,
	ik types.IdentityKeeper, rk types.ReputationKeeper, rounds types.RoundSource, bk types.BankKeeper, authority string,
) Keeper {
	if _, err := addressCodec.StringToBytes(authority); err != nil {
		panic(fmt.Errorf("artifact: invalid authority address %q: %w", authority, err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc: cdc, addressCodec: addressCodec, authority: authority,
		identity: ik, reputation: rk, rounds: rounds, bank: bk,
		Params:    collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		NextID:    collections.NewItem(sb, types.NextArtifactIDKey, "next_artifact_id", collections.Uint64Value),
		Artifacts: collections.NewMap(sb, types.ArtifactsKey, "artifacts", collections.Uint64Key, codec.CollValue[types.Artifact](cdc)),
		ByRound: collections.NewKeySet(sb, types.ByRoundKey, "by_round",
			collections.PairKeyCodec(collections.Uint64Key, collections.Uint64Key)),
		ByProducer: collections.NewKeySet(sb, types.ByProducerKey, "by_producer",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),
		CommitCount: collections.NewMap(sb, types.CommitCountKey, "commit_count",
			collections.PairKeyCodec(collections.Uint64Key, sdk.AccAddressKey), collections.Uint32Value),
		ByCID: collections.NewKeySet(sb, types.ByCIDKey, "by_cid",
			collections.PairKeyCodec(collections.StringKey, collections.Uint64Key)),
		RoundCID: collections.NewMap(sb, types.RoundCIDKey, "round_cid",
			collections.PairKeyCodec(collections.Uint64Key, collections.StringKey), collections.Uint64Value),
		RoundCommitment: collections.NewKeySet(sb, types.RoundCommitmentKey, "round_commitment",
			collections.TripleKeyCodec(collections.Uint64Key, sdk.AccAddressKey, collections.BytesKey)),
		Attestations: collections.NewMap(sb, types.AttestationsKey, "attestations",
			collections.PairKeyCodec(collections.Uint64Key, sdk.AccAddressKey), codec.CollValue[types.Attestation](cdc)),
		VerifierSets: collections.NewMap(sb, types.VerifierSetsKey, "verifier_sets", collections.Uint64Key,
			codec.CollValue[types.RoundVerifierSet](cdc)),
		Verifiers: collections.NewMap(sb, types.VerifiersKey, "verifiers",
			collections.PairKeyCodec(collections.Uint64Key, collections.Uint64Key), codec.CollValue[types.RoundVerifier](cdc)),
		VerifierWeight: collections.NewMap(sb, types.VerifierWeightKey, "verifier_weight",
			collections.PairKeyCodec(collections.Uint64Key, sdk.AccAddressKey), collections.Uint64Value),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// Authority returns the address allowed to change params.
func (k Keeper) Authority() string { return k.authority }

// GetArtifact returns an artifact or ErrArtifactNotFound.
func (k Keeper) GetArtifact(ctx context.Context, id uint64) (types.Artifact, error) {
	a, err := k.Artifacts.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return a, errorsmod.Wrapf(types.ErrArtifactNotFound, "no artifact %d (it may have been pruned)", id)
	}
	return a, err
}

// AttestationsOf returns the attestations of an artifact in verifier order;
// there are at most k of them.
func (k Keeper) AttestationsOf(ctx context.Context, id uint64) ([]types.Attestation, error) {
	var out []types.Attestation
	err := k.Attestations.Walk(ctx, collections.NewPrefixedPairRange[uint64, sdk.AccAddress](id),
		func(_ collections.Pair[uint64, sdk.AccAddress], a types.Attestation) (bool, error) {
			out = append(out, a)
			return false, nil
		})
	return out, err
}

// AttestationOf returns verifier's attestation of artifact id, if any.
func (k Keeper) AttestationOf(ctx context.Context, id uint64, verifier sdk.AccAddress) (types.Attestation, bool, error) {
	a, err := k.Attestations.Get(ctx, collections.Join(id, verifier))
	if errors.Is(err, collections.ErrNotFound) {
		return a, false, nil
	}
	return a, err == nil, err
}

// IterateRound calls fn for the artifacts of round with id >= from, in id
// order, at most limit of them. It returns the id to continue from and
// whether the round is exhausted. Used by x/ccf to finalize in batches.
func (k Keeper) IterateRound(ctx context.Context, round, from uint64, limit uint32, fn func(types.Artifact) error) (next uint64, done bool, err error) {
	ids, next, done, err := k.roundIDs(ctx, round, from, limit)
	if err != nil {
		return from, false, err
	}
	// The iterator is closed before fn runs, so fn may write (or delete).
	for _, id := range ids {
		a, err := k.Artifacts.Get(ctx, id)
		if err != nil {
			return from, false, err
		}
		if err := fn(a); err != nil {
			return from, false, err
		}
	}
	return next, done, nil
}

func (k Keeper) roundIDs(ctx context.Context, round, from uint64, limit uint32) (ids []uint64, next uint64, done bool, err error) {
	rng := collections.NewPrefixedPairRange[uint64, uint64](round).StartInclusive(from)
	it, err := k.ByRound.Iterate(ctx, rng)
	if err != nil {
		return nil, 0, false, err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		key, err := it.Key()
		if err != nil {
			return nil, 0, false, err
		}
		if uint32(len(ids)) == limit {
			return ids, key.K2(), false, nil
		}
		ids = append(ids, key.K2())
	}
	return ids, 0, true, nil
}

// RoundSize is the number of artifacts committed in round. Commits of a
// round get consecutive ids, so it is last id - first id + 1: two reads.
func (k Keeper) RoundSize(ctx context.Context, round uint64) (uint64, error) {
	first, err := k.edgeID(ctx, round, false)
	if err != nil || first == 0 {
		return 0, err
	}
	last, err := k.edgeID(ctx, round, true)
	if err != nil {
		return 0, err
	}
	return last - first + 1, nil
}

func (k Keeper) edgeID(ctx context.Context, round uint64, reverse bool) (uint64, error) {
	rng := collections.NewPrefixedPairRange[uint64, uint64](round)
	if reverse {
		rng = rng.Descending()
	}
	it, err := k.ByRound.Iterate(ctx, rng)
	if err != nil {
		return 0, err
	}
	defer it.Close()
	if !it.Valid() {
		return 0, nil
	}
	key, err := it.Key()
	return key.K2(), err
}

// FrozenWeight is the verifier's weight in the round's frozen set (0 when it
// is not in the set). Finalization weighs attestations with it, so that
// outcomes applied during finalization do not change the weights.
func (k Keeper) FrozenWeight(ctx context.Context, round uint64, verifier sdk.AccAddress) (uint64, error) {
	w, err := k.VerifierWeight.Get(ctx, collections.Join(round, verifier))
	if isNotFound(err) {
		return 0, nil
	}
	return w, err
}

func (k Keeper) roundInfo(ctx context.Context) (types.RoundInfo, error) {
	return k.rounds.RoundInfo(ctx)
}

func wrongPhase(info types.RoundInfo, want types.Phase, round uint64) error {
	return errorsmod.Wrapf(types.ErrWrongPhase,
		"round %d is in its %s phase (commit from height %d, reveal from %d, attest from %d, finalize at %d); this needs round %d in its %s phase",
		info.ID, info.Phase, info.Start, info.RevealStart, info.AttestStart, info.FinalizeStart, round, want)
}
