package keeper

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"slices"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/ccf/types"
)

// The validators' beacon (ADR-004, point 3). A block hash cannot seed the
// verifier draw: the proposer of that block knows every artifact and can
// grind its transactions until the draw suits it. Instead every validator
// commits to a secret of its own in the vote extension of the round's first
// block and reveals it in the vote extension of the first attest block,
// after the reveal phase has closed and the verifier set is frozen. The next
// block's proposer carries those extensions into its block, and the seed
// hashes every reveal that opens its commitment. Nobody knows the seed
// before the votes on the first attest block, when nothing that decides the
// draw can change any more.
//
// Residual bias (documented in ADR-004): a validator can withhold its
// reveal after seeing the others' (one bit per validator), and a proposer
// can leave out the votes beyond two thirds of the power. Neither can choose
// a seed; each can pick among a few.

// BeaconStage is what validators' vote extensions on a block carry.
type BeaconStage uint8

const (
	// BeaconNone: an empty extension.
	BeaconNone BeaconStage = iota
	// BeaconCommit: a commitment to the validator's secret for the round.
	BeaconCommit
	// BeaconReveal: the secret.
	BeaconReveal
)

// beaconLagBlocks is how much later the attest phase (and so the disclose
// phase) ends when the seed comes from the beacon: the seed is drawn at the
// start of block AttestStart+1 and known to workers after it, so the phase
// keeps attest_blocks blocks in which attestations can land.
const beaconLagBlocks = 2

// BeaconDuty says what validators' votes on block voteHeight carry, judged on
// the state after block voteHeight-1. ExtendVote asks before voting on
// voteHeight; PrepareProposal, ProcessProposal and PreBlock of block
// voteHeight+1 ask on the state after voteHeight. Both agree because nothing
// in block voteHeight moves the round's start or its attest start: the latter
// is fixed by the end of block AttestStart-1 and the finalize start is pushed
// past the beacon.
func (k Keeper) BeaconDuty(ctx context.Context, voteHeight int64) (BeaconStage, uint64, error) {
	r, err := k.CurrentRound.Get(ctx)
	if isNotFound(err) {
		return BeaconNone, 0, nil
	}
	if err != nil {
		return BeaconNone, 0, err
	}
	switch {
	case r.Seed != nil:
		return BeaconNone, 0, nil
	case voteHeight == r.StartHeight:
		return BeaconCommit, r.Id, nil
	case voteHeight == r.AttestStart && r.SeedSource == types.SEED_SOURCE_VALIDATOR_BEACON:
		return BeaconReveal, r.Id, nil
	}
	return BeaconNone, 0, nil
}

// VoteExtensionsEnabled reports whether votes on block voteHeight carry
// extensions under the consensus params in ctx.
func VoteExtensionsEnabled(ctx sdk.Context, voteHeight int64) bool {
	cp := ctx.ConsensusParams()
	if cp.Abci == nil || cp.Abci.VoteExtensionsEnableHeight == 0 {
		return false
	}
	return voteHeight >= cp.Abci.VoteExtensionsEnableHeight
}

// BeaconVote is one validator's share, taken from a vote extension whose
// signature the caller has checked.
type BeaconVote struct {
	// Validator is the consensus address.
	Validator []byte
	Share     types.SeedShare
}

// RecordBeaconCommitments stores the commitments of round. A validator's
// first commitment for a round stands; malformed shares and shares of another
// round are skipped.
func (k Keeper) RecordBeaconCommitments(ctx context.Context, round uint64, votes []BeaconVote) (int, error) {
	stored := 0
	for _, v := range votes {
		if v.Share.Round != round || len(v.Share.Commitment) != sha256.Size || len(v.Share.Reveal) != 0 || len(v.Validator) == 0 {
			continue
		}
		key := collections.Join(round, v.Validator)
		if has, err := k.Beacon.Has(ctx, key); err != nil || has {
			if err != nil {
				return stored, err
			}
			continue
		}
		if err := k.Beacon.Set(ctx, key, v.Share.Commitment); err != nil {
			return stored, err
		}
		stored++
	}
	return stored, nil
}

