package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/h3lix/h3lix/testutil/apptest"
	"github.com/h3lix/h3lix/x/identity/types"
)

func TestRegisterNode(t *testing.T) {
	s := newSuite(t)
	op := s.Accounts[0]
	key := nodeKey(t, "node-a")
	before := s.balance(op)

	resp, err := s.msg.RegisterNode(s.Ctx, registerMsg(op, key))
	require.NoError(t, err)
	require.Equal(t, key.PeerID, resp.PeerId)
	require.True(t, strings.HasPrefix(key.PeerID, "12D3KooW"), "ed25519 peer ids start with 12D3KooW, got %s", key.PeerID)

	n, err := s.k.GetNode(s.Ctx, op)
	require.NoError(t, err)
	require.Equal(t, types.NODE_STATUS_ACTIVE, n.Status)
	require.Equal(t, []types.Role{types.ROLE_WORKER, types.ROLE_VERIFIER}, n.Roles, "roles are stored sorted")
	require.Equal(t, int64(2), n.RegisteredHeight)
	require.Equal(t, minBond(), n.Bond)
	require.Equal(t, before.Sub(minBond().Amount), s.balance(op))
	require.Equal(t, minBond().Amount, s.escrow())

	got, err := s.q.NodeByPeerID(s.Ctx, &types.QueryNodeByPeerIDRequest{PeerId: key.PeerID})
	require.NoError(t, err)
	require.Equal(t, op.String(), got.Node.Operator)

	var found bool
	for _, ev := range s.Ctx.EventManager().Events() {
		if ev.Type == "h3lix.identity.v1.EventNodeRegistered" {
			found = true
		}
	}
	require.True(t, found, "EventNodeRegistered emitted")
}

