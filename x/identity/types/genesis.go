package types

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultGenesis has the default params and no nodes.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams()}
}

// Validate checks the genesis state on its own: valid params, every node
// record well formed, operators unique, and each peer id held (ACTIVE or
// UNBONDING) by at most one node; released records may share it.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	operators := make(map[string]struct{}, len(gs.Nodes))
	peers := make(map[string]struct{}, len(gs.Nodes))
	for i, n := range gs.Nodes {
		if err := ValidateNodeRecord(n, gs.Params); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "node %d (%s): %v", i, n.Operator, err)
		}
		if _, dup := operators[n.Operator]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "operator %s listed twice", n.Operator)
		}
		operators[n.Operator] = struct{}{}
		if n.Status != NODE_STATUS_ACTIVE && n.Status != NODE_STATUS_UNBONDING {
			continue
		}
		if _, dup := peers[n.PeerId]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "peer id %s held by two nodes", n.PeerId)
		}
		peers[n.PeerId] = struct{}{}
	}
	return nil
}

// ValidateNodeRecord checks a stored node record is consistent. It is used for
// genesis; messages are checked field by field in the msg server.
func ValidateNodeRecord(n Node, p Params) error {
	if _, err := sdk.AccAddressFromBech32(n.Operator); err != nil {
		return errorsmod.Wrapf(ErrInvalidGenesis, "operator: %v", err)
	}
	peerID, err := PeerIDFromNodeKey(n.NodePubkey)
	if err != nil {
		return err
	}
	if peerID != n.PeerId {
		return errorsmod.Wrapf(ErrPeerIDMismatch, "stored %s, key gives %s", n.PeerId, peerID)
	}
	if err := ValidateAgreementKey(n.AgreementPubkey); err != nil {
		return err
	}
	if err := ValidateMultiaddrs(n.Multiaddrs, n.PeerId, p); err != nil {
		return err
	}
	if err := ValidateRoles(n.Roles); err != nil {
		return err
	}
	if err := ValidateEngine(n.Engine, p); err != nil {
		return err
	}
	if err := ValidateGridZone(n.GridZone); err != nil {
		return err
	}
	if err := ValidateMetadataURI(n.MetadataUri, p); err != nil {
		return err
	}
	if err := n.Bond.Validate(); err != nil {
		return errorsmod.Wrap(ErrInvalidBond, err.Error())
	}
	switch n.Status {
	case NODE_STATUS_ACTIVE, NODE_STATUS_DEREGISTERED:
		if n.UnbondingReleaseHeight != 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s node has a release height", n.Status)
		}
	case NODE_STATUS_UNBONDING:
		if n.UnbondingReleaseHeight <= 0 {
			return errorsmod.Wrap(ErrInvalidGenesis, "unbonding node without a release height")
		}
	default:
		return errorsmod.Wrapf(ErrInvalidGenesis, "unknown status %d", int32(n.Status))
	}
	if n.Status == NODE_STATUS_DEREGISTERED && !n.Bond.IsZero() {
		return errorsmod.Wrap(ErrInvalidGenesis, "deregistered node still holds a bond")
	}
	return nil
}
