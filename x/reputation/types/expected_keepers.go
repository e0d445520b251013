package types

import (
	"context"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	identitytypes "github.com/h3lix/h3lix/x/identity/types"
)

// IdentityKeeper is what reputation needs from x/identity.
type IdentityKeeper interface {
	GetNode(ctx context.Context, operator sdk.AccAddress) (identitytypes.Node, error)
	SlashBond(ctx context.Context, operator sdk.AccAddress, fractionPPM uint32, floor sdkmath.Int, reason string) (sdk.Coin, error)
}
