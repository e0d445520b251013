package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/h3lix/h3lix/x/identity/types"
)

type msgServer struct {
	Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the identity Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{Keeper: k}
}

func (k msgServer) operatorAddr(s string) (sdk.AccAddress, error) {
	bz, err := k.addressCodec.StringToBytes(s)
	if err != nil {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "operator %q: %v", s, err)
	}
	return bz, nil
}

// RegisterNode checks every field, then escrows the bond and stores the node.
// All checks come before the first write.
func (k msgServer) RegisterNode(ctx context.Context, msg *types.MsgRegisterNode) (*types.MsgRegisterNodeResponse, error) {
	operator, err := k.operatorAddr(msg.Operator)
	if err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	peerID, err := types.PeerIDFromNodeKey(msg.NodePubkey)
	if err != nil {
		return nil, err
	}
	if msg.PeerId != "" && msg.PeerId != peerID {
		return nil, errorsmod.Wrapf(types.ErrPeerIDMismatch, "given %s, the key gives %s", msg.PeerId, peerID)
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	sdkCtx.GasMeter().ConsumeGas(types.NodeKeyProofGas, "node key proof of possession")
	if err := types.VerifyPoP(sdkCtx.ChainID(), operator, msg.NodePubkey, msg.KeySignature); err != nil {
		return nil, err
	}
	if err := validateDetails(msg.Multiaddrs, peerID, msg.Roles, msg.Engine, msg.GridZone, msg.MetadataUri, msg.AgreementPubkey, params); err != nil {
		return nil, err
	}
	if err := params.CheckBond(msg.Bond); err != nil {
		return nil, err
	}

	existing, err := k.Nodes.Get(ctx, operator)
	switch {
	case err == nil && existing.Status != types.NODE_STATUS_DEREGISTERED:
		return nil, errorsmod.Wrapf(types.ErrNodeExists, "%s already has a %s node (peer %s); use update-node or rotate-node-key", msg.Operator, existing.Status, existing.PeerId)
	case err != nil && !isNotFound(err):
		return nil, err
	}
	owner, taken, err := k.peerIDOwner(ctx, peerID)
	if err != nil {
		return nil, err
	}
	if taken && !owner.Equals(operator) {
		return nil, errorsmod.Wrapf(types.ErrPeerIDTaken, "peer %s belongs to %s", peerID, owner)
	}

	if err := k.bankKeeper.SendCoinsFromAccountToModule(ctx, operator, types.ModuleName, sdk.NewCoins(msg.Bond)); err != nil {
		return nil, errorsmod.Wrapf(err, "escrowing bond %s", msg.Bond)
	}
	node := types.Node{
		Operator:         msg.Operator,
		NodePubkey:       msg.NodePubkey,
		PeerId:           peerID,
		AgreementPubkey:  msg.AgreementPubkey,
		Multiaddrs:       msg.Multiaddrs,
		Roles:            types.CanonicalRoles(msg.Roles),
		Engine:           msg.Engine,
		GridZone:         msg.GridZone,
		MetadataUri:      msg.MetadataUri,
		Bond:             msg.Bond,
		Status:           types.NODE_STATUS_ACTIVE,
		RegisteredHeight: sdkCtx.BlockHeight(),
	}
	if err := k.Nodes.Set(ctx, operator, node); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventNodeRegistered{
		Operator: msg.Operator, PeerId: peerID, Roles: node.Roles, Bond: node.Bond,
	}); err != nil {
		return nil, err
	}
	return &types.MsgRegisterNodeResponse{PeerId: peerID}, nil
}

// UpdateNode replaces the non-empty fields and may add to the bond.
func (k msgServer) UpdateNode(ctx context.Context, msg *types.MsgUpdateNode) (*types.MsgUpdateNodeResponse, error) {
	operator, err := k.operatorAddr(msg.Operator)
	if err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	node, err := k.activeNode(ctx, operator)
	if err != nil {
		return nil, err
	}
	if len(msg.Multiaddrs) > 0 {
		node.Multiaddrs = msg.Multiaddrs
	}
	if len(msg.Roles) > 0 {
		node.Roles = msg.Roles
	}
	if msg.Engine != nil {
		node.Engine = *msg.Engine
	}
	if msg.GridZone != "" {
		node.GridZone = msg.GridZone
	}
	if msg.MetadataUri != "" {
		node.MetadataUri = msg.MetadataUri
	}
	if len(msg.AgreementPubkey) > 0 {
		node.AgreementPubkey = msg.AgreementPubkey
	}
	if err := validateDetails(node.Multiaddrs, node.PeerId, node.Roles, node.Engine, node.GridZone, node.MetadataUri, node.AgreementPubkey, params); err != nil {
		return nil, err
	}
	node.Roles = types.CanonicalRoles(node.Roles)
	if msg.AddBond != nil && !msg.AddBond.IsZero() {
		if err := msg.AddBond.Validate(); err != nil {
			return nil, errorsmod.Wrap(types.ErrInvalidBond, err.Error())
		}
		if msg.AddBond.Denom != node.Bond.Denom {
			return nil, errorsmod.Wrapf(types.ErrInvalidBond, "add_bond must be in %s, got %s", node.Bond.Denom, msg.AddBond.Denom)
		}
		if err := k.bankKeeper.SendCoinsFromAccountToModule(ctx, operator, types.ModuleName, sdk.NewCoins(*msg.AddBond)); err != nil {
			return nil, errorsmod.Wrapf(err, "escrowing additional bond %s", msg.AddBond)
		}
		node.Bond = node.Bond.Add(*msg.AddBond)
	}
	if err := k.Nodes.Set(ctx, operator, node); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventNodeUpdated{Operator: msg.Operator, Bond: node.Bond}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateNodeResponse{}, nil
}

