package types

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	identitytypes "github.com/h3lix/h3lix/x/identity/types"
)

// IdentityKeeper gates messages on registered, active nodes.
type IdentityKeeper interface {
	GetNode(ctx context.Context, operator sdk.AccAddress) (identitytypes.Node, error)
	ActiveNodeWithRole(ctx context.Context, operator sdk.AccAddress, role identitytypes.Role) (identitytypes.Node, error)
	WalkActiveVerifiers(ctx context.Context, after sdk.AccAddress, limit uint32, fn func(operator sdk.AccAddress) error) (sdk.AccAddress, bool, error)
}

// ReputationKeeper gives verifier weights and the jail gate.
type ReputationKeeper interface {
	Score(ctx context.Context, operator sdk.AccAddress) (uint32, error)
	VerifierWeight(ctx context.Context, operator sdk.AccAddress) (uint64, error)
	IsJailed(ctx context.Context, operator sdk.AccAddress, round uint64) (bool, error)
	CheckNotJailed(ctx context.Context, operator sdk.AccAddress, round uint64) error
}

// RoundSource reads the round in progress (x/ccf owns the schedule).
type RoundSource interface {
	RoundInfo(ctx context.Context) (RoundInfo, error)
}

// BankKeeper escrows, refunds and burns commit fees.
type BankKeeper interface {
	SendCoinsFromAccountToModule(ctx context.Context, senderAddr sdk.AccAddress, recipientModule string, amt sdk.Coins) error
	SendCoinsFromModuleToAccount(ctx context.Context, senderModule string, recipientAddr sdk.AccAddress, amt sdk.Coins) error
	BurnCoins(ctx context.Context, moduleName string, amt sdk.Coins) error
}
