package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/reputation/types"
)

// Outcome is what one round did for one node, as x/ccf computes it at
// finalization: the signal s of the EMA and the history counters to add.
type Outcome struct {
	Round     uint64
	SignalPPM uint32

	Accepted, Rejected, Unrevealed uint64
	Attestations, Agreed           uint64
}

// Get returns the node's record, or a fresh one at the initial score when the
// node has no history yet (not stored until an outcome is applied).
func (k Keeper) Get(ctx context.Context, operator sdk.AccAddress) (types.Reputation, error) {
	r, err := k.Reputations.Get(ctx, operator)
	if errors.Is(err, collections.ErrNotFound) {
		params, err := k.Params.Get(ctx)
		if err != nil {
			return r, err
		}
		return types.Reputation{Operator: operator.String(), ScorePpm: params.InitialScorePpm}, nil
	}
	return r, err
}

// Score returns the node's score in ppm.
func (k Keeper) Score(ctx context.Context, operator sdk.AccAddress) (uint32, error) {
	r, err := k.Get(ctx, operator)
	return r.ScorePpm, err
}

// IsJailed reports whether the node may not act in round.
func (k Keeper) IsJailed(ctx context.Context, operator sdk.AccAddress, round uint64) (bool, error) {
	r, err := k.Get(ctx, operator)
	return r.JailedUntilRound > round, err
}

// CheckNotJailed returns ErrNodeJailed when the node sits out round.
func (k Keeper) CheckNotJailed(ctx context.Context, operator sdk.AccAddress, round uint64) error {
	r, err := k.Get(ctx, operator)
	if err != nil {
		return err
	}
	if r.JailedUntilRound > round {
		return errorsmod.Wrapf(types.ErrNodeJailed, "%s is jailed until round %d (score %d ppm)", operator, r.JailedUntilRound, r.ScorePpm)
	}
	return nil
}

// ApplyOutcome moves the score by the EMA r <- (1-a)r + a*s, adds the
// counters, and jails the node for jail_rounds when the new score is below
// the floor. It is called once per node and round by x/ccf.
func (k Keeper) ApplyOutcome(ctx context.Context, operator sdk.AccAddress, o Outcome) (types.Reputation, error) {
	if o.SignalPPM > types.PPM {
		return types.Reputation{}, errorsmod.Wrapf(types.ErrInvalidSignal, "signal %d ppm above %d", o.SignalPPM, types.PPM)
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return types.Reputation{}, err
	}
	r, err := k.Reputations.Get(ctx, operator)
	switch {
	case errors.Is(err, collections.ErrNotFound):
		r = types.Reputation{Operator: operator.String(), ScorePpm: params.InitialScorePpm}
	case err != nil:
		return r, err
	default:
		if err := k.Leaderboard.Remove(ctx, leaderboardKey(r.ScorePpm, operator)); err != nil {
			return r, err
		}
	}
	r.ScorePpm = types.EMA(r.ScorePpm, o.SignalPPM, params.EmaAlphaPpm)
	if r.LastRound != o.Round || r.Rounds == 0 {
		r.Rounds++
	}
	r.LastRound = o.Round
	r.ArtifactsAccepted += o.Accepted
	r.ArtifactsRejected += o.Rejected
	r.ArtifactsUnrevealed += o.Unrevealed
	r.Attestations += o.Attestations
	r.AttestationsAgreed += o.Agreed

	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if r.ScorePpm < params.JailFloorPpm && r.JailedUntilRound <= o.Round {
		r.JailedUntilRound = o.Round + 1 + params.JailRounds
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventNodeJailed{
			Operator: r.Operator, Round: o.Round, UntilRound: r.JailedUntilRound, ScorePpm: r.ScorePpm,
		}); err != nil {
			return r, err
		}
	}
	if err := k.Reputations.Set(ctx, operator, r); err != nil {
		return r, err
	}
	// No event per outcome: a round applies several per artifact, and the
	// round's EventArtifactJudged events and the score query tell the story.
	return r, k.Leaderboard.Set(ctx, leaderboardKey(r.ScorePpm, operator))
}

// Slash burns slash_fraction_ppm of the node's identity bond for an artifact
// rejected as INVALID in round, and counts it.
func (k Keeper) Slash(ctx context.Context, operator sdk.AccAddress, round uint64) (sdk.Coin, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return sdk.Coin{}, err
	}
	burned, err := k.identityKeeper.SlashBond(ctx, operator, params.SlashFractionPpm, fmt.Sprintf("invalid artifact in round %d", round))
	if err != nil {
		return burned, err
	}
	r, err := k.Get(ctx, operator)
	if err != nil {
		return burned, err
	}
	has, err := k.Reputations.Has(ctx, operator)
	if err != nil {
		return burned, err
	}
	r.Slashes++
	if err := k.Reputations.Set(ctx, operator, r); err != nil {
		return burned, err
	}
	if !has {
		err = k.Leaderboard.Set(ctx, leaderboardKey(r.ScorePpm, operator))
	}
	return burned, err
}
