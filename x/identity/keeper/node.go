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

func verifying(n types.Node) uint32 {
	if n.Status == types.NODE_STATUS_ACTIVE && types.HasRole(n.Roles, types.ROLE_VERIFIER) {
		return 1
	}
	return 0
}

// WalkActiveVerifiers calls fn for at most limit ACTIVE nodes holding the
// verifier role, in operator-address order, starting after the operator
// after (nil: from the first). It returns the last operator visited and
// whether no active verifier is left after it. It reads only the index of
// active verifiers, so its cost is O(limit) whatever the number of nodes.
func (k Keeper) WalkActiveVerifiers(ctx context.Context, after sdk.AccAddress, limit uint32, fn func(operator sdk.AccAddress) error) (sdk.AccAddress, bool, error) {
	rng := collections.NewPrefixedPairRange[uint32, sdk.AccAddress](1)
	if len(after) > 0 {
		rng = rng.StartExclusive(after)
	}
	it, err := k.Nodes.Indexes.Verifying.Iterate(ctx, rng)
	if err != nil {
		return nil, false, err
	}
	var ops []sdk.AccAddress
	for ; it.Valid() && uint32(len(ops)) < limit; it.Next() {
		op, err := it.PrimaryKey()
		if err != nil {
			it.Close()
			return nil, false, err
		}
		ops = append(ops, op)
	}
	done := !it.Valid()
	it.Close()
	// fn runs after the iterator is closed, so it may write.
	for _, op := range ops {
		if err := fn(op); err != nil {
			return nil, false, err
		}
	}
	last := after
	if len(ops) > 0 {
		last = ops[len(ops)-1]
	}
	return last, done, nil
}
