package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	identitytypes "github.com/h3lix/h3lix/x/identity/types"
	"github.com/h3lix/h3lix/x/reputation/types"
)

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

// ApplyOutcome moves the score by one EMA step r <- (1-a)r + a*s, adds the
// counters, tracks the dissent streak (and slashes a verifier that keeps
// attesting against the consensus), and jails the node for jail_rounds when
// the new score is below the floor. x/ccf calls it once per node and round,
// with the round's outcomes aggregated; a second call for the same round is
// refused, so a bug upstream cannot move a score twice.
func (k Keeper) ApplyOutcome(ctx context.Context, operator sdk.AccAddress, o types.Outcome) (types.Reputation, error) {
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
		if r.Rounds > 0 && r.LastRound >= o.Round {
			return r, errorsmod.Wrapf(types.ErrInvalidSignal, "%s already has the outcome of round %d (last round %d)", operator, o.Round, r.LastRound)
		}
		if err := k.Leaderboard.Remove(ctx, leaderboardKey(r.ScorePpm, operator)); err != nil {
			return r, err
		}
	}
	r.ScorePpm = types.EMA(r.ScorePpm, o.SignalPPM, params.EmaAlphaPpm)
	r.Rounds++
	r.LastRound = o.Round
	r.ArtifactsAccepted += o.Accepted
	r.ArtifactsRejected += o.Rejected
	r.ArtifactsUnrevealed += o.Unrevealed
	r.Attestations += o.Attestations
	r.AttestationsAgreed += o.Agreed
	r.AssignmentsMissed += o.Missed

	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if o.Attestations > 0 {
		if 2*o.Agreed < o.Attestations {
			r.DissentStreak++
		} else {
			r.DissentStreak = 0
		}
	}
	if params.DissentSlashRounds > 0 && r.DissentStreak >= params.DissentSlashRounds {
		// A node whose record was released after unbonding has no bond
		// left to slash; that must not stop the round from settling.
		if _, err := k.identityKeeper.SlashBond(ctx, operator, params.SlashFractionPpm, sdkmath.ZeroInt(),
			fmt.Sprintf("attested against the consensus %d rounds in a row (round %d)", r.DissentStreak, o.Round)); err != nil && !errors.Is(err, identitytypes.ErrNodeNotFound) {
			return r, err
		}
		r.Slashes++
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventDissentSlashed{Operator: r.Operator, Round: o.Round, Streak: r.DissentStreak}); err != nil {
			return r, err
		}
		r.DissentStreak = 0
	}
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
	scored := types.EventRoundScored{Operator: r.Operator, Round: o.Round, SignalPpm: o.SignalPPM, ScorePpm: r.ScorePpm, Missed: o.Missed}
	sdkCtx.EventManager().EmitEvent(scored.Event())
	return r, k.Leaderboard.Set(ctx, leaderboardKey(r.ScorePpm, operator))
}

// VerifierWeight is the node's weight when a round freezes its verifier set:
// its score, capped at initial_score_ppm while the node is on probation
// (outcomes in fewer than probation_rounds rounds), and at least 1 so that a
// zero score can still be drawn. A fresh account therefore cannot outweigh a
// node with a history.
func (k Keeper) VerifierWeight(ctx context.Context, operator sdk.AccAddress) (uint64, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return 0, err
	}
	r, err := k.Get(ctx, operator)
	if err != nil {
		return 0, err
	}
	w := r.ScorePpm
	if r.Rounds < params.ProbationRounds {
		w = min(w, params.InitialScorePpm)
	}
	return uint64(max(w, 1)), nil
}

// Slash burns slash_fraction_ppm of the node's identity bond, and at least
// floor (capped at the bond), for an artifact rejected as INVALID in round,
// and counts it. x/ccf passes the producer share of a round's reward as the
// floor, so that poison always costs more than an artifact can earn.
func (k Keeper) Slash(ctx context.Context, operator sdk.AccAddress, round uint64, floor sdkmath.Int) (sdk.Coin, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return sdk.Coin{}, err
	}
	burned, err := k.identityKeeper.SlashBond(ctx, operator, params.SlashFractionPpm, floor, fmt.Sprintf("invalid artifact in round %d", round))
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
