package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/artifact/types"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
)

// Commit records a commitment of an active, unjailed worker in the commit
// phase of the current round. All checks come before the first write.
func (k Keeper) Commit(ctx context.Context, producer sdk.AccAddress, round uint64, commitment []byte) (uint64, error) {
	info, err := k.roundInfo(ctx)
	if err != nil {
		return 0, err
	}
	if round != info.ID || info.Phase != types.PhaseCommit {
		return 0, wrongPhase(info, types.PhaseCommit, round)
	}
	if _, err := k.identity.ActiveNodeWithRole(ctx, producer, identitytypes.ROLE_WORKER); err != nil {
		return 0, err
	}
	if err := k.reputation.CheckNotJailed(ctx, producer, round); err != nil {
		return 0, err
	}
	if len(commitment) != 32 {
		return 0, errorsmod.Wrapf(types.ErrInvalidCommitment, "commitment is %d bytes, want 32 (SHA-256)", len(commitment))
	}
	// Keyed by producer: the commitment binds its producer's address, so
	// copying another node's commitment bytes can neither open nor block it.
	if has, err := k.RoundCommitment.Has(ctx, collections.Join3(round, producer, commitment)); err != nil {
		return 0, err
	} else if has {
		return 0, errorsmod.Wrapf(types.ErrDuplicateCommitment, "%s already made commitment %X in round %d", producer, commitment, round)
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return 0, err
	}
	n, err := k.CommitCount.Get(ctx, collections.Join(round, producer))
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return 0, err
	}
	if n >= params.MaxCommitsPerNode {
		return 0, errorsmod.Wrapf(types.ErrCommitLimit, "%s already made %d commits in round %d (max_commits_per_node)", producer, n, round)
	}
	// The fee is escrowed: refunded on reveal, burned by finalization if the
	// commitment is never opened. Committing is free for honest nodes and
	// costs a spammer of unopened commitments.
	if params.CommitFee.IsPositive() {
		if err := k.bank.SendCoinsFromAccountToModule(ctx, producer, types.ModuleName, sdk.NewCoins(params.CommitFee)); err != nil {
			return 0, errorsmod.Wrapf(err, "escrowing the commit fee %s", params.CommitFee)
		}
	}

	id, err := k.NextID.Get(ctx)
	if err != nil {
		return 0, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	a := types.Artifact{
		Id: id, Round: round, Producer: producer.String(), Commitment: commitment,
		Status: types.ARTIFACT_STATUS_COMMITTED, CommitHeight: sdkCtx.BlockHeight(), CommitFee: params.CommitFee,
	}
	if err := k.NextID.Set(ctx, id+1); err != nil {
		return 0, err
	}
	if err := k.setNew(ctx, producer, a); err != nil {
		return 0, err
	}
	if err := k.CommitCount.Set(ctx, collections.Join(round, producer), n+1); err != nil {
		return 0, err
	}
	return id, sdkCtx.EventManager().EmitTypedEvent(&types.EventArtifactCommitted{ArtifactId: id, Round: round, Producer: a.Producer})
}

// setNew writes a new artifact and its round, producer and commitment indexes.
func (k Keeper) setNew(ctx context.Context, producer sdk.AccAddress, a types.Artifact) error {
	if err := k.Artifacts.Set(ctx, a.Id, a); err != nil {
		return err
	}
	if err := k.ByRound.Set(ctx, collections.Join(a.Round, a.Id)); err != nil {
		return err
	}
	if err := k.ByProducer.Set(ctx, collections.Join(producer, a.Id)); err != nil {
		return err
	}
	return k.RoundCommitment.Set(ctx, collections.Join3(a.Round, producer, a.Commitment))
}

// BurnCommitFee burns the escrowed fee of a commitment that was never
// opened; x/ccf calls it when it judges the artifact unrevealed.
func (k Keeper) BurnCommitFee(ctx context.Context, a types.Artifact) error {
	if !a.CommitFee.IsValid() || !a.CommitFee.IsPositive() {
		return nil
	}
	return k.bank.BurnCoins(ctx, types.ModuleName, sdk.NewCoins(a.CommitFee))
}
