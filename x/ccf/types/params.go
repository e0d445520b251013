package types

import (
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultParams are tuned for a local network with ~1 s blocks: a round of
// 10 + 5 + 10 blocks, 5 verifiers per artifact, a 64-entry field.
func DefaultParams() Params {
	return Params{
		CommitBlocks: 10,
		RevealBlocks: 5,
		AttestBlocks: 10,
		// Disclosing is one message per verifier with no payload work.
		DiscloseBlocks: 5,
		// Five verifiers per artifact keep a few lazy or colluding nodes a
		// minority of almost every assignment (measured with make sim).
		VerifiersPerArtifact:   5,
		MinAttestedWeightPpm:   500_000,
		MadMultiplierPpm:       3_000_000,
		MaxFieldSize:           64,
		MaxFieldCandidates:     1024,
		MinSpreadPpm:           1_000_000,
		EmaBetaPpm:             300_000,
		RewardPerRound:         sdk.NewCoin("uhlx", sdkmath.NewInt(10_000_000)),
		VerifierRewardSharePpm: 300_000,
		MaxFinalizePerBlock:    2_000,
		RetainRounds:           100,
		MaxPrunePerBlock:       500,
		UnselectedSignalPpm:    500_000,
		OutlierSignalPpm:       250_000,
		// 64 dimensions × 4² : a point within ~4 units per coordinate of the
		// centre is never an outlier.
		MinMad: 1024,
		// Two distinct verifiers per verdict: one account cannot approve
		// another's artifact alone.
		MinAttesters: 2,
		// Fewer than three producers in a field pay their entries less.
		MinFieldProducers: 3,
		// Acceptance needs two thirds of the attested weight (two of three
		// equal verifiers).
		AcceptThresholdPpm: 666_666,
		MinDomainPoints:    5,
		EmaDomainRounds:    100,
		MaxEmaDomains:      256,
		// About three days of 25-block rounds at 1 s blocks.
		RetainFields: 10_000,
	}
}

// ProducerShare is the part of reward_per_round that goes to field
// producers (the rest is the verifier pool), rounded down.
func (p Params) ProducerShare() sdkmath.Int {
	return p.RewardPerRound.Amount.MulRaw(int64(PPM - p.VerifierRewardSharePpm)).QuoRaw(PPM)
}

// Validate checks the params are usable.
func (p Params) Validate() error {
	switch {
	case p.CommitBlocks <= 0 || p.RevealBlocks <= 0 || p.AttestBlocks <= 0 || p.DiscloseBlocks <= 0:
		return errorsmod.Wrapf(ErrInvalidParams, "phase lengths must be positive, got commit %d reveal %d attest %d disclose %d", p.CommitBlocks, p.RevealBlocks, p.AttestBlocks, p.DiscloseBlocks)
	case p.CommitBlocks > 1_000_000 || p.RevealBlocks > 1_000_000 || p.AttestBlocks > 1_000_000 || p.DiscloseBlocks > 1_000_000:
		return errorsmod.Wrap(ErrInvalidParams, "phase lengths above 1,000,000 blocks")
	case p.VerifiersPerArtifact == 0 || p.VerifiersPerArtifact > 32:
		return errorsmod.Wrapf(ErrInvalidParams, "verifiers_per_artifact must be in [1, 32], got %d", p.VerifiersPerArtifact)
	case p.MaxFieldSize == 0 || p.MaxFieldSize > 4096:
		return errorsmod.Wrapf(ErrInvalidParams, "max_field_size must be in [1, 4096], got %d", p.MaxFieldSize)
	case p.MaxFieldCandidates < p.MaxFieldSize || p.MaxFieldCandidates > 16_384:
		return errorsmod.Wrapf(ErrInvalidParams, "max_field_candidates must be in [max_field_size, 16384], got %d", p.MaxFieldCandidates)
	case p.MaxFinalizePerBlock == 0 || p.MaxPrunePerBlock == 0:
		return errorsmod.Wrap(ErrInvalidParams, "max_finalize_per_block and max_prune_per_block must be positive")
	case p.RetainRounds == 0:
		return errorsmod.Wrap(ErrInvalidParams, "retain_rounds must be positive: the round being finalized needs its records")
	case p.VerifierRewardSharePpm > PPM || p.EmaBetaPpm > PPM || p.UnselectedSignalPpm > PPM || p.OutlierSignalPpm > PPM:
		return errorsmod.Wrap(ErrInvalidParams, "a ppm share is above 1,000,000")
	case p.MinAttestedWeightPpm > 32*PPM:
		return errorsmod.Wrap(ErrInvalidParams, "min_attested_weight_ppm above the weight of 32 perfect verifiers")
	case p.MinAttesters == 0 || p.MinAttesters > p.VerifiersPerArtifact:
		return errorsmod.Wrapf(ErrInvalidParams, "min_attesters must be in [1, verifiers_per_artifact = %d], got %d", p.VerifiersPerArtifact, p.MinAttesters)
	case p.AcceptThresholdPpm > PPM:
		return errorsmod.Wrapf(ErrInvalidParams, "accept_threshold_ppm above 1000000, got %d", p.AcceptThresholdPpm)
	case p.MaxEmaDomains == 0 || p.MaxEmaDomains > 4096:
		return errorsmod.Wrapf(ErrInvalidParams, "max_ema_domains must be in [1, 4096], got %d", p.MaxEmaDomains)
	case p.EmaDomainRounds == 0:
		return errorsmod.Wrap(ErrInvalidParams, "ema_domain_rounds must be positive")
	case p.RetainFields != 0 && p.RetainFields < p.RetainRounds:
		return errorsmod.Wrapf(ErrInvalidParams, "retain_fields %d is below retain_rounds %d: a field would go before its artifacts", p.RetainFields, p.RetainRounds)
	case p.MinDomainPoints > 16_384:
		return errorsmod.Wrapf(ErrInvalidParams, "min_domain_points above 16384, got %d", p.MinDomainPoints)
	case p.MinFieldProducers == 0 || p.MinFieldProducers > p.MaxFieldSize:
		return errorsmod.Wrapf(ErrInvalidParams, "min_field_producers must be in [1, max_field_size = %d], got %d", p.MaxFieldSize, p.MinFieldProducers)
	case p.MadMultiplierPpm == 0:
		return errorsmod.Wrap(ErrInvalidParams, "mad_multiplier_ppm must be positive")
	}
	if err := p.RewardPerRound.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidParams, "reward_per_round: %v", err)
	}
	return nil
}
