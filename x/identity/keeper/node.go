package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/identity/types"
)

// GetNode returns the node of an operator, or ErrNodeNotFound.
func (k Keeper) GetNode(ctx context.Context, operator sdk.AccAddress) (types.Node, error) {
	n, err := k.Nodes.Get(ctx, operator)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Node{}, errorsmod.Wrapf(types.ErrNodeNotFound, "no node registered by %s", operator)
	}
	return n, err
}

// ActiveNodeWithRole returns the operator's node when it is ACTIVE and holds
// role; other modules use it to gate round messages.
func (k Keeper) ActiveNodeWithRole(ctx context.Context, operator sdk.AccAddress, role types.Role) (types.Node, error) {
	n, err := k.GetNode(ctx, operator)
	if err != nil {
		return n, err
	}
	if n.Status != types.NODE_STATUS_ACTIVE {
		return n, errorsmod.Wrapf(types.ErrNodeNotActive, "node of %s is %s", operator, n.Status)
	}
	if !types.HasRole(n.Roles, role) {
		return n, errorsmod.Wrapf(types.ErrInvalidRoles, "node of %s does not hold the %s role", operator, role.Short())
	}
	return n, nil
}

// peerIDOwner returns the operator holding a peer id, if any.
func (k Keeper) peerIDOwner(ctx context.Context, peerID string) (sdk.AccAddress, bool, error) {
	owner, err := k.Nodes.Indexes.PeerID.MatchExact(ctx, peerID)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return owner, true, nil
}

// WalkActiveWithRole calls fn for every ACTIVE node holding role, in
// operator-address order. It reads every node record: callers use it once
// per round (to freeze the verifier set), never per message.
func (k Keeper) WalkActiveWithRole(ctx context.Context, role types.Role, fn func(operator sdk.AccAddress, node types.Node) error) error {
	return k.Nodes.Walk(ctx, nil, func(operator sdk.AccAddress, n types.Node) (bool, error) {
		if n.Status != types.NODE_STATUS_ACTIVE || !types.HasRole(n.Roles, role) {
			return false, nil
		}
		return false, fn(operator, n)
	})
}
