package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/h3lix/h3lix/x/artifact/types"
)

type queryServer struct{ k Keeper }

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the artifact Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer { return queryServer{k: k} }

func grpcErr(err error) error {
	if errors.Is(err, types.ErrArtifactNotFound) {
		return status.Error(codes.NotFound, err.Error())
	}
	return status.Error(codes.Internal, err.Error())
}

func (q queryServer) Artifact(ctx context.Context, req *types.QueryArtifactRequest) (*types.QueryArtifactResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	a, err := q.k.GetArtifact(ctx, req.Id)
	if err != nil {
		return nil, grpcErr(err)
	}
	return &types.QueryArtifactResponse{Artifact: a}, nil
}

func (q queryServer) ArtifactsByRound(ctx context.Context, req *types.QueryArtifactsByRoundRequest) (*types.QueryArtifactsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	as, page, err := query.CollectionPaginate(ctx, q.k.ByRound, req.Pagination,
		func(key collections.Pair[uint64, uint64], _ collections.NoValue) (types.Artifact, error) {
			return q.k.Artifacts.Get(ctx, key.K2())
		}, query.WithCollectionPaginationPairPrefix[uint64, uint64](req.Round))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryArtifactsResponse{Artifacts: as, Pagination: page}, nil
}

func (q queryServer) ArtifactsByNode(ctx context.Context, req *types.QueryArtifactsByNodeRequest) (*types.QueryArtifactsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	producer, err := q.k.addressCodec.StringToBytes(req.Producer)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "producer %q: %v", req.Producer, err)
	}
	as, page, err := query.CollectionPaginate(ctx, q.k.ByProducer, req.Pagination,
		func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (types.Artifact, error) {
			return q.k.Artifacts.Get(ctx, key.K2())
		}, query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](producer))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryArtifactsResponse{Artifacts: as, Pagination: page}, nil
}

func (q queryServer) ArtifactsByCID(ctx context.Context, req *types.QueryArtifactsByCIDRequest) (*types.QueryArtifactsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	params, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	_, canonical, err := types.ParseCID(req.Cid, params.AllowedCidCodecs)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	as, page, err := query.CollectionPaginate(ctx, q.k.ByCID, req.Pagination,
		func(key collections.Pair[string, uint64], _ collections.NoValue) (types.Artifact, error) {
			return q.k.Artifacts.Get(ctx, key.K2())
		}, query.WithCollectionPaginationPairPrefix[string, uint64](canonical))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryArtifactsResponse{Artifacts: as, Pagination: page}, nil
}

func (q queryServer) Attestations(ctx context.Context, req *types.QueryAttestationsRequest) (*types.QueryAttestationsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, err := q.k.GetArtifact(ctx, req.ArtifactId); err != nil {
		return nil, grpcErr(err)
	}
	ats, err := q.k.AttestationsOf(ctx, req.ArtifactId)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryAttestationsResponse{Attestations: ats}, nil
}

// Assignments scans the round's artifacts page by page and keeps those the
// verifier is assigned to; each check costs O(k·log V).
func (q queryServer) Assignments(ctx context.Context, req *types.QueryAssignmentsRequest) (*types.QueryAssignmentsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, err := q.k.addressCodec.StringToBytes(req.Verifier); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "verifier %q: %v", req.Verifier, err)
	}
	_, err := q.k.VerifierSets.Get(ctx, req.Round)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.FailedPrecondition, "round %d has no verifier set yet: assignments are fixed when its attest phase starts", req.Round)
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	ids, page, err := query.CollectionFilteredPaginate(ctx, q.k.ByRound, req.Pagination,
		func(key collections.Pair[uint64, uint64], _ collections.NoValue) (bool, error) {
			a, err := q.k.Artifacts.Get(ctx, key.K2())
			if err != nil || a.Status != types.ARTIFACT_STATUS_REVEALED {
				return false, err
			}
			return q.k.IsAssigned(ctx, a, req.Verifier)
		},
		func(key collections.Pair[uint64, uint64], _ collections.NoValue) (uint64, error) {
			return key.K2(), nil
		},
		query.WithCollectionPaginationPairPrefix[uint64, uint64](req.Round))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryAssignmentsResponse{ArtifactIds: ids, Pagination: page}, nil
}

func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryParamsResponse{Params: p}, nil
}
