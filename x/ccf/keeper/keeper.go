// Package keeper runs the round schedule and finalizes each round into a
// Collective Context Field, moving reputations and paying rewards.
package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	storetypes "cosmossdk.io/core/store"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/ccf/types"
)

// Keeper owns the ccf state.
type Keeper struct {
	cdc          codec.BinaryCodec
	addressCodec address.Codec
	authority    string

	artifacts  types.ArtifactKeeper
	reputation types.ReputationKeeper
	bank       types.BankKeeper
	accounts   types.AccountKeeper

	Schema       collections.Schema
	Params       collections.Item[types.Params]
	CurrentRound collections.Item[types.Round]
	// Candidates holds the accepted artifacts of the round being finalized,
	// keyed (MaxUint64 - weight, id): ascending order is best first, and the
	// last key is the one to evict when there are more than
	// max_field_candidates.
	Candidates  collections.Map[collections.Pair[uint64, uint64], types.Candidate]
	Fields      collections.Map[uint64, types.Field]
	LatestField collections.Item[uint64]
	PruneRound  collections.Item[uint64]
	// Rounds keeps the record of every finalized round (a few hundred bytes each).
	Rounds collections.Map[uint64, types.Round]
	// Tallies accumulate each node's outcomes of the round being finalized;
	// PendingField holds its field until every tally is applied.
	Tallies      collections.Map[sdk.AccAddress, types.Tally]
	PendingField collections.Item[types.Field]
	// FieldPrune is the next round whose field and record retain_fields
	// will prune.
	FieldPrune collections.Item[uint64]
	// Beacon holds each validator's commitment to its seed secret for the
	// round in progress, until the seed is drawn (beacon.go).
	Beacon collections.Map[collections.Pair[uint64, []byte], []byte]
}

// NewKeeper builds the keeper; authority may change params.
func NewKeeper(cdc codec.BinaryCodec, storeService storetypes.KVStoreService, addressCodec address.Codec,
	ak types.ArtifactKeeper, rk types.ReputationKeeper, bk types.BankKeeper, acc types.AccountKeeper, authority string,
) Keeper {
	if _, err := addressCodec.StringToBytes(authority); err != nil {
		panic(fmt.Errorf("ccf: invalid authority address %q: %w", authority, err))
	}
	if acc.GetModuleAddress(types.ModuleName) == nil {
		panic("ccf: the ccf module account is not set in the account keeper's permissions")
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc: cdc, addressCodec: addressCodec, authority: authority,
		artifacts: ak, reputation: rk, bank: bk, accounts: acc,
		Params:       collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		CurrentRound: collections.NewItem(sb, types.CurrentRoundKey, "current_round", codec.CollValue[types.Round](cdc)),
		Candidates: collections.NewMap(sb, types.CandidatesKey, "candidates",
			collections.PairKeyCodec(collections.Uint64Key, collections.Uint64Key), codec.CollValue[types.Candidate](cdc)),
		Fields:       collections.NewMap(sb, types.FieldsKey, "fields", collections.Uint64Key, codec.CollValue[types.Field](cdc)),
		LatestField:  collections.NewItem(sb, types.LatestFieldKey, "latest_field", collections.Uint64Value),
		PruneRound:   collections.NewItem(sb, types.PruneRoundKey, "prune_round", collections.Uint64Value),
		Rounds:       collections.NewMap(sb, types.RoundsKey, "rounds", collections.Uint64Key, codec.CollValue[types.Round](cdc)),
		Tallies:      collections.NewMap(sb, types.TalliesKey, "tallies", sdk.AccAddressKey, codec.CollValue[types.Tally](cdc)),
		PendingField: collections.NewItem(sb, types.PendingFieldKey, "pending_field", codec.CollValue[types.Field](cdc)),
		FieldPrune:   collections.NewItem(sb, types.FieldPruneKey, "field_prune", collections.Uint64Value),
		Beacon: collections.NewMap(sb, types.BeaconKey, "beacon",
			collections.PairKeyCodec(collections.Uint64Key, collections.BytesKey), collections.BytesValue),
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

func isNotFound(err error) bool { return errors.Is(err, collections.ErrNotFound) }

// GetField returns the field of a finalized round.
func (k Keeper) GetField(ctx context.Context, round uint64) (types.Field, error) {
	f, err := k.Fields.Get(ctx, round)
	if isNotFound(err) {
		return f, fmt.Errorf("%w: round %d has no field (not finalized yet)", types.ErrFieldNotFound, round)
	}
	return f, err
}