func TestRegisterNodeRejections(t *testing.T) {
	s := newSuite(t)
	taken := s.register(t, s.Accounts[1], "taken")
	op := s.Accounts[0]
	key := nodeKey(t, "fresh")
	other := nodeKey(t, "other")
	poor := sdk.AccAddress([]byte("poor-account-no-funds"))

	cases := []struct {
		name   string
		mutate func(m *types.MsgRegisterNode)
		want   error
	}{
		{"bad operator address", func(m *types.MsgRegisterNode) { m.Operator = "h3lix1notanaddress" }, sdkerrors.ErrInvalidAddress},
		{"empty key", func(m *types.MsgRegisterNode) { m.NodePubkey = nil }, types.ErrInvalidNodeKey},
		{"short key", func(m *types.MsgRegisterNode) { m.NodePubkey = m.NodePubkey[:31] }, types.ErrInvalidNodeKey},
		{"all-zero key", func(m *types.MsgRegisterNode) { m.NodePubkey = make([]byte, 32) }, types.ErrInvalidNodeKey},
		{"peer id of another key", func(m *types.MsgRegisterNode) { m.PeerId = other.PeerID }, types.ErrPeerIDMismatch},
		{"missing signature", func(m *types.MsgRegisterNode) { m.KeySignature = nil }, types.ErrInvalidSignature},
		{"signature by another key", func(m *types.MsgRegisterNode) { m.KeySignature = other.SignPoP(apptest.ChainID, op) }, types.ErrInvalidSignature},
		{"signature for another operator", func(m *types.MsgRegisterNode) { m.KeySignature = key.SignPoP(apptest.ChainID, s.Accounts[2]) }, types.ErrInvalidSignature},
		{"signature for another chain", func(m *types.MsgRegisterNode) { m.KeySignature = key.SignPoP("other-chain", op) }, types.ErrInvalidSignature},
		{"malformed multiaddr", func(m *types.MsgRegisterNode) { m.Multiaddrs = []string{"/ip4/1.2.3/tcp/1"} }, types.ErrInvalidMultiaddr},
		{"not a multiaddr", func(m *types.MsgRegisterNode) { m.Multiaddrs = []string{"127.0.0.1:4001"} }, types.ErrInvalidMultiaddr},
		{"non-canonical multiaddr", func(m *types.MsgRegisterNode) { m.Multiaddrs = []string{"/ip4/127.0.0.1/tcp/4001/"} }, types.ErrInvalidMultiaddr},
		{"duplicate multiaddr", func(m *types.MsgRegisterNode) {
			m.Multiaddrs = []string{"/ip4/127.0.0.1/tcp/1", "/ip4/127.0.0.1/tcp/1"}
		}, types.ErrInvalidMultiaddr},
		{"multiaddr of another peer", func(m *types.MsgRegisterNode) { m.Multiaddrs = []string{"/ip4/127.0.0.1/tcp/1/p2p/" + other.PeerID} }, types.ErrInvalidMultiaddr},
		{"too many multiaddrs", func(m *types.MsgRegisterNode) {
			m.Multiaddrs = nil
			for i := 0; i < 9; i++ {
				m.Multiaddrs = append(m.Multiaddrs, "/ip4/127.0.0.1/tcp/"+string(rune('1'+i)))
			}
		}, types.ErrInvalidMultiaddr},
		{"no roles", func(m *types.MsgRegisterNode) { m.Roles = nil }, types.ErrInvalidRoles},
		{"unknown role", func(m *types.MsgRegisterNode) { m.Roles = []types.Role{7} }, types.ErrInvalidRoles},
		{"unspecified role", func(m *types.MsgRegisterNode) { m.Roles = []types.Role{types.ROLE_UNSPECIFIED} }, types.ErrInvalidRoles},
		{"duplicate role", func(m *types.MsgRegisterNode) { m.Roles = []types.Role{types.ROLE_WORKER, types.ROLE_WORKER} }, types.ErrInvalidRoles},
		{"no engine kind", func(m *types.MsgRegisterNode) { m.Engine.Kind = "" }, types.ErrInvalidEngine},
		{"engine model with spaces", func(m *types.MsgRegisterNode) { m.Engine.Model = "my model" }, types.ErrInvalidEngine},
		{"engine version too long", func(m *types.MsgRegisterNode) { m.Engine.Version = strings.Repeat("v", 257) }, types.ErrInvalidEngine},
		{"lower-case grid zone", func(m *types.MsgRegisterNode) { m.GridZone = "de" }, types.ErrInvalidField},
		{"relative metadata URI", func(m *types.MsgRegisterNode) { m.MetadataUri = "just-a-name" }, types.ErrInvalidField},
		{"short agreement key", func(m *types.MsgRegisterNode) { m.AgreementPubkey = []byte{1, 2, 3} }, types.ErrInvalidAgreementKey},
		{"bond below minimum", func(m *types.MsgRegisterNode) { m.Bond = uhlx(9_999_999) }, types.ErrBondTooLow},
		{"bond in another denom", func(m *types.MsgRegisterNode) { m.Bond = sdk.NewInt64Coin("uatom", 10_000_000) }, types.ErrInvalidBond},
		{"bond more than the balance", func(m *types.MsgRegisterNode) {
			m.Operator = poor.String()
			m.KeySignature = key.SignPoP(apptest.ChainID, poor)
		}, sdkerrors.ErrInsufficientFunds},
		{"key registered by another operator", func(m *types.MsgRegisterNode) {
			m.NodePubkey, m.PeerId, m.Multiaddrs = taken.Public(), taken.PeerID, nil
			m.KeySignature = taken.SignPoP(apptest.ChainID, op)
		}, types.ErrPeerIDTaken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := registerMsg(op, key)
			tc.mutate(msg)
			s.requireRejected(t, tc.want, func() error {
				_, err := s.msg.RegisterNode(s.Ctx, msg)
				return err
			})
		})
	}

	t.Run("duplicate registration", func(t *testing.T) {
		s.requireRejected(t, types.ErrNodeExists, func() error {
			_, err := s.msg.RegisterNode(s.Ctx, registerMsg(s.Accounts[1], nodeKey(t, "second-key")))
			return err
		})
	})
}
