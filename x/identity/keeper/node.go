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

// ActiveNodeWithRole returns the operator's node when it is ACTIVE, holds
// role and still has at least min_bond at stake; other modules use it to gate
// round messages. A node slashed below the minimum must top its bond up
// before it acts again, so that every act has a bond behind it.
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
	params, err := k.Params.Get(ctx)
	if err != nil {
		return n, err
	}
	if n.Bond.Amount.LT(params.MinBond.Amount) {
		return n, errorsmod.Wrapf(types.ErrBondTooLow, "node of %s has %s at stake, below the minimum %s (it was slashed): add bond with 'h3lixd tx identity update-node --add-bond'", operator, n.Bond, params.MinBond)
	}
	return n, nil
}

// peerIDOwner returns the operator holding a peer id, if any: the one
// whose node carrying it is ACTIVE or UNBONDING. Released (DEREGISTERED)
// records keep their history but no longer hold the key. Records carrying
// one peer id are few (each released holder, plus one), so the walk is short.
func (k Keeper) peerIDOwner(ctx context.Context, peerID string) (sdk.AccAddress, bool, error) {
	it, err := k.Nodes.Indexes.PeerID.MatchExact(ctx, peerID)
	if err != nil {
		return nil, false, err
	}
	ops, err := it.PrimaryKeys()
	if err != nil {
		return nil, false, err
	}
	for _, op := range ops {
		n, err := k.Nodes.Get(ctx, op)
		if err != nil {
			return nil, false, err
		}
		if n.Status == types.NODE_STATUS_ACTIVE || n.Status == types.NODE_STATUS_UNBONDING {
			return op, true, nil
		}
	}
	return nil, false, nil
}

func verifying(n types.Node) uint32 {
	if n.Status == types.NODE_STATUS_ACTIVE && types.HasRole(n.Roles, types.ROLE_VERIFIER) {
		return 1
	}
	return 0
}

// WalkActiveVerifiers visits at most limit ACTIVE nodes holding the
// verifier role, in operator-address order, starting after the operator
// after (nil: from the first), and calls fn for those with at least min_bond
// at stake (a node slashed below it may not attest, so it is not drawn). It
// returns the last operator visited and whether no active verifier is left
// after it. It reads only the index of active verifiers and their records,
// so its cost is O(limit) whatever the number of nodes ever registered.
func (k Keeper) WalkActiveVerifiers(ctx context.Context, after sdk.AccAddress, limit uint32, fn func(operator sdk.AccAddress) error) (sdk.AccAddress, bool, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, false, err
	}
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
		n, err := k.Nodes.Get(ctx, op)
		if err != nil {
			return nil, false, err
		}
		if n.Bond.Amount.LT(params.MinBond.Amount) {
			continue
		}
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
