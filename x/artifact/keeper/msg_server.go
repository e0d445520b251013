package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/h3lix/h3lix/x/artifact/types"
)

type msgServer struct{ Keeper }

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the artifact Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer { return msgServer{Keeper: k} }

func (k msgServer) addr(field, s string) (sdk.AccAddress, error) {
	bz, err := k.addressCodec.StringToBytes(s)
	if err != nil {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "%s %q: %v", field, s, err)
	}
	return bz, nil
}

func (k msgServer) CommitArtifact(ctx context.Context, msg *types.MsgCommitArtifact) (*types.MsgCommitArtifactResponse, error) {
	producer, err := k.addr("producer", msg.Producer)
	if err != nil {
		return nil, err
	}
	id, err := k.Commit(ctx, producer, msg.Round, msg.Commitment)
	if err != nil {
		return nil, err
	}
	return &types.MsgCommitArtifactResponse{ArtifactId: id}, nil
}

func (k msgServer) RevealArtifact(ctx context.Context, msg *types.MsgRevealArtifact) (*types.MsgRevealArtifactResponse, error) {
	producer, err := k.addr("producer", msg.Producer)
	if err != nil {
		return nil, err
	}
	status, err := k.Reveal(ctx, producer, msg.ArtifactId, msg.Cid, msg.Salt, msg.Manifest)
	if err != nil {
		return nil, err
	}
	return &types.MsgRevealArtifactResponse{Status: status}, nil
}

func (k msgServer) Attest(ctx context.Context, msg *types.MsgAttest) (*types.MsgAttestResponse, error) {
	verifier, err := k.addr("verifier", msg.Verifier)
	if err != nil {
		return nil, err
	}
	if err := k.Keeper.Attest(ctx, verifier, msg.Attestations); err != nil {
		return nil, err
	}
	return &types.MsgAttestResponse{}, nil
}

func (k msgServer) Disclose(ctx context.Context, msg *types.MsgDisclose) (*types.MsgDiscloseResponse, error) {
	verifier, err := k.addr("verifier", msg.Verifier)
	if err != nil {
		return nil, err
	}
	if err := k.Keeper.Disclose(ctx, verifier, msg.Disclosures); err != nil {
		return nil, err
	}
	return &types.MsgDiscloseResponse{}, nil
}

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