// DrawBeaconSeed fixes the seed of the round in progress from the reveals
// that open a stored commitment, or from the block hash if none does, and
// hands it to x/artifact. The commitments of the round are deleted.
func (k Keeper) DrawBeaconSeed(ctx context.Context, votes []BeaconVote) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	r, err := k.CurrentRound.Get(ctx)
	if err != nil {
		return err
	}
	if r.Seed != nil {
		return nil
	}
	type reveal struct{ validator, secret []byte }
	var opened []reveal
	for _, v := range votes {
		if v.Share.Round != r.Id || len(v.Share.Reveal) != sha256.Size {
			continue
		}
		c, err := k.Beacon.Get(ctx, collections.Join(r.Id, v.Validator))
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		if !bytes.Equal(c, types.CommitToSecret(sdkCtx.ChainID(), r.Id, v.Share.Reveal)) {
			continue
		}
		if slices.ContainsFunc(opened, func(o reveal) bool { return bytes.Equal(o.validator, v.Validator) }) {
			continue
		}
		opened = append(opened, reveal{v.Validator, v.Share.Reveal})
	}
	committed, err := k.clearBeacon(ctx, r.Id)
	if err != nil {
		return err
	}
	if len(opened) == 0 {
		return k.setSeed(sdkCtx, &r, Seed(r.Id, sdkCtx.HeaderHash()), types.SEED_SOURCE_BLOCK_HASH, 0, committed)
	}
	slices.SortFunc(opened, func(a, b reveal) int { return bytes.Compare(a.validator, b.validator) })
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], r.Id)
	h := sha256.New()
	h.Write([]byte(types.SeedDomain))
	h.Write(id[:])
	h.Write([]byte(types.BeaconDomain))
	for _, o := range opened {
		h.Write([]byte{byte(len(o.validator))})
		h.Write(o.validator)
		h.Write(o.secret)
	}
	return k.setSeed(sdkCtx, &r, h.Sum(nil), types.SEED_SOURCE_VALIDATOR_BEACON, uint32(len(opened)), committed)
}

// setSeed stores the seed in the round and in x/artifact's verifier set.
func (k Keeper) setSeed(ctx sdk.Context, r *types.Round, seed []byte, source types.SeedSource, contributors, committed uint32) error {
	r.Seed, r.SeedSource, r.SeedContributors = seed, source, contributors
	if err := k.artifacts.SetSeed(ctx, r.Id, seed); err != nil {
		return err
	}
	if err := k.CurrentRound.Set(ctx, *r); err != nil {
		return err
	}
	return ctx.EventManager().EmitTypedEvent(&types.EventSeedDrawn{Round: r.Id, Source: source, Contributors: contributors, Committed: committed})
}

// beaconCommitted reports whether any validator committed for round.
func (k Keeper) beaconCommitted(ctx context.Context, round uint64) (bool, error) {
	it, err := k.Beacon.Iterate(ctx, collections.NewPrefixedPairRange[uint64, []byte](round))
	if err != nil {
		return false, err
	}
	defer it.Close()
	return it.Valid(), nil
}

// clearBeacon deletes the commitments of round; there is at most one per
// validator of the set, so this is bounded by the validator set size.
func (k Keeper) clearBeacon(ctx context.Context, round uint64) (uint32, error) {
	keys, err := k.Beacon.IterateRaw(ctx, nil, nil, collections.OrderAscending)
	if err != nil {
		return 0, err
	}
	var del []collections.Pair[uint64, []byte]
	for ; keys.Valid(); keys.Next() {
		kv, err := keys.Key()
		if err != nil {
			keys.Close()
			return 0, err
		}
		del = append(del, kv)
	}
	keys.Close()
	var n uint32
	for _, key := range del {
		if key.K1() == round {
			n++
		}
		if err := k.Beacon.Remove(ctx, key); err != nil {
			return 0, err
		}
	}
	return n, nil
}
