package keeper

import (
	"context"
	"crypto/sha256"
	"encoding/binary"

	"cosmossdk.io/collections"
	storetypes "cosmossdk.io/core/store"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	"github.com/h3lix/h3lix/x/ccf/types"
)

// PhaseAt is the phase of round r at height h.
func PhaseAt(r types.Round, h int64) types.Phase {
	switch {
	case h < r.StartHeight:
		return types.PHASE_UNSPECIFIED
	case h < r.RevealStart:
		return types.PHASE_COMMIT
	case h < r.AttestStart:
		return types.PHASE_REVEAL
	case h < r.DiscloseStart:
		return types.PHASE_ATTEST
	case h < r.FinalizeStart:
		return types.PHASE_DISCLOSE
	default:
		return types.PHASE_FINALIZING
	}
}

// newRound lays out round id starting at start with the current params.
func newRound(id uint64, start int64, p types.Params) types.Round {
	r := types.Round{
		Id:                   id,
		StartHeight:          start,
		RevealStart:          start + p.CommitBlocks,
		VerifiersPerArtifact: p.VerifiersPerArtifact,
	}
	r.AttestStart = r.RevealStart + p.RevealBlocks
	r.DiscloseStart = r.AttestStart + p.AttestBlocks
	r.FinalizeStart = r.DiscloseStart + p.DiscloseBlocks
	return r
}

// Seed is SHA-256(domain || round || block hash), the fallback seed when the
// validators' beacon is not available (see DrawBeaconSeed).
func Seed(round uint64, blockHash []byte) []byte {
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], round)
	h := sha256.New()
	h.Write([]byte(types.SeedDomain))
	h.Write(id[:])
	h.Write(blockHash)
	return h.Sum(nil)
}

// RoundReader gives x/artifact read access to the round in progress without
// a keeper cycle: it reads the same store item the ccf keeper writes.
type RoundReader struct {
	round collections.Item[types.Round]
}

// NewRoundReader builds a reader over the ccf store.
func NewRoundReader(cdc codec.BinaryCodec, storeService storetypes.KVStoreService) RoundReader {
	sb := collections.NewSchemaBuilder(storeService)
	r := RoundReader{round: collections.NewItem(sb, types.CurrentRoundKey, "current_round", codec.CollValue[types.Round](cdc))}
	if _, err := sb.Build(); err != nil {
		panic(err)
	}
	return r
}

// RoundInfo implements artifacttypes.RoundSource.
func (rr RoundReader) RoundInfo(ctx context.Context) (artifacttypes.RoundInfo, error) {
	r, err := rr.round.Get(ctx)
	if isNotFound(err) {
		return artifacttypes.RoundInfo{Phase: artifacttypes.PhaseNone}, nil
	}
	if err != nil {
		return artifacttypes.RoundInfo{}, err
	}
	return artifacttypes.RoundInfo{
		ID:            r.Id,
		Phase:         artifacttypes.Phase(PhaseAt(r, DeliveryHeight(sdk.UnwrapSDKContext(ctx)))),
		Start:         r.StartHeight,
		RevealStart:   r.RevealStart,
		AttestStart:   r.AttestStart,
		DiscloseStart: r.DiscloseStart,
		FinalizeStart: r.FinalizeStart,
		Seed:          r.Seed,
	}, nil
}

// DeliveryHeight is the height a message checked in ctx is (or would be)
// executed at. CheckTx, ReCheckTx and simulation run on the state of the last
// committed block h, but the transaction can only land in block h+1: judging
// the phase at h+1 keeps the mempool and --gas auto in line with delivery.
func DeliveryHeight(ctx sdk.Context) int64 {
	switch ctx.ExecMode() {
	case sdk.ExecModeCheck, sdk.ExecModeReCheck, sdk.ExecModeSimulate:
		return ctx.BlockHeight() + 1
	default:
		return ctx.BlockHeight()
	}
}

