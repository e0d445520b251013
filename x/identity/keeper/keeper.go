// Package keeper holds the identity module's state and its transitions.
package keeper

import (
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/indexes"
	"cosmossdk.io/core/address"
	storetypes "cosmossdk.io/core/store"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/identity/types"
)

// NodeIndexes are the secondary indexes of the node records.
type NodeIndexes struct {
	// PeerID maps a libp2p peer id to the operators whose records carry it.
	// At most one of them holds it (ACTIVE or UNBONDING, enforced by
	// peerIDOwner); a node released after unbonding gives it up, so the key
	// can be registered again.
	PeerID *indexes.Multi[string, sdk.AccAddress, types.Node]
	// Verifying holds (1, operator) for every ACTIVE node with the verifier
	// role and (0, operator) for the others, so that freezing a round's
	// verifier set walks the active verifiers only, never the deregistered.
	Verifying *indexes.Multi[uint32, sdk.AccAddress, types.Node]
}

// IndexesList implements collections.Indexes.
func (i NodeIndexes) IndexesList() []collections.Index[sdk.AccAddress, types.Node] {
	return []collections.Index[sdk.AccAddress, types.Node]{i.PeerID, i.Verifying}
}

// Keeper owns the identity state.
type Keeper struct {
	cdc          codec.BinaryCodec
	addressCodec address.Codec
	// authority may change params; the gov module account on a live chain.
	authority string

	accountKeeper types.AccountKeeper
	bankKeeper    types.BankKeeper
	// pending, when set, holds a bond back while its node has artifacts in
	// a round not yet finalized.
	pending types.PendingWork

	Schema collections.Schema
	Params collections.Item[types.Params]
	// Nodes is keyed by operator account: one node per account.
	Nodes *collections.IndexedMap[sdk.AccAddress, types.Node, NodeIndexes]
	// UnbondingQueue holds (release height, operator) for UNBONDING nodes, so
	// that EndBlock touches only the bonds due now.
	UnbondingQueue collections.KeySet[collections.Pair[int64, sdk.AccAddress]]
}

// NewKeeper builds the keeper. authority is the bech32 address allowed to
// change params.
func NewKeeper(
	cdc codec.BinaryCodec,
	storeService storetypes.KVStoreService,
	addressCodec address.Codec,
	ak types.AccountKeeper,
	bk types.BankKeeper,
	authority string,
) Keeper {
	if _, err := addressCodec.StringToBytes(authority); err != nil {
		panic(fmt.Errorf("identity: invalid authority address %q: %w", authority, err))
	}
	if ak.GetModuleAddress(types.ModuleName) == nil {
		panic("identity: the identity module account is not set in the account keeper's permissions")
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc:           cdc,
		addressCodec:  addressCodec,
		authority:     authority,
		accountKeeper: ak,
		bankKeeper:    bk,
		Params:        collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Nodes: collections.NewIndexedMap(sb, types.NodesKey, "nodes", sdk.AccAddressKey, codec.CollValue[types.Node](cdc),
			NodeIndexes{
				PeerID: indexes.NewMulti(sb, types.NodesByPeerIDKey, "nodes_by_peer_id", collections.StringKey, sdk.AccAddressKey,
					func(_ sdk.AccAddress, n types.Node) (string, error) { return n.PeerId, nil }),
				Verifying: indexes.NewMulti(sb, types.NodesVerifyingKey, "nodes_verifying", collections.Uint32Key, sdk.AccAddressKey,
					func(_ sdk.AccAddress, n types.Node) (uint32, error) { return verifying(n), nil }),
			}),
		UnbondingQueue: collections.NewKeySet(sb, types.UnbondingQueueKey, "unbonding_queue",
			collections.PairKeyCodec(collections.Int64Key, sdk.AccAddressKey)),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// WithPendingWork returns the keeper with a guard that defers the release of
// a bond while its node has work in an unfinalized round, so deregistering
// cannot escape a slash for an artifact that is still being judged.
func (k Keeper) WithPendingWork(p types.PendingWork) Keeper {
	k.pending = p
	return k
}

// Authority returns the address allowed to change params.
func (k Keeper) Authority() string { return k.authority }
