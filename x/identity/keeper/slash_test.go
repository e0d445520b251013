package keeper_test

import (
	"testing"

	sdkmath "cosmossdk.io/math"

	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/x/identity/types"
)

func TestSlashBond(t *testing.T) {
	s := newSuite(t)
	op := s.Accounts[0]
	s.register(t, op, "slash")
	supply := s.App.BankKeeper.GetSupply(s.Ctx, "uhlx").Amount

	burned, err := s.k.SlashBond(s.Ctx, op, 10_000, sdkmath.ZeroInt(), "test") // 1%
	require.NoError(t, err)
	require.Equal(t, uhlx(100_000), burned)
	n, err := s.k.GetNode(s.Ctx, op)
	require.NoError(t, err)
	require.Equal(t, uhlx(9_900_000), n.Bond)
	require.Equal(t, uhlx(9_900_000).Amount, s.escrow(), "escrow holds exactly the bonds")
	require.Equal(t, supply.SubRaw(100_000), s.App.BankKeeper.GetSupply(s.Ctx, "uhlx").Amount, "slashed coins are burned")

	// Rounding down: a tiny fraction of a small bond burns nothing and is fine.
	burned, err = s.k.SlashBond(s.Ctx, op, 0, sdkmath.ZeroInt(), "zero")
	require.NoError(t, err)
	require.True(t, burned.IsZero())

	// A floor above the fraction burns the floor; a floor above the bond burns the bond.
	burned, err = s.k.SlashBond(s.Ctx, op, 10_000, sdkmath.NewInt(7_000_000), "floor")
	require.NoError(t, err)
	require.Equal(t, uhlx(7_000_000), burned)
	burned, err = s.k.SlashBond(s.Ctx, op, 10_000, sdkmath.NewInt(7_000_000), "floor above the bond")
	require.NoError(t, err)
	require.Equal(t, uhlx(2_900_000), burned)
	n, err = s.k.GetNode(s.Ctx, op)
	require.NoError(t, err)
	require.True(t, n.Bond.IsZero())

	s.requireRejected(t, types.ErrInvalidParams, func() error { _, err := s.k.SlashBond(s.Ctx, op, 1_000_001, sdkmath.ZeroInt(), "too much"); return err })
	s.requireRejected(t, types.ErrNodeNotFound, func() error {
		_, err := s.k.SlashBond(s.Ctx, s.Accounts[1], 1, sdkmath.ZeroInt(), "unknown")
		return err
	})
}
