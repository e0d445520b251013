package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	identitytypes "github.com/h3lix/h3lix/x/identity/types"
	"github.com/h3lix/h3lix/x/reputation/types"
)

type queryServer struct{ k Keeper }

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the reputation Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer { return queryServer{k: k} }

func (q queryServer) Score(ctx context.Context, req *types.QueryScoreRequest) (*types.QueryScoreResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	operator, err := q.k.addressCodec.StringToBytes(req.Operator)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "operator %q: %v", req.Operator, err)
	}
	has, err := q.k.Reputations.Has(ctx, operator)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if !has {
		if _, err := q.k.identityKeeper.GetNode(ctx, operator); errors.Is(err, identitytypes.ErrNodeNotFound) {
			return nil, status.Errorf(codes.NotFound, "%s has no registered node", req.Operator)
		} else if err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
	}
	r, err := q.k.Get(ctx, operator)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryScoreResponse{Reputation: r}, nil
}

func (q queryServer) Leaderboard(ctx context.Context, req *types.QueryLeaderboardRequest) (*types.QueryLeaderboardResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	reps, page, err := query.CollectionPaginate(ctx, q.k.Leaderboard, req.Pagination,
		func(key collections.Pair[uint64, sdk.AccAddress], _ collections.NoValue) (types.Reputation, error) {
			return q.k.Reputations.Get(ctx, key.K2())
		})
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryLeaderboardResponse{Reputations: reps, Pagination: page}, nil
}

func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryParamsResponse{Params: p}, nil
}
