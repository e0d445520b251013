package keeper

import (
	"context"
	"math"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/ccf/types"
)

// InitGenesis loads params, the round in progress, candidates and fields,
// and makes sure the reward pool's module account exists.
func (k Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	k.accounts.GetModuleAccount(ctx, types.ModuleName)
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	if gs.CurrentRound != nil {
		if err := k.CurrentRound.Set(ctx, *gs.CurrentRound); err != nil {
			return err
		}
	}
	for _, c := range gs.Candidates {
		if err := k.Candidates.Set(ctx, collections.Join(math.MaxUint64-c.Weight, c.ArtifactId), c); err != nil {
			return err
		}
	}
	var latest uint64
	for _, f := range gs.Fields {
		if err := k.Fields.Set(ctx, f.Round, f); err != nil {
			return err
		}
		latest = max(latest, f.Round)
	}
	if latest > 0 {
		if err := k.LatestField.Set(ctx, latest); err != nil {
			return err
		}
	}
	for _, r := range gs.Rounds {
		if err := k.Rounds.Set(ctx, r.Id, r); err != nil {
			return err
		}
	}
	for _, t := range gs.Tallies {
		op, err := k.addressCodec.StringToBytes(t.Operator)
		if err != nil {
			return err
		}
		if err := k.Tallies.Set(ctx, op, t); err != nil {
			return err
		}
	}
	if gs.PendingField != nil {
		if err := k.PendingField.Set(ctx, *gs.PendingField); err != nil {
			return err
		}
	}
	for _, c := range gs.BeaconCommitments {
		if err := k.Beacon.Set(ctx, collections.Join(c.Round, c.Validator), c.Commitment); err != nil {
			return err
		}
	}
	if gs.FieldPrune > 0 {
		if err := k.FieldPrune.Set(ctx, gs.FieldPrune); err != nil {
			return err
		}
	}
	prune := gs.PruneRound
	if prune == 0 {
		prune = 1
	}
	return k.PruneRound.Set(ctx, prune)
}

// ExportGenesis writes the whole ccf state.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params}
	r, err := k.CurrentRound.Get(ctx)
	switch {
	case err == nil:
		gs.CurrentRound = &r
	case !isNotFound(err):
		return nil, err
	}
	if err := k.Candidates.Walk(ctx, nil, func(_ collections.Pair[uint64, uint64], c types.Candidate) (bool, error) {
		gs.Candidates = append(gs.Candidates, c)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Fields.Walk(ctx, nil, func(_ uint64, f types.Field) (bool, error) {
		gs.Fields = append(gs.Fields, f)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Rounds.Walk(ctx, nil, func(_ uint64, r types.Round) (bool, error) {
		gs.Rounds = append(gs.Rounds, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Tallies.Walk(ctx, nil, func(_ sdk.AccAddress, t types.Tally) (bool, error) {
		gs.Tallies = append(gs.Tallies, t)
		return false, nil
	}); err != nil {
		return nil, err
	}
	pf, err := k.PendingField.Get(ctx)
	switch {
	case err == nil:
		gs.PendingField = &pf
	case !isNotFound(err):
		return nil, err
	}
	gs.FieldPrune, err = k.FieldPrune.Get(ctx)
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	if err := k.Beacon.Walk(ctx, nil, func(key collections.Pair[uint64, []byte], c []byte) (bool, error) {
		gs.BeaconCommitments = append(gs.BeaconCommitments, types.BeaconCommitment{Round: key.K1(), Validator: key.K2(), Commitment: c})
		return false, nil
	}); err != nil {
		return nil, err
	}
	gs.PruneRound, err = k.PruneRound.Get(ctx)
	if isNotFound(err) {
		gs.PruneRound, err = 1, nil
	}
	return gs, err
}
