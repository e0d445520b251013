package chain

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"

	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
	reputationtypes "github.com/h3lix/h3lix/x/reputation/types"
)

// ErrNotFound is returned by the queries when the chain has no such record.
var ErrNotFound = errors.New("not found on chain")

func notFound(err error, what string) error {
	if status.Code(err) == codes.NotFound {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// RoundStatus is the round in progress and the phase a transaction sent now
// would land in.
type RoundStatus struct {
	Round  Round
	Phase  Phase
	Height int64
}

// CurrentRound reads the round in progress.
func (c *Client) CurrentRound(ctx context.Context) (RoundStatus, error) {
	res, err := ccftypes.NewQueryClient(c.conn).CurrentRound(ctx, &ccftypes.QueryCurrentRoundRequest{})
	if err != nil {
		return RoundStatus{}, fmt.Errorf("current round: %w", err)
	}
	return RoundStatus{Round: res.Round, Phase: res.Phase, Height: res.Height}, nil
}

// Round reads a round by id; finalized tells whether its field exists.
func (c *Client) Round(ctx context.Context, id uint64) (r Round, finalized bool, err error) {
	res, err := ccftypes.NewQueryClient(c.conn).Round(ctx, &ccftypes.QueryRoundRequest{Id: id})
	if err != nil {
		return Round{}, false, notFound(err, fmt.Sprintf("round %d", id))
	}
	return res.Round, res.Finalized, nil
}

// Field reads the field of a finalized round.
func (c *Client) Field(ctx context.Context, round uint64) (Field, error) {
	res, err := ccftypes.NewQueryClient(c.conn).Field(ctx, &ccftypes.QueryFieldRequest{Round: round})
	if err != nil {
		return Field{}, notFound(err, fmt.Sprintf("field of round %d", round))
	}
	return res.Field, nil
}

// CCFParams reads the ccf module parameters (round lengths, field size).
func (c *Client) CCFParams(ctx context.Context) (ccftypes.Params, error) {
	res, err := ccftypes.NewQueryClient(c.conn).Params(ctx, &ccftypes.QueryParamsRequest{})
	if err != nil {
		return ccftypes.Params{}, fmt.Errorf("ccf params: %w", err)
	}
	return res.Params, nil
}

// ArtifactParams reads the artifact module parameters (payload cap,
// embedding size, commits per node).
func (c *Client) ArtifactParams(ctx context.Context) (ArtifactParams, error) {
	res, err := artifacttypes.NewQueryClient(c.conn).Params(ctx, &artifacttypes.QueryParamsRequest{})
	if err != nil {
		return ArtifactParams{}, fmt.Errorf("artifact params: %w", err)
	}
	return res.Params, nil
}

// Artifact reads one artifact record.
func (c *Client) Artifact(ctx context.Context, id uint64) (Artifact, error) {
	res, err := artifacttypes.NewQueryClient(c.conn).Artifact(ctx, &artifacttypes.QueryArtifactRequest{Id: id})
	if err != nil {
		return Artifact{}, notFound(err, fmt.Sprintf("artifact %d", id))
	}
	return res.Artifact, nil
}

// RevealedBefore reports whether a CID was revealed in a round before
// round: the chain refuses to reveal it again (ErrCIDReplay), so a worker
// must not commit it. The chain keeps records for retain_rounds rounds.
func (c *Client) RevealedBefore(ctx context.Context, cidStr string, round uint64) (bool, error) {
	res, err := artifacttypes.NewQueryClient(c.conn).ArtifactsByCID(ctx, &artifacttypes.QueryArtifactsByCIDRequest{
		Cid: cidStr, Pagination: &query.PageRequest{Limit: 1},
	})
	if err != nil {
		return false, fmt.Errorf("looking up CID %s: %w", cidStr, err)
	}
	return len(res.Artifacts) > 0 && res.Artifacts[0].Round < round, nil
}

// ArtifactsOf lists a producer's artifacts in a round (newest rounds last).
func (c *Client) ArtifactsOf(ctx context.Context, producer string, round uint64) ([]Artifact, error) {
	var out []Artifact
	var key []byte
	for {
		res, err := artifacttypes.NewQueryClient(c.conn).ArtifactsByNode(ctx, &artifacttypes.QueryArtifactsByNodeRequest{
			Producer: producer, Pagination: &query.PageRequest{Key: key, Limit: 200},
		})
		if err != nil {
			return nil, fmt.Errorf("artifacts of %s: %w", producer, err)
		}
		for _, a := range res.Artifacts {
			if a.Round == round {
				out = append(out, a)
			}
		}
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			return out, nil
		}
		key = res.Pagination.NextKey
	}
}

// Assignments lists the artifacts a verifier must attest in a round.
func (c *Client) Assignments(ctx context.Context, round uint64, verifier string) ([]uint64, error) {
	var out []uint64
	var key []byte
	for {
		res, err := artifacttypes.NewQueryClient(c.conn).Assignments(ctx, &artifacttypes.QueryAssignmentsRequest{
			Round: round, Verifier: verifier, Pagination: &query.PageRequest{Key: key, Limit: 200},
		})
		if err != nil {
			return nil, fmt.Errorf("assignments of %s in round %d: %w", verifier, round, err)
		}
		out = append(out, res.ArtifactIds...)
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			return out, nil
		}
		key = res.Pagination.NextKey
	}
}

// Attestations lists the attestations of an artifact.
func (c *Client) Attestations(ctx context.Context, artifactID uint64) ([]artifacttypes.Attestation, error) {
	res, err := artifacttypes.NewQueryClient(c.conn).Attestations(ctx, &artifacttypes.QueryAttestationsRequest{ArtifactId: artifactID})
	if err != nil {
		return nil, fmt.Errorf("attestations of %d: %w", artifactID, err)
	}
	return res.Attestations, nil
}

// Node reads the node an operator registered.
func (c *Client) Node(ctx context.Context, operator string) (Node, error) {
	res, err := identitytypes.NewQueryClient(c.conn).Node(ctx, &identitytypes.QueryNodeRequest{Operator: operator})
	if err != nil {
		return Node{}, notFound(err, "node of "+operator)
	}
	return res.Node, nil
}

// ActiveNodes lists every active node (all roles), following pagination.
func (c *Client) ActiveNodes(ctx context.Context) ([]Node, error) {
	var out []Node
	var key []byte
	for {
		res, err := identitytypes.NewQueryClient(c.conn).Nodes(ctx, &identitytypes.QueryNodesRequest{
			Status: identitytypes.NODE_STATUS_ACTIVE, Pagination: &query.PageRequest{Key: key, Limit: 200},
		})
		if err != nil {
			return nil, fmt.Errorf("nodes: %w", err)
		}
		out = append(out, res.Nodes...)
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			return out, nil
		}
		key = res.Pagination.NextKey
	}
}

// Score reads an operator's reputation; a node with no outcome yet is
// ErrNotFound.
func (c *Client) Score(ctx context.Context, operator string) (Reputation, error) {
	res, err := reputationtypes.NewQueryClient(c.conn).Score(ctx, &reputationtypes.QueryScoreRequest{Operator: operator})
	if err != nil {
		return Reputation{}, notFound(err, "reputation of "+operator)
	}
	return res.Reputation, nil
}