// EndBlocker advances the schedule: it starts the first round, freezes the
// verifier set at the end of the reveal phase, finalizes (a batch per block)
// once the attest phase is over, starts the next round, and prunes old
// artifact records. Each step is bounded by a per-block cap.
func (k Keeper) EndBlocker(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	h := sdkCtx.BlockHeight()
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	r, err := k.CurrentRound.Get(ctx)
	if isNotFound(err) {
		return k.startRound(sdkCtx, 1, h+1, params)
	}
	if err != nil {
		return err
	}
	// The verifier set is built a batch per block from the end of the commit
	// phase, and the seed is drawn at the end of the reveal phase. If the set
	// is not complete by then (more than max_finalize_per_block × (reveal
	// blocks + 1) verifiers), the reveal phase is extended a block at a time,
	// so that the attest phase always has its full length.
	//
	// Once the set is complete, the seed comes from the validators' beacon
	// (beacon.go) when vote extensions are on and validators committed at
	// the start of the round; it is drawn at the start of block
	// AttestStart+1. Otherwise it is drawn here from this block's hash,
	// which this block's proposer can bias (ADR-004).
	if h >= r.RevealStart-1 && r.Seed == nil && r.SeedSource == types.SEED_SOURCE_UNSPECIFIED {
		complete, err := k.artifacts.FreezeStep(ctx, r.Id, r.VerifiersPerArtifact, params.MaxFinalizePerBlock)
		if err != nil {
			return err
		}
		if h == r.AttestStart-1 {
			switch {
			case !complete:
				r.AttestStart++
				r.DiscloseStart++
				r.FinalizeStart++
			default:
				committed, err := k.beaconCommitted(ctx, r.Id)
				if err != nil {
					return err
				}
				if committed && VoteExtensionsEnabled(sdkCtx, r.AttestStart) {
					r.SeedSource = types.SEED_SOURCE_VALIDATOR_BEACON
					r.DiscloseStart += beaconLagBlocks
					r.FinalizeStart += beaconLagBlocks
					break
				}
				n, err := k.clearBeacon(ctx, r.Id)
				if err != nil {
					return err
				}
				if err := k.setSeed(sdkCtx, &r, Seed(r.Id, sdkCtx.HeaderHash()), types.SEED_SOURCE_BLOCK_HASH, 0, n); err != nil {
					return err
				}
			}
			if err := k.CurrentRound.Set(ctx, r); err != nil {
				return err
			}
		}
	}
	if h >= r.FinalizeStart-1 {
		done, err := k.finalizeStep(sdkCtx, &r, params)
		if err != nil {
			return err
		}
		if err := k.CurrentRound.Set(ctx, r); err != nil {
			return err
		}
		if done {
			if err := k.Rounds.Set(ctx, r.Id, r); err != nil {
				return err
			}
			if err := k.startRound(sdkCtx, r.Id+1, h+1, params); err != nil {
				return err
			}
		}
	}
	return k.pruneStep(ctx, r.Id, params)
}

func (k Keeper) startRound(ctx sdk.Context, id uint64, start int64, p types.Params) error {
	r := newRound(id, start, p)
	if err := k.CurrentRound.Set(ctx, r); err != nil {
		return err
	}
	return ctx.EventManager().EmitTypedEvent(&types.EventRoundStarted{
		Round: r.Id, StartHeight: r.StartHeight, RevealStart: r.RevealStart, AttestStart: r.AttestStart, DiscloseStart: r.DiscloseStart, FinalizeStart: r.FinalizeStart,
	})
}

// pruneStep deletes artifact records of rounds older than retain_rounds,
// oldest round first, then fields older than retain_fields, all within
// max_prune_per_block records per block.
func (k Keeper) pruneStep(ctx context.Context, current uint64, p types.Params) error {
	next, err := k.PruneRound.Get(ctx)
	if isNotFound(err) {
		next = 1
	} else if err != nil {
		return err
	}
	budget := p.MaxPrunePerBlock
	if next+p.RetainRounds < current {
		deleted, done, err := k.artifacts.PruneRound(ctx, next, budget)
		if err != nil {
			return err
		}
		budget -= min(deleted, budget)
		if done {
			if err := k.PruneRound.Set(ctx, next+1); err != nil {
				return err
			}
		}
	}
	return k.pruneFields(ctx, current, p, budget)
}

// pruneFields deletes the fields and round records of rounds older than
// retain_fields, oldest first, at most limit per block. The latest field is
// never pruned: the next round's EMA starts from it.
func (k Keeper) pruneFields(ctx context.Context, current uint64, p types.Params, limit uint32) error {
	if p.RetainFields == 0 || limit == 0 {
		return nil
	}
	next, err := k.FieldPrune.Get(ctx)
	if isNotFound(err) {
		next = 1
	} else if err != nil {
		return err
	}
	latest, err := k.LatestField.Get(ctx)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for ; limit > 0 && next+p.RetainFields < current && next < latest; limit-- {
		if err := k.Fields.Remove(ctx, next); err != nil {
			return err
		}
		if err := k.Rounds.Remove(ctx, next); err != nil {
			return err
		}
		next++
	}
	return k.FieldPrune.Set(ctx, next)
}
