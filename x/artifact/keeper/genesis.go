package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/artifact/types"
)

// InitGenesis loads the records and rebuilds every index from them.
func (k Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	if err := k.NextID.Set(ctx, gs.NextArtifactId); err != nil {
		return err
	}
	for _, a := range gs.Artifacts {
		producer, err := k.addressCodec.StringToBytes(a.Producer)
		if err != nil {
			return err
		}
		// Cross-module link, checked here because x/identity's genesis is
		// loaded first: a record the chain could not slash or pay would
		// halt finalization later instead of failing now.
		if _, err := k.identity.GetNode(ctx, producer); err != nil {
			return errorsmod.Wrapf(types.ErrInvalidGenesis, "artifact %d: producer %s: %v", a.Id, a.Producer, err)
		}
		if err := k.setNew(ctx, producer, a); err != nil {
			return err
		}
		key := collections.Join(a.Round, sdk.AccAddress(producer))
		n, err := k.CommitCount.Get(ctx, key)
		if err != nil && !isNotFound(err) {
			return err
		}
		if err := k.CommitCount.Set(ctx, key, n+1); err != nil {
			return err
		}
		if a.Status == types.ARTIFACT_STATUS_COMMITTED {
			continue
		}
		if err := k.ByCID.Set(ctx, collections.Join(a.Cid, a.Id)); err != nil {
			return err
		}
		if a.Status == types.ARTIFACT_STATUS_REVEALED {
			if err := k.RoundCID.Set(ctx, collections.Join(a.Round, a.Cid), a.Id); err != nil {
				return err
			}
		}
	}
	for _, at := range gs.Attestations {
		verifier, err := k.addressCodec.StringToBytes(at.Verifier)
		if err != nil {
			return err
		}
		if _, err := k.identity.GetNode(ctx, verifier); err != nil {
			return errorsmod.Wrapf(types.ErrInvalidGenesis, "attestation of artifact %d: verifier %s: %v", at.ArtifactId, at.Verifier, err)
		}
		if err := k.Attestations.Set(ctx, collections.Join(at.ArtifactId, sdk.AccAddress(verifier)), at); err != nil {
			return err
		}
	}
	for _, vs := range gs.VerifierSets {
		if err := k.VerifierSets.Set(ctx, vs.Set.Round, vs.Set); err != nil {
			return err
		}
		for i, v := range vs.Verifiers {
			if err := k.Verifiers.Set(ctx, collections.Join(vs.Set.Round, uint64(i)), v); err != nil {
				return err
			}
			op, err := k.addressCodec.StringToBytes(v.Operator)
			if err != nil {
				return err
			}
			if err := k.VerifierWeight.Set(ctx, collections.Join(vs.Set.Round, sdk.AccAddress(op)), v.Weight); err != nil {
				return err
			}
		}
	}
	return nil
}

// ExportGenesis writes every retained record in key order.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	next, err := k.NextID.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params, NextArtifactId: next}
	if err := k.Artifacts.Walk(ctx, nil, func(_ uint64, a types.Artifact) (bool, error) {
		gs.Artifacts = append(gs.Artifacts, a)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Attestations.Walk(ctx, nil, func(_ collections.Pair[uint64, sdk.AccAddress], a types.Attestation) (bool, error) {
		gs.Attestations = append(gs.Attestations, a)
		return false, nil
	}); err != nil {
		return nil, err
	}
	err = k.VerifierSets.Walk(ctx, nil, func(round uint64, set types.RoundVerifierSet) (bool, error) {
		rv := types.RoundVerifiers{Set: set}
		err := k.Verifiers.Walk(ctx, collections.NewPrefixedPairRange[uint64, uint64](round),
			func(_ collections.Pair[uint64, uint64], v types.RoundVerifier) (bool, error) {
				rv.Verifiers = append(rv.Verifiers, v)
				return false, nil
			})
		gs.VerifierSets = append(gs.VerifierSets, rv)
		return false, err
	})
	return gs, err
}
