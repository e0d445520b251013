package app_test

import (
	"encoding/json"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/baseapp"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"

	"github.com/h3lix/h3lix/app"
	"github.com/h3lix/h3lix/testutil/apptest"
	"github.com/h3lix/h3lix/testutil/identitytest"
	identitykeeper "github.com/h3lix/h3lix/x/identity/keeper"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
)

// TestExportImportRoundTrip exports a chain with H3LIX state, imports it into
// fresh apps and checks that the state read back is exactly the exported one
// and that two imports agree on the app hash.
func TestExportImportRoundTrip(t *testing.T) {
	f := apptest.New(t, 3, nil)
	msgs := identitykeeper.NewMsgServerImpl(f.App.IdentityKeeper)
	for i, op := range f.Accounts {
		_, err := msgs.RegisterNode(f.Ctx, identitytest.RegisterMsg(t, apptest.ChainID, op, i))
		require.NoError(t, err)
	}
	_, err := msgs.DeregisterNode(f.Ctx, &identitytypes.MsgDeregisterNode{Operator: f.Accounts[2].String()})
	require.NoError(t, err)
	f.Commit(t)
	f.Commit(t)

	exported, err := f.App.ExportAppStateAndValidators(false, nil, nil)
	require.NoError(t, err)
	_, err = f.App.ExportAppStateAndValidators(true, nil, nil)
	require.ErrorContains(t, err, "not supported yet")

	importOnce := func() ([]byte, map[string]json.RawMessage) {
		b := app.New(log.NewNopLogger(), dbm.NewMemDB(), simtestutil.NewAppOptionsWithFlagHome(t.TempDir()), baseapp.SetChainID(apptest.ChainID))
		resp, err := b.InitChain(&abci.RequestInitChain{
			ChainId:         apptest.ChainID,
			InitialHeight:   exported.Height,
			ConsensusParams: &exported.ConsensusParams,
			AppStateBytes:   exported.AppState,
		})
		require.NoError(t, err)
		ctx := b.NewContextLegacy(false, cmtproto.Header{Height: exported.Height, ChainID: apptest.ChainID})
		state, err := b.ModuleManager.ExportGenesisForModules(ctx, b.AppCodec(), nil)
		require.NoError(t, err)
		return resp.AppHash, state
	}
	hash1, state1 := importOnce()
	hash2, _ := importOnce()
	require.Equal(t, hash1, hash2, "two imports of one export must agree on the app hash")

	var want map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(exported.AppState, &want))
	require.Equal(t, len(want), len(state1))
	for module, raw := range want {
		require.JSONEq(t, string(raw), string(state1[module]), "module %s state differs after import", module)
	}

	var ids identitytypes.GenesisState
	f.App.AppCodec().MustUnmarshalJSON(want[identitytypes.ModuleName], &ids)
	require.Len(t, ids.Nodes, 3, "the exported state holds the registered nodes")
}

func newTestApp(t *testing.T) *app.H3lixApp {
	return app.New(log.NewNopLogger(), dbm.NewMemDB(), simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
}
