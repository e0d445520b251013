// Package beacon is the ABCI++ side of the validators' seed beacon
// (ADR-004): each validator's vote extension carries a commitment to, then
// the reveal of, a secret of its own; the next proposer injects the signed
// extensions into its block; ProcessProposal refuses a block that leaves
// them out or forges them; PreBlock hands the checked shares to the ccf
// keeper, which stores the commitments and draws the seed.
package beacon

import (
	"bytes"
	"errors"
	"fmt"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/baseapp"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/ccf/keeper"
	"github.com/h3lix/h3lix/x/ccf/types"
)

// txPrefix marks the injected extensions. An SDK transaction (a TxRaw) never
// starts with a zero byte, because protobuf field number 0 is invalid, so
// the two cannot be confused.
var txPrefix = []byte("\x00h3lix/beacon/v1\x00")

// ErrBeaconTx is what the transaction decoder says about injected beacon
// bytes: they carry vote extensions, not a transaction.
var ErrBeaconTx = errors.New("validators' seed beacon injected by the proposer (vote extensions), not a transaction")

// IsTx reports whether b is an injected beacon.
func IsTx(b []byte) bool { return bytes.HasPrefix(b, txPrefix) }

// EncodeTx wraps the extended commit for a block.
func EncodeTx(c abci.ExtendedCommitInfo) ([]byte, error) {
	bz, err := c.Marshal()
	if err != nil {
		return nil, err
	}
	return append(append([]byte{}, txPrefix...), bz...), nil
}

// DecodeTx unwraps injected beacon bytes.
func DecodeTx(b []byte) (abci.ExtendedCommitInfo, error) {
	var c abci.ExtendedCommitInfo
	if !IsTx(b) {
		return c, fmt.Errorf("not a beacon: missing the %q prefix", txPrefix)
	}
	if err := c.Unmarshal(b[len(txPrefix):]); err != nil {
		return c, fmt.Errorf("beacon: %w", err)
	}
	return c, nil
}

// WrapTxDecoder makes the chain's transaction decoder name injected beacon
// bytes instead of failing on them as garbage: the block's first "tx" then
// reads as ErrBeaconTx in its result, and CheckTx refuses such bytes from
// users with the same message.
func WrapTxDecoder(dec sdk.TxDecoder) sdk.TxDecoder {
	return func(b []byte) (sdk.Tx, error) {
		if IsTx(b) {
			return nil, ErrBeaconTx
		}
		return dec(b)
	}
}

// Handler holds what the ABCI++ methods need.
type Handler struct {
	keeper  keeper.Keeper
	vals    baseapp.ValidatorStore
	secrets *Secrets
	logger  log.Logger
}

// NewHandler builds the handler. secrets is this node's secret source; it is
// only used when the node votes as a validator.
func NewHandler(k keeper.Keeper, vals baseapp.ValidatorStore, secrets *Secrets, logger log.Logger) *Handler {
	return &Handler{keeper: k, vals: vals, secrets: secrets, logger: logger.With("module", "x/ccf/beacon")}
}

// ExtendVote adds this validator's share when the beacon is due on the block
// it votes for: a commitment at the start of a round, the secret at the
// start of its attest phase; an empty extension otherwise.
func (h *Handler) ExtendVote() sdk.ExtendVoteHandler {
	return func(ctx sdk.Context, req *abci.RequestExtendVote) (*abci.ResponseExtendVote, error) {
		stage, round, err := h.keeper.BeaconDuty(ctx, req.Height)
		if err != nil || stage == keeper.BeaconNone {
			return &abci.ResponseExtendVote{VoteExtension: []byte{}}, err
		}
		secret, err := h.secrets.Secret(ctx.ChainID(), round)
		if err != nil {
			return nil, err
		}
		share := types.SeedShare{Round: round}
		if stage == keeper.BeaconCommit {
			share.Commitment = types.CommitToSecret(ctx.ChainID(), round, secret)
		} else {
			share.Reveal = secret
		}
		bz, err := share.Marshal()
		if err != nil {
			return nil, err
		}
		return &abci.ResponseExtendVote{VoteExtension: bz}, nil
	}
}

// VerifyVoteExtension accepts an empty extension or a well-formed share. It
// checks the shape only: whether a share opens its commitment is judged
// when the block is executed, so a disagreement about state can never make
// validators refuse each other's votes.
func (h *Handler) VerifyVoteExtension() sdk.VerifyVoteExtensionHandler {
	return func(_ sdk.Context, req *abci.RequestVerifyVoteExtension) (*abci.ResponseVerifyVoteExtension, error) {
		if _, err := parseExtension(req.VoteExtension); err != nil {
			h.logger.Info("rejecting vote extension", "height", req.Height, "validator", fmt.Sprintf("%X", req.ValidatorAddress), "err", err)
			return &abci.ResponseVerifyVoteExtension{Status: abci.ResponseVerifyVoteExtension_REJECT}, nil
		}
		return &abci.ResponseVerifyVoteExtension{Status: abci.ResponseVerifyVoteExtension_ACCEPT}, nil
	}
}

