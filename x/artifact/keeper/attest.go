package keeper

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/artifact/types"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
)

// chunkProofGasPerHash is charged for each hash of a proof of retrieval.
const chunkProofGasPerHash = 50

// Attest records the sealed attestations of an assigned verifier in the
// attest phase: a seal hiding the verdict, and the proof of retrieval.
// Every attestation of the message is checked before any is written, so the
// message applies whole or not at all.
func (k Keeper) Attest(ctx context.Context, verifier sdk.AccAddress, inputs []types.AttestationInput) error {
	info, err := k.verifierBatch(ctx, len(inputs), "attestations", types.PhaseAttest)
	if err != nil {
		return err
	}
	if _, err := k.identity.ActiveNodeWithRole(ctx, verifier, identitytypes.ROLE_VERIFIER); err != nil {
		return err
	}
	if err := k.reputation.CheckNotJailed(ctx, verifier, info.ID); err != nil {
		return err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	self := verifier.String()
	seen := make(map[uint64]struct{}, len(inputs))
	retrieved := make([]bool, len(inputs))
	for i, in := range inputs {
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
		if len(in.Seal) != sha256.Size {
			return errorsmod.Wrapf(types.ErrInvalidAttestation, "artifact %d: seal is %d bytes, want %d", a.Id, len(in.Seal), sha256.Size)
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
		if len(in.Chunk) == 0 && len(in.Proof) == 0 {
			continue // no proof: VALID cannot be disclosed
		}
		sdkCtx.GasMeter().ConsumeGas(chunkProofGasPerHash*uint64(len(in.Proof)+1), "proof of retrieval")
		idx := types.ChunkIndex(info.Seed, a.Id, verifier, a.Manifest.PayloadSize)
		if err := types.VerifyChunk(a.Manifest.ChunkRoot, a.Manifest.PayloadSize, idx, in.Chunk, in.Proof); err != nil {
			return errorsmod.Wrapf(types.ErrBadChunkProof, "artifact %d: %v (this verifier must prove chunk %d of %d)", a.Id, err, idx, types.ChunkCount(a.Manifest.PayloadSize))
		}
		retrieved[i] = true
	}
	for i, in := range inputs {
		at := types.Attestation{ArtifactId: in.ArtifactId, Verifier: self, Height: sdkCtx.BlockHeight(), Seal: in.Seal, Retrieved: retrieved[i]}
		if err := k.Attestations.Set(ctx, collections.Join(in.ArtifactId, verifier), at); err != nil {
			return err
		}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventAttested{ArtifactId: in.ArtifactId, Verifier: self, Retrieved: retrieved[i]}); err != nil {
			return err
		}
	}
	return nil
}

// Disclose opens sealed attestations in the disclose phase. A VALID verdict
// needs the seal to have carried a proof of retrieval: approving is what a
// lazy verifier would do without looking. INVALID and UNAVAILABLE need none,
// so a producer whose manifest lies about its chunk root (and so defeats
// every proof) can still be judged INVALID. As
// with Attest, the message applies whole or not at all.
func (k Keeper) Disclose(ctx context.Context, verifier sdk.AccAddress, ds []types.AttestationDisclosure) error {
	info, err := k.verifierBatch(ctx, len(ds), "disclosures", types.PhaseDisclose)
	if err != nil {
		return err
	}
	seen := make(map[uint64]struct{}, len(ds))
	opened := make([]types.Attestation, len(ds))
	for i, d := range ds {
		if _, dup := seen[d.ArtifactId]; dup {
			return errorsmod.Wrapf(types.ErrAlreadyDisclosed, "artifact %d appears twice in the message", d.ArtifactId)
		}
		seen[d.ArtifactId] = struct{}{}
		a, err := k.GetArtifact(ctx, d.ArtifactId)
		if err != nil {
			return err
		}
		if a.Round != info.ID {
			return wrongPhase(info, types.PhaseDisclose, a.Round)
		}
		at, err := k.Attestations.Get(ctx, collections.Join(d.ArtifactId, verifier))
		if errors.Is(err, collections.ErrNotFound) {
			return errorsmod.Wrapf(types.ErrInvalidAttestation, "no sealed attestation of %s on artifact %d", verifier, d.ArtifactId)
		}
		if err != nil {
			return err
		}
		if at.Verdict != types.VERDICT_UNSPECIFIED {
			return errorsmod.Wrapf(types.ErrAlreadyDisclosed, "artifact %d", d.ArtifactId)
		}
		if d.Verdict != types.VERDICT_VALID && d.Verdict != types.VERDICT_INVALID && d.Verdict != types.VERDICT_UNAVAILABLE {
			return errorsmod.Wrapf(types.ErrInvalidAttestation, "artifact %d: verdict must be valid, invalid or unavailable", d.ArtifactId)
		}
		if d.QualityPpm > types.PPM {
			return errorsmod.Wrapf(types.ErrInvalidAttestation, "artifact %d: quality %d ppm above %d", d.ArtifactId, d.QualityPpm, types.PPM)
		}
		if len(d.Salt) < types.MinSaltBytes || len(d.Salt) > 64 {
			return errorsmod.Wrapf(types.ErrInvalidAttestation, "artifact %d: salt of %d bytes, want %d to 64", d.ArtifactId, len(d.Salt), types.MinSaltBytes)
		}
		if !bytes.Equal(types.Seal(d.ArtifactId, verifier, d.Verdict, d.QualityPpm, d.Salt), at.Seal) {
			return errorsmod.Wrapf(types.ErrSealMismatch, "artifact %d", d.ArtifactId)
		}
		if d.Verdict == types.VERDICT_VALID && !at.Retrieved {
			return errorsmod.Wrapf(types.ErrNotRetrieved, "artifact %d: the sealed attestation carried no chunk", d.ArtifactId)
		}
		at.Verdict, at.QualityPpm = d.Verdict, d.QualityPpm
		opened[i] = at
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	for _, at := range opened {
		at.DisclosedHeight = sdkCtx.BlockHeight()
		if err := k.Attestations.Set(ctx, collections.Join(at.ArtifactId, verifier), at); err != nil {
			return err
		}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventDisclosed{
			ArtifactId: at.ArtifactId, Verifier: at.Verifier, Verdict: at.Verdict, QualityPpm: at.QualityPpm,
		}); err != nil {
			return err
		}
	}
	return nil
}

// verifierBatch checks what Attest and Disclose share: 1 to
// max_attestations_per_msg items, and the round in phase.
func (k Keeper) verifierBatch(ctx context.Context, n int, what string, phase types.Phase) (types.RoundInfo, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return types.RoundInfo{}, err
	}
	if n == 0 || uint32(n) > params.MaxAttestationsPerMsg {
		return types.RoundInfo{}, errorsmod.Wrapf(types.ErrInvalidAttestation, "%d %s in one message, want 1 to %d", n, what, params.MaxAttestationsPerMsg)
	}
	info, err := k.roundInfo(ctx)
	if err != nil {
		return info, err
	}
	if info.Phase != phase {
		return info, wrongPhase(info, phase, info.ID)
	}
	return info, nil
}
