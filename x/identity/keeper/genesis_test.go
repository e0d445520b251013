package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"

	"github.com/h3lix/h3lix/testutil/apptest"
	"github.com/h3lix/h3lix/x/identity/types"
)

func TestGenesisRoundTrip(t *testing.T) {
	s := newSuite(t)
	for i, op := range s.Accounts[:3] {
		s.register(t, op, "gen-"+string(rune('a'+i)))
	}
	_, err := s.msg.DeregisterNode(s.Ctx, &types.MsgDeregisterNode{Operator: s.Accounts[1].String()})
	require.NoError(t, err)

	exported, err := s.k.ExportGenesis(s.Ctx)
	require.NoError(t, err)
	require.NoError(t, exported.Validate())
	require.Len(t, exported.Nodes, 3)

	// Import into a fresh chain whose escrow holds the bonds.
	fresh := apptest.New(t, 1, nil)
	escrowed := sdk.NewCoins(minBond().AddAmount(minBond().Amount.MulRaw(2)))
	bk := fresh.App.BankKeeper
	require.NoError(t, bk.MintCoins(fresh.Ctx, minttypes.ModuleName, escrowed))
	require.NoError(t, bk.SendCoinsFromModuleToModule(fresh.Ctx, minttypes.ModuleName, types.ModuleName, escrowed))
	k2 := fresh.App.IdentityKeeper
	require.NoError(t, k2.InitGenesis(fresh.Ctx, *exported))

	again, err := k2.ExportGenesis(fresh.Ctx)
	require.NoError(t, err)
	require.Equal(t, exported, again)

	// The unbonding queue is rebuilt from the UNBONDING node.
	n, err := k2.GetNode(fresh.Ctx, s.Accounts[1])
	require.NoError(t, err)
	has, err := k2.UnbondingQueue.Has(fresh.Ctx, collectionsKey(n.UnbondingReleaseHeight, s.Accounts[1]))
	require.NoError(t, err)
	require.True(t, has)
	// ... and the peer id index answers.
	it, err := k2.Nodes.Indexes.PeerID.MatchExact(fresh.Ctx, n.PeerId)
	require.NoError(t, err)
	owners, err := it.PrimaryKeys()
	require.NoError(t, err)
	require.Equal(t, []sdk.AccAddress{s.Accounts[1]}, owners)
}

func TestInitGenesisRejectsUnbackedBonds(t *testing.T) {
	s := newSuite(t)
	s.register(t, s.Accounts[0], "unbacked")
	exported, err := s.k.ExportGenesis(s.Ctx)
	require.NoError(t, err)

	fresh := apptest.New(t, 1, nil)
	err = fresh.App.IdentityKeeper.InitGenesis(fresh.Ctx, *exported)
	require.ErrorIs(t, err, types.ErrInvalidGenesis)
	require.ErrorContains(t, err, "module account holds")
}
