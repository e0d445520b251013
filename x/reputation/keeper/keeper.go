// Package keeper holds node reputations and applies round outcomes to them.
package keeper

import (
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	storetypes "cosmossdk.io/core/store"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/reputation/types"
)

// Keeper owns the reputation state.
type Keeper struct {
	cdc            codec.BinaryCodec
	addressCodec   address.Codec
	authority      string
	identityKeeper types.IdentityKeeper

	Schema      collections.Schema
	Params      collections.Item[types.Params]
	Reputations collections.Map[sdk.AccAddress, types.Reputation]
	// Leaderboard holds (PPM - score, operator) for every stored record, so
	// that iterating it in key order lists the best nodes first.
	Leaderboard collections.KeySet[collections.Pair[uint64, sdk.AccAddress]]
}

// NewKeeper builds the keeper; authority may change params.
func NewKeeper(cdc codec.BinaryCodec, storeService storetypes.KVStoreService, addressCodec address.Codec,
	ik types.IdentityKeeper, authority string,
) Keeper {
	if _, err := addressCodec.StringToBytes(authority); err != nil {
		panic(fmt.Errorf("reputation: invalid authority address %q: %w", authority, err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc:            cdc,
		addressCodec:   addressCodec,
		authority:      authority,
		identityKeeper: ik,
		Params:         collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Reputations:    collections.NewMap(sb, types.ReputationsKey, "reputations", sdk.AccAddressKey, codec.CollValue[types.Reputation](cdc)),
		Leaderboard: collections.NewKeySet(sb, types.LeaderboardKey, "leaderboard",
			collections.PairKeyCodec(collections.Uint64Key, sdk.AccAddressKey)),
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

func leaderboardKey(score uint32, operator sdk.AccAddress) collections.Pair[uint64, sdk.AccAddress] {
	return collections.Join(uint64(types.PPM-score), operator)
}
