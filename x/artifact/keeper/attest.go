package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/artifact/types"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
)

// Attest records the verdicts of an assigned verifier in the attest phase.
// Every attestation of the message is checked before any is written, so the
// message applies whole or not at all.
func (k Keeper) Attest(ctx context.Context, verifier sdk.AccAddress, inputs []types.AttestationInput) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if len(inputs) == 0 || uint32(len(inputs)) > params.MaxAttestationsPerMsg {
		return errorsmod.Wrapf(types.ErrInvalidAttestation, "%d attestations in one message, want 1 to %d", len(inputs), params.MaxAttestationsPerMsg)
	}
	info, err := k.roundInfo(ctx)
	if err != nil {
		return err
	}
	if info.Phase != types.PhaseAttest {
		return wrongPhase(info, types.PhaseAttest, info.ID)
	}
	if _, err := k.identity.ActiveNodeWithRole(ctx, verifier, identitytypes.ROLE_VERIFIER); err != nil {
		return err
	}
	if err := k.reputation.CheckNotJailed(ctx, verifier, info.ID); err != nil {
		return err
	}
	self := verifier.String()
	seen := make(map[uint64]struct{}, len(inputs))
	for _, in := range inputs {
		a, err := k.GetArtifact(ctx, in.ArtifactId)
		if err != nil {
			return err
		}
		if a.Round != info.ID {
			return wrongPhase(info, types.PhaseAttest, a.Round)
		}
		if a.Status != types.ARTIFACT_STATUS_REVEALED {
			return errorsmod.Wrapf(types.ErrNotAttestable, "artifact %d is %s", a.Id, a.Status)
		}
		if a.Producer == self {
			return errorsmod.Wrapf(types.ErrSelfAttestation, "artifact %d", a.Id)
		}
		if in.Verdict != types.VERDICT_VALID && in.Verdict != types.VERDICT_INVALID && in.Verdict != types.VERDICT_UNAVAILABLE {
			return errorsmod.Wrapf(types.ErrInvalidAttestation, "artifact %d: verdict must be valid, invalid or unavailable", a.Id)
		}
		if in.QualityPpm > types.PPM {
			return errorsmod.Wrapf(types.ErrInvalidAttestation, "artifact %d: quality %d ppm above %d", a.Id, in.QualityPpm, types.PPM)
		}
		if _, dup := seen[a.Id]; dup {
			return errorsmod.Wrapf(types.ErrAlreadyAttested, "artifact %d appears twice in the message", a.Id)
		}
		seen[a.Id] = struct{}{}
		if has, err := k.Attestations.Has(ctx, collections.Join(a.Id, verifier)); err != nil {
			return err
		} else if has {
			return errorsmod.Wrapf(types.ErrAlreadyAttested, "artifact %d", a.Id)
		}
		ok, err := k.IsAssigned(ctx, a, self)
		if err != nil {
			return err
		}
		if !ok {
			return errorsmod.Wrapf(types.ErrNotAssigned, "artifact %d in round %d (see the assignments query)", a.Id, a.Round)
		}
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	for _, in := range inputs {
		at := types.Attestation{ArtifactId: in.ArtifactId, Verifier: self, Verdict: in.Verdict, QualityPpm: in.QualityPpm, Height: sdkCtx.BlockHeight()}
		if err := k.Attestations.Set(ctx, collections.Join(in.ArtifactId, verifier), at); err != nil {
			return err
		}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventAttested{
			ArtifactId: in.ArtifactId, Verifier: self, Verdict: in.Verdict, QualityPpm: in.QualityPpm,
		}); err != nil {
			return err
		}
	}
	return nil
}