// parseExtension decodes a vote extension: nil for an empty one.
func parseExtension(ext []byte) (*types.SeedShare, error) {
	if len(ext) == 0 {
		return nil, nil
	}
	if len(ext) > types.MaxSeedShareBytes {
		return nil, fmt.Errorf("vote extension is %d bytes, at most %d", len(ext), types.MaxSeedShareBytes)
	}
	var s types.SeedShare
	if err := s.Unmarshal(ext); err != nil {
		return nil, fmt.Errorf("vote extension: %w", err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// due reports whether block height must carry the beacon, on the state
// after height-1.
func (h *Handler) due(ctx sdk.Context, height int64) (keeper.BeaconStage, error) {
	if !keeper.VoteExtensionsEnabled(ctx, height-1) {
		return keeper.BeaconNone, nil
	}
	stage, _, err := h.keeper.BeaconDuty(ctx, height-1)
	return stage, err
}

// PrepareProposal puts the extended commit first in the block when the
// beacon is due, and lets next fill the rest of the space.
func (h *Handler) PrepareProposal(next sdk.PrepareProposalHandler) sdk.PrepareProposalHandler {
	return func(ctx sdk.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
		stage, err := h.due(ctx, req.Height)
		if err != nil {
			return nil, err
		}
		if stage == keeper.BeaconNone {
			return next(ctx, req)
		}
		bz, err := EncodeTx(req.LocalLastCommit)
		if err != nil {
			return nil, err
		}
		inner := *req
		inner.MaxTxBytes -= int64(len(bz))
		resp, err := next(ctx, &inner)
		if err != nil {
			return nil, err
		}
		resp.Txs = append([][]byte{bz}, resp.Txs...)
		return resp, nil
	}
}

// ProcessProposal refuses a block that leaves out a due beacon, carries one
// that is not due or not first, or carries one whose extensions do not match
// its last commit or are not signed by their validators.
func (h *Handler) ProcessProposal(next sdk.ProcessProposalHandler) sdk.ProcessProposalHandler {
	reject := &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_REJECT}
	return func(ctx sdk.Context, req *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
		stage, err := h.due(ctx, req.Height)
		if err != nil {
			return nil, err
		}
		txs := req.Txs
		if stage != keeper.BeaconNone {
			if len(txs) == 0 {
				h.logger.Info("rejecting proposal without the due seed beacon", "height", req.Height)
				return reject, nil
			}
			if _, err := h.checkedVotes(ctx, txs[0]); err != nil {
				h.logger.Info("rejecting proposal with a bad seed beacon", "height", req.Height, "err", err)
				return reject, nil
			}
			txs = txs[1:]
		}
		for _, tx := range txs {
			if IsTx(tx) {
				h.logger.Info("rejecting proposal with a seed beacon that is not due or not first", "height", req.Height)
				return reject, nil
			}
		}
		inner := *req
		inner.Txs = txs
		return next(ctx, &inner)
	}
}

// checkedVotes decodes a beacon, checks it against the block's last commit
// and the validators' signatures, and returns the shares of the votes that
// committed to the block.
func (h *Handler) checkedVotes(ctx sdk.Context, tx []byte) ([]keeper.BeaconVote, error) {
	ec, err := DecodeTx(tx)
	if err != nil {
		return nil, err
	}
	lc := ctx.CometInfo().GetLastCommit()
	if lc == nil {
		return nil, errors.New("no last commit to check the beacon against")
	}
	if err := baseapp.ValidateVoteExtensions(ctx, h.vals, 0, "", ec); err != nil {
		return nil, err
	}
	// ValidateVoteExtensions matches addresses and powers; the flags must
	// match too, or a proposer could hide a vote's share by calling it absent.
	var votes []keeper.BeaconVote
	for i, v := range ec.Votes {
		if got, want := v.BlockIdFlag, cmtproto.BlockIDFlag(lc.Votes().Get(i).GetBlockIDFlag()); got != want {
			return nil, fmt.Errorf("vote %d of %X: flag %v, last commit says %v", i, v.Validator.Address, got, want)
		}
		if v.BlockIdFlag != cmtproto.BlockIDFlagCommit {
			continue
		}
		share, err := parseExtension(v.VoteExtension)
		if err != nil {
			return nil, fmt.Errorf("vote of %X: %w", v.Validator.Address, err)
		}
		if share != nil {
			votes = append(votes, keeper.BeaconVote{Validator: v.Validator.Address, Share: *share})
		}
	}
	return votes, nil
}

// PreBlock hands the due beacon's shares to the keeper before any
// transaction of the block runs. ProcessProposal has refused blocks with a
// bad beacon, so a bad one here means more than a third of the power is
// faulty; the chain then goes on without it (the seed falls back to the
// block hash) rather than halting.
func (h *Handler) PreBlock(ctx sdk.Context, req *abci.RequestFinalizeBlock) error {
	stage, round, err := h.keeper.BeaconDuty(ctx, req.Height-1)
	if err != nil || stage == keeper.BeaconNone {
		return err
	}
	var votes []keeper.BeaconVote
	if keeper.VoteExtensionsEnabled(ctx, req.Height-1) && len(req.Txs) > 0 {
		votes, err = h.checkedVotes(ctx, req.Txs[0])
		if err != nil {
			h.logger.Error("committed block carries no valid seed beacon; going on without it", "height", req.Height, "err", err)
			votes = nil
		}
	}
	switch stage {
	case keeper.BeaconCommit:
		_, err = h.keeper.RecordBeaconCommitments(ctx, round, votes)
		return err
	default:
		return h.keeper.DrawBeaconSeed(ctx, votes)
	}
}