// RotateNodeKey replaces the node key after the new key proves possession.
func (k msgServer) RotateNodeKey(ctx context.Context, msg *types.MsgRotateNodeKey) (*types.MsgRotateNodeKeyResponse, error) {
	operator, err := k.operatorAddr(msg.Operator)
	if err != nil {
		return nil, err
	}
	node, err := k.activeNode(ctx, operator)
	if err != nil {
		return nil, err
	}
	peerID, err := types.PeerIDFromNodeKey(msg.NewNodePubkey)
	if err != nil {
		return nil, err
	}
	if peerID == node.PeerId {
		return nil, errorsmod.Wrap(types.ErrInvalidNodeKey, "the new key is the current key")
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	last := max(node.KeyRotatedHeight, node.RegisteredHeight)
	if next := last + params.KeyRotationIntervalBlocks; sdkCtx.BlockHeight() < next {
		return nil, errorsmod.Wrapf(types.ErrRotationTooSoon, "the key of %s changed at height %d; the next rotation is allowed from height %d (key_rotation_interval_blocks)", msg.Operator, last, next)
	}
	sdkCtx.GasMeter().ConsumeGas(types.NodeKeyProofGas, "node key proof of possession")
	if err := types.VerifyPoP(sdkCtx.ChainID(), operator, msg.NewNodePubkey, msg.KeySignature); err != nil {
		return nil, err
	}
	if owner, taken, err := k.peerIDOwner(ctx, peerID); err != nil {
		return nil, err
	} else if taken {
		return nil, errorsmod.Wrapf(types.ErrPeerIDTaken, "peer %s belongs to %s", peerID, owner)
	}
	// A multiaddr that names the old peer would now be wrong: keep only the others.
	kept := node.Multiaddrs[:0:0]
	for _, a := range node.Multiaddrs {
		if types.ValidateMultiaddrs([]string{a}, peerID, params) == nil {
			kept = append(kept, a)
		}
	}
	old := node.PeerId
	node.NodePubkey, node.PeerId, node.Multiaddrs = msg.NewNodePubkey, peerID, kept
	node.KeyRotatedHeight = sdkCtx.BlockHeight()
	if err := k.Nodes.Set(ctx, operator, node); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventNodeKeyRotated{Operator: msg.Operator, OldPeerId: old, NewPeerId: peerID}); err != nil {
		return nil, err
	}
	return &types.MsgRotateNodeKeyResponse{PeerId: peerID}, nil
}

// DeregisterNode starts unbonding: the bond stays escrowed until the release
// height, when EndBlock returns it.
func (k msgServer) DeregisterNode(ctx context.Context, msg *types.MsgDeregisterNode) (*types.MsgDeregisterNodeResponse, error) {
	operator, err := k.operatorAddr(msg.Operator)
	if err != nil {
		return nil, err
	}
	node, err := k.activeNode(ctx, operator)
	if err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	release := sdkCtx.BlockHeight() + params.UnbondingBlocks
	node.Status = types.NODE_STATUS_UNBONDING
	node.UnbondingReleaseHeight = release
	if err := k.Nodes.Set(ctx, operator, node); err != nil {
		return nil, err
	}
	if err := k.UnbondingQueue.Set(ctx, unbondingKey(release, operator)); err != nil {
		return nil, err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventNodeDeregistered{Operator: msg.Operator, ReleaseHeight: release}); err != nil {
		return nil, err
	}
	return &types.MsgDeregisterNodeResponse{ReleaseHeight: release}, nil
}

// UpdateParams replaces the params; only the authority may do so.
func (k msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if msg.Authority != k.authority {
		return nil, errorsmod.Wrapf(types.ErrInvalidAuthority, "expected %s, got %s", k.authority, msg.Authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	if err := k.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{Params: msg.Params}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}

func (k Keeper) activeNode(ctx context.Context, operator sdk.AccAddress) (types.Node, error) {
	node, err := k.GetNode(ctx, operator)
	if err != nil {
		return node, err
	}
	if node.Status != types.NODE_STATUS_ACTIVE {
		return node, errorsmod.Wrapf(types.ErrNodeNotActive, "node of %s is %s", operator, node.Status)
	}
	return node, nil
}

func validateDetails(addrs []string, peerID string, roles []types.Role, engine types.EngineDescriptor, zone, uri string, agreement []byte, p types.Params) error {
	if err := types.ValidateMultiaddrs(addrs, peerID, p); err != nil {
		return err
	}
	if err := types.ValidateRoles(roles); err != nil {
		return err
	}
	if err := types.ValidateEngine(engine, p); err != nil {
		return err
	}
	if err := types.ValidateGridZone(zone); err != nil {
		return err
	}
	if err := types.ValidateMetadataURI(uri, p); err != nil {
		return err
	}
	return types.ValidateAgreementKey(agreement)
}
