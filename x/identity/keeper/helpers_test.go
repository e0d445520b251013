package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/h3lix/h3lix/app"
	"github.com/h3lix/h3lix/testutil/apptest"
	"github.com/h3lix/h3lix/testutil/identitytest"
	"github.com/h3lix/h3lix/x/identity/client/nodekey"
	"github.com/h3lix/h3lix/x/identity/keeper"
	"github.com/h3lix/h3lix/x/identity/types"
)

type suite struct {
	*apptest.Fixture
	k   keeper.Keeper
	msg types.MsgServer
	q   types.QueryServer
}

func newSuite(t testing.TB) *suite {
	f := apptest.New(t, 4, nil)
	k := f.App.IdentityKeeper
	return &suite{Fixture: f, k: k, msg: keeper.NewMsgServerImpl(k), q: keeper.NewQueryServerImpl(k)}
}

// nodeKey derives a deterministic node key from a label.
func nodeKey(t testing.TB, label string) nodekey.Key { return identitytest.NodeKeyFor(t, label) }

func minBond() sdk.Coin { return types.DefaultParams().MinBond }

func uhlx(n int64) sdk.Coin { return sdk.NewCoin(app.BondDenom, sdkmath.NewInt(n)) }

// registerMsg is a valid registration of key by operator.
func registerMsg(operator sdk.AccAddress, key nodekey.Key) *types.MsgRegisterNode {
	return &types.MsgRegisterNode{
		Operator:     operator.String(),
		NodePubkey:   key.Public(),
		KeySignature: key.SignPoP(apptest.ChainID, operator),
		PeerId:       key.PeerID,
		Multiaddrs:   []string{"/ip4/127.0.0.1/tcp/4001", "/ip4/127.0.0.1/udp/4001/quic-v1/p2p/" + key.PeerID},
		Roles:        []types.Role{types.ROLE_VERIFIER, types.ROLE_WORKER},
		Engine:       types.EngineDescriptor{Kind: "pbe", Model: "h3lix-pbe", Version: "0.1.0"},
		GridZone:     "DE",
		MetadataUri:  "ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
		Bond:         minBond(),
	}
}

// stores are the stores a rejected identity message must leave untouched.
var stores = []string{types.StoreKey, banktypes.StoreKey}

// requireRejected runs fn, expects err to match want, and checks that the
// identity and bank stores are exactly as before.
func (s *suite) requireRejected(t *testing.T, want error, fn func() error) {
	t.Helper()
	before := s.StoreDump(t, stores...)
	err := fn()
	require.ErrorIs(t, err, want)
	require.Equal(t, before, s.StoreDump(t, stores...), "a rejected message changed state")
}

func (s *suite) register(t *testing.T, operator sdk.AccAddress, label string) nodekey.Key {
	t.Helper()
	key := nodeKey(t, label)
	_, err := s.msg.RegisterNode(s.Ctx, registerMsg(operator, key))
	require.NoError(t, err)
	return key
}

func (s *suite) balance(addr sdk.AccAddress) sdkmath.Int {
	return s.App.BankKeeper.GetBalance(s.Ctx, addr, app.BondDenom).Amount
}

func (s *suite) escrow() sdkmath.Int {
	return s.balance(s.App.AccountKeeper.GetModuleAddress(types.ModuleName))
}

func ptr[T any](v T) *T { return &v }

func collectionsKey(h int64, op sdk.AccAddress) collections.Pair[int64, sdk.AccAddress] {
	return collections.Join(h, op)
}

// apptestAddr is an address that registered nothing.
func apptestAddr(_ *suite) sdk.AccAddress { return sdk.AccAddress([]byte("never-registered-addr")) }
