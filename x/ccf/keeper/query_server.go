package keeper

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/ccf/types"
)

type queryServer struct{ k Keeper }

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the ccf Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer { return queryServer{k: k} }

func (q queryServer) CurrentRound(ctx context.Context, _ *types.QueryCurrentRoundRequest) (*types.QueryCurrentRoundResponse, error) {
	r, err := q.k.CurrentRound.Get(ctx)
	if isNotFound(err) {
		return nil, status.Error(codes.NotFound, "no round yet: the first round starts after the first block")
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	// A query reads the state after block h; a transaction sent now lands in
	// block h+1 at the earliest, so that is the phase worth reporting.
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	return &types.QueryCurrentRoundResponse{Round: r, Phase: PhaseAt(r, h+1), Height: h}, nil
}

func (q queryServer) Round(ctx context.Context, req *types.QueryRoundRequest) (*types.QueryRoundResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if cur, err := q.k.CurrentRound.Get(ctx); err == nil && cur.Id == req.Id {
		return &types.QueryRoundResponse{Round: cur}, nil
	}
	r, err := q.k.Rounds.Get(ctx, req.Id)
	if isNotFound(err) {
		return nil, status.Errorf(codes.NotFound, "round %d has not started", req.Id)
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryRoundResponse{Round: r, Finalized: true}, nil
}

func (q queryServer) Field(ctx context.Context, req *types.QueryFieldRequest) (*types.QueryFieldResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	f, err := q.k.GetField(ctx, req.Round)
	if errors.Is(err, types.ErrFieldNotFound) {
		return nil, status.Error(codes.NotFound, err.Error())
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryFieldResponse{Field: f}, nil
}

func (q queryServer) LatestField(ctx context.Context, _ *types.QueryLatestFieldRequest) (*types.QueryFieldResponse, error) {
	latest, err := q.k.LatestField.Get(ctx)
	if isNotFound(err) {
		return nil, status.Error(codes.NotFound, "no round has been finalized yet")
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return q.Field(ctx, &types.QueryFieldRequest{Round: latest})
}

func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryParamsResponse{Params: p}, nil
}
