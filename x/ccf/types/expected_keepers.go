package types

import (
	"context"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	reputationtypes "github.com/h3lix/h3lix/x/reputation/types"
)

// ArtifactKeeper is what finalization reads from x/artifact.
type ArtifactKeeper interface {
	IterateRound(ctx context.Context, round, from uint64, limit uint32, fn func(artifacttypes.Artifact) error) (next uint64, done bool, err error)
	AttestationsOf(ctx context.Context, id uint64) ([]artifacttypes.Attestation, error)
	AttestationOf(ctx context.Context, id uint64, verifier sdk.AccAddress) (artifacttypes.Attestation, bool, error)
	GetArtifact(ctx context.Context, id uint64) (artifacttypes.Artifact, error)
	FreezeStep(ctx context.Context, round uint64, kPer uint32, limit uint32) (bool, error)
	SetSeed(ctx context.Context, round uint64, seed []byte) error
	BurnCommitFee(ctx context.Context, a artifacttypes.Artifact) error
	Assigner(ctx context.Context, round uint64) (artifacttypes.Assignments, error)
	FrozenWeight(ctx context.Context, round uint64, verifier sdk.AccAddress) (uint64, error)
	RoundSize(ctx context.Context, round uint64) (uint64, error)
	PruneRound(ctx context.Context, round uint64, limit uint32) (uint32, bool, error)
}

// ReputationKeeper applies round outcomes and slashes.
type ReputationKeeper interface {
	Score(ctx context.Context, operator sdk.AccAddress) (uint32, error)
	ApplyOutcome(ctx context.Context, operator sdk.AccAddress, o reputationtypes.Outcome) (reputationtypes.Reputation, error)
	Slash(ctx context.Context, operator sdk.AccAddress, round uint64, floor sdkmath.Int) (sdk.Coin, error)
}

// BankKeeper pays rewards from the module account.
type BankKeeper interface {
	GetBalance(ctx context.Context, addr sdk.AccAddress, denom string) sdk.Coin
	SendCoinsFromModuleToAccount(ctx context.Context, senderModule string, recipientAddr sdk.AccAddress, amt sdk.Coins) error
}

// AccountKeeper gives the module account address.
type AccountKeeper interface {
	GetModuleAddress(moduleName string) sdk.AccAddress
	GetModuleAccount(ctx context.Context, moduleName string) sdk.ModuleAccountI
}
