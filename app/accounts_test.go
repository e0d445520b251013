package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/h3lix/h3lix/testutil/apptest"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
)

// Anyone may top up the round reward pool; the escrow accounts refuse plain
// sends, which would break their accounting.
func TestModuleAccountsAcceptingSends(t *testing.T) {
	f := apptest.New(t, 1, nil)
	coins := sdk.NewCoins(sdk.NewInt64Coin("uhlx", 1000))
	from := f.Accounts[0]
	require.NoError(t, f.App.BankKeeper.SendCoins(f.Ctx, from, authtypes.NewModuleAddress(ccftypes.ModuleName), coins))
	for _, blocked := range []string{identitytypes.ModuleName, "artifact", authtypes.FeeCollectorName} {
		require.True(t, f.App.BankKeeper.BlockedAddr(authtypes.NewModuleAddress(blocked)), "%s must be blocked", blocked)
	}
	require.False(t, f.App.BankKeeper.BlockedAddr(authtypes.NewModuleAddress(ccftypes.ModuleName)))
}
