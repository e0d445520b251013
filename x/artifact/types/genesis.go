package types

import (
	"crypto/sha256"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultGenesis has default params and no artifacts; ids start at 1.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), NextArtifactId: 1}
}

// Validate checks params, ids, addresses and references.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	if gs.NextArtifactId == 0 {
		return errorsmod.Wrap(ErrInvalidGenesis, "next_artifact_id must be at least 1")
	}
	ids := make(map[uint64]struct{}, len(gs.Artifacts))
	for _, a := range gs.Artifacts {
		if a.Id == 0 || a.Id >= gs.NextArtifactId {
			return errorsmod.Wrapf(ErrInvalidGenesis, "artifact id %d outside [1, next_artifact_id=%d)", a.Id, gs.NextArtifactId)
		}
		if _, dup := ids[a.Id]; dup {
			return errorsmod.Wrapf(ErrInvalidGenesis, "artifact %d listed twice", a.Id)
		}
		ids[a.Id] = struct{}{}
		if _, err := sdk.AccAddressFromBech32(a.Producer); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "artifact %d producer: %v", a.Id, err)
		}
		if len(a.Commitment) != 32 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "artifact %d commitment is %d bytes", a.Id, len(a.Commitment))
		}
		switch a.Status {
		case ARTIFACT_STATUS_COMMITTED:
		case ARTIFACT_STATUS_REVEALED, ARTIFACT_STATUS_DUPLICATE:
			if a.Manifest == nil || a.Cid == "" {
				return errorsmod.Wrapf(ErrInvalidGenesis, "revealed artifact %d without CID or manifest", a.Id)
			}
		default:
			return errorsmod.Wrapf(ErrInvalidGenesis, "artifact %d has status %d", a.Id, a.Status)
		}
	}
	for _, at := range gs.Attestations {
		if _, ok := ids[at.ArtifactId]; !ok {
			return errorsmod.Wrapf(ErrInvalidGenesis, "attestation of unknown artifact %d", at.ArtifactId)
		}
		if _, err := sdk.AccAddressFromBech32(at.Verifier); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "attestation verifier: %v", err)
		}
		if len(at.Seal) != sha256.Size {
			return errorsmod.Wrapf(ErrInvalidGenesis, "attestation of %s on artifact %d has a %d-byte seal", at.Verifier, at.ArtifactId, len(at.Seal))
		}
		if at.Verdict == VERDICT_VALID && !at.Retrieved {
			return errorsmod.Wrapf(ErrInvalidGenesis, "attestation of %s on artifact %d discloses %s without a proof of retrieval", at.Verifier, at.ArtifactId, at.Verdict)
		}
	}
	for _, vs := range gs.VerifierSets {
		if uint64(len(vs.Verifiers)) != vs.Set.Count {
			return errorsmod.Wrapf(ErrInvalidGenesis, "round %d verifier set: count %d, %d entries", vs.Set.Round, vs.Set.Count, len(vs.Verifiers))
		}
	}
	return nil
}
