package keeper

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/h3lix/h3lix/x/identity/types"
)

type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the identity Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{k: k}
}

func (q queryServer) Node(ctx context.Context, req *types.QueryNodeRequest) (*types.QueryNodeResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	operator, err := q.k.addressCodec.StringToBytes(req.Operator)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "operator %q: %v", req.Operator, err)
	}
	n, err := q.k.Nodes.Get(ctx, operator)
	if isNotFound(err) {
		return nil, status.Errorf(codes.NotFound, "no node registered by %s", req.Operator)
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryNodeResponse{Node: n}, nil
}

func (q queryServer) Nodes(ctx context.Context, req *types.QueryNodesRequest) (*types.QueryNodesResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, ok := types.Role_name[int32(req.Role)]; !ok {
		return nil, status.Errorf(codes.InvalidArgument, "unknown role %d", req.Role)
	}
	if _, ok := types.NodeStatus_name[int32(req.Status)]; !ok {
		return nil, status.Errorf(codes.InvalidArgument, "unknown status %d", req.Status)
	}
	nodes, page, err := query.CollectionFilteredPaginate(ctx, q.k.Nodes, req.Pagination,
		func(_ sdk.AccAddress, n types.Node) (bool, error) {
			if req.Role != types.ROLE_UNSPECIFIED && !types.HasRole(n.Roles, req.Role) {
				return false, nil
			}
			return req.Status == types.NODE_STATUS_UNSPECIFIED || n.Status == req.Status, nil
		},
		func(_ sdk.AccAddress, n types.Node) (types.Node, error) { return n, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryNodesResponse{Nodes: nodes, Pagination: page}, nil
}

func (q queryServer) NodeByPeerID(ctx context.Context, req *types.QueryNodeByPeerIDRequest) (*types.QueryNodeByPeerIDResponse, error) {
	if req == nil || req.PeerId == "" {
		return nil, status.Error(codes.InvalidArgument, "peer_id is required")
	}
	operator, found, err := q.k.peerIDOwner(ctx, req.PeerId)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if !found {
		return nil, status.Errorf(codes.NotFound, "no node with peer id %s", req.PeerId)
	}
	n, err := q.k.Nodes.Get(ctx, operator)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryNodeByPeerIDResponse{Node: n}, nil
}

func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryParamsResponse{Params: p}, nil
}
