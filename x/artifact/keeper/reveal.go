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

// Reveal opens a commitment in the reveal phase of its round. The same CID
// revealed twice in a round stays with the earlier commit (lower id); the
// other is marked DUPLICATE.
func (k Keeper) Reveal(ctx context.Context, producer sdk.AccAddress, id uint64, cidStr string, salt []byte, m types.Manifest) (types.ArtifactStatus, error) {
	a, err := k.GetArtifact(ctx, id)
	if err != nil {
		return 0, err
	}
	if a.Producer != producer.String() {
		return 0, errorsmod.Wrapf(types.ErrNotProducer, "artifact %d was committed by %s", id, a.Producer)
	}
	if a.Status != types.ARTIFACT_STATUS_COMMITTED {
		return 0, errorsmod.Wrapf(types.ErrAlreadyRevealed, "artifact %d is %s", id, a.Status)
	}
	info, err := k.roundInfo(ctx)
	if err != nil {
		return 0, err
	}
	if a.Round != info.ID || info.Phase != types.PhaseReveal {
		return 0, wrongPhase(info, types.PhaseReveal, a.Round)
	}
	if _, err := k.identity.ActiveNodeWithRole(ctx, producer, identitytypes.ROLE_WORKER); err != nil {
		return 0, err
	}
	if err := k.reputation.CheckNotJailed(ctx, producer, a.Round); err != nil {
		return 0, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return 0, err
	}
	if err := types.ValidateManifest(m, m.Size(), params); err != nil {
		return 0, err
	}
	c, canonical, err := types.ParseCID(cidStr, params.AllowedCidCodecs)
	if err != nil {
		return 0, err
	}
	if len(salt) != types.SaltSize {
		return 0, errorsmod.Wrapf(types.ErrCommitmentMismatch, "salt is %d bytes, want %d", len(salt), types.SaltSize)
	}
	if !types.EqualCommitment(types.Commitment(c.Bytes(), salt, producer), a.Commitment) {
		return 0, errorsmod.Wrapf(types.ErrCommitmentMismatch,
			"SHA-256(%q || cid || salt || producer) differs from the commitment of artifact %d; a commitment opens only with its CID, salt and producer", types.CommitDomain, id)
	}

	if err := k.checkNotReplayed(ctx, canonical, a.Round); err != nil {
		return 0, err
	}

	sdkCtx := sdk.UnwrapSDKContext(ctx)
	status := types.ARTIFACT_STATUS_REVEALED
	holder, err := k.RoundCID.Get(ctx, collections.Join(a.Round, canonical))
	switch {
	case errors.Is(err, collections.ErrNotFound):
	case err != nil:
		return 0, err
	case holder < id:
		status = types.ARTIFACT_STATUS_DUPLICATE
	default:
		// This commit is earlier than the current holder: it takes the CID.
		other, err := k.Artifacts.Get(ctx, holder)
		if err != nil {
			return 0, err
		}
		other.Status = types.ARTIFACT_STATUS_DUPLICATE
		if err := k.Artifacts.Set(ctx, holder, other); err != nil {
			return 0, err
		}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventArtifactDuplicated{ArtifactId: holder, KeptBy: id, Cid: canonical}); err != nil {
			return 0, err
		}
	}
	if status == types.ARTIFACT_STATUS_REVEALED {
		if err := k.RoundCID.Set(ctx, collections.Join(a.Round, canonical), id); err != nil {
			return 0, err
		}
	} else if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventArtifactDuplicated{ArtifactId: id, KeptBy: holder, Cid: canonical}); err != nil {
		return 0, err
	}
	if a.CommitFee.IsValid() && a.CommitFee.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, producer, sdk.NewCoins(a.CommitFee)); err != nil {
			return 0, errorsmod.Wrapf(err, "refunding the commit fee %s", a.CommitFee)
		}
	}
	a.Status, a.Cid, a.Manifest, a.RevealHeight = status, canonical, &m, sdkCtx.BlockHeight()
	if err := k.Artifacts.Set(ctx, id, a); err != nil {
		return 0, err
	}
	if err := k.ByCID.Set(ctx, collections.Join(canonical, id)); err != nil {
		return 0, err
	}
	return status, sdkCtx.EventManager().EmitTypedEvent(&types.EventArtifactRevealed{
		ArtifactId: id, Round: a.Round, Producer: a.Producer, Cid: canonical, Status: status, Domain: m.Domain,
	})
}

// checkNotReplayed refuses a CID revealed in an earlier round: republishing
// an old artifact would earn a second reward for work done once. The
// earliest artifact revealed with the CID has the lowest id, and ids grow
// with rounds, so one read decides. Records are pruned after retain_rounds,
// so the check reaches back that far.
func (k Keeper) checkNotReplayed(ctx context.Context, cid string, round uint64) error {
	it, err := k.ByCID.Iterate(ctx, collections.NewPrefixedPairRange[string, uint64](cid))
	if err != nil {
		return err
	}
	defer it.Close()
	if !it.Valid() {
		return nil
	}
	key, err := it.Key()
	if err != nil {
		return err
	}
	first, err := k.Artifacts.Get(ctx, key.K2())
	if err != nil {
		return err
	}
	if first.Round < round {
		return errorsmod.Wrapf(types.ErrCIDReplay, "%s was revealed as artifact %d in round %d; publish new work", cid, first.Id, first.Round)
	}
	return nil
}
