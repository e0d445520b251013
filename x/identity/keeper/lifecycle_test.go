package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/types/query"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/h3lix/h3lix/testutil/apptest"
	"github.com/h3lix/h3lix/x/identity/types"
)

func TestUpdateNode(t *testing.T) {
	s := newSuite(t)
	op := s.Accounts[0]
	key := s.register(t, op, "upd")
	stranger := s.Accounts[1]

	rejections := []struct {
		name string
		msg  *types.MsgUpdateNode
		want error
	}{
		{"unknown node", &types.MsgUpdateNode{Operator: stranger.String(), GridZone: "FR"}, types.ErrNodeNotFound},
		{"bad address", &types.MsgUpdateNode{Operator: "nope"}, sdkerrors.ErrInvalidAddress},
		{"bad multiaddr", &types.MsgUpdateNode{Operator: op.String(), Multiaddrs: []string{"/tcp/notaport"}}, types.ErrInvalidMultiaddr},
		{"bad role", &types.MsgUpdateNode{Operator: op.String(), Roles: []types.Role{9}}, types.ErrInvalidRoles},
		{"engine without kind", &types.MsgUpdateNode{Operator: op.String(), Engine: &types.EngineDescriptor{Model: "x"}}, types.ErrInvalidEngine},
		{"bond in another denom", &types.MsgUpdateNode{Operator: op.String(), AddBond: ptr(sdk.NewInt64Coin("uatom", 5))}, types.ErrInvalidBond},
		{"bond more than the balance", &types.MsgUpdateNode{Operator: op.String(), AddBond: ptr(uhlx(2_000_000_000_000))}, sdkerrors.ErrInsufficientFunds},
	}
	for _, tc := range rejections {
		t.Run(tc.name, func(t *testing.T) {
			s.requireRejected(t, tc.want, func() error {
				_, err := s.msg.UpdateNode(s.Ctx, tc.msg)
				return err
			})
		})
	}

	_, err := s.msg.UpdateNode(s.Ctx, &types.MsgUpdateNode{
		Operator: op.String(), Multiaddrs: []string{"/dns4/node.example.org/tcp/4001"}, Roles: []types.Role{types.ROLE_WORKER},
		AddBond: ptr(uhlx(5_000_000)),
	})
	require.NoError(t, err)
	n, err := s.k.GetNode(s.Ctx, op)
	require.NoError(t, err)
	require.Equal(t, []string{"/dns4/node.example.org/tcp/4001"}, n.Multiaddrs)
	require.Equal(t, []types.Role{types.ROLE_WORKER}, n.Roles)
	require.Equal(t, "DE", n.GridZone, "unset fields keep their value")
	require.Equal(t, key.PeerID, n.PeerId)
	require.Equal(t, uhlx(15_000_000), n.Bond)
	require.Equal(t, uhlx(15_000_000).Amount, s.escrow())
}

func TestRotateNodeKey(t *testing.T) {
	s := newSuite(t)
	op := s.Accounts[0]
	oldKey := s.register(t, op, "rot-old")
	takenKey := s.register(t, s.Accounts[1], "rot-taken")
	newKey := nodeKey(t, "rot-new")
	registered := s.Ctx.BlockHeight()

	// A key may not change within key_rotation_interval_blocks of registration.
	s.requireRejected(t, types.ErrRotationTooSoon, func() error {
		_, err := s.msg.RotateNodeKey(s.Ctx, &types.MsgRotateNodeKey{Operator: op.String(), NewNodePubkey: newKey.Public(), KeySignature: newKey.SignPoP(apptest.ChainID, op)})
		return err
	})
	interval := types.DefaultParams().KeyRotationIntervalBlocks
	s.Ctx = s.Ctx.WithBlockHeight(registered + interval)

	rejections := []struct {
		name string
		msg  *types.MsgRotateNodeKey
		want error
	}{
		{"same key", &types.MsgRotateNodeKey{Operator: op.String(), NewNodePubkey: oldKey.Public(), KeySignature: oldKey.SignPoP(apptest.ChainID, op)}, types.ErrInvalidNodeKey},
		{"malformed key", &types.MsgRotateNodeKey{Operator: op.String(), NewNodePubkey: []byte{1}, KeySignature: newKey.SignPoP(apptest.ChainID, op)}, types.ErrInvalidNodeKey},
		{"signed by the old key", &types.MsgRotateNodeKey{Operator: op.String(), NewNodePubkey: newKey.Public(), KeySignature: oldKey.SignPoP(apptest.ChainID, op)}, types.ErrInvalidSignature},
		{"key of another node", &types.MsgRotateNodeKey{Operator: op.String(), NewNodePubkey: takenKey.Public(), KeySignature: takenKey.SignPoP(apptest.ChainID, op)}, types.ErrPeerIDTaken},
		{"unknown node", &types.MsgRotateNodeKey{Operator: s.Accounts[2].String(), NewNodePubkey: newKey.Public(), KeySignature: newKey.SignPoP(apptest.ChainID, s.Accounts[2])}, types.ErrNodeNotFound},
	}
	for _, tc := range rejections {
		t.Run(tc.name, func(t *testing.T) {
			s.requireRejected(t, tc.want, func() error {
				_, err := s.msg.RotateNodeKey(s.Ctx, tc.msg)
				return err
			})
		})
	}

	resp, err := s.msg.RotateNodeKey(s.Ctx, &types.MsgRotateNodeKey{Operator: op.String(), NewNodePubkey: newKey.Public(), KeySignature: newKey.SignPoP(apptest.ChainID, op)})
	require.NoError(t, err)
	require.Equal(t, newKey.PeerID, resp.PeerId)
	n, err := s.k.GetNode(s.Ctx, op)
	require.NoError(t, err)
	require.Equal(t, []string{"/ip4/127.0.0.1/tcp/4001"}, n.Multiaddrs, "the multiaddr naming the old peer is dropped")

	n, err = s.k.GetNode(s.Ctx, op)
	require.NoError(t, err)
	require.Equal(t, s.Ctx.BlockHeight(), n.KeyRotatedHeight)
	// ... nor within the interval of the last rotation, and the refusal
	// consumes gas for nothing but the checks before the signature.
	third := nodeKey(t, "rot-third")
	s.requireRejected(t, types.ErrRotationTooSoon, func() error {
		_, err := s.msg.RotateNodeKey(s.Ctx.WithBlockHeight(s.Ctx.BlockHeight()+interval-1), &types.MsgRotateNodeKey{Operator: op.String(), NewNodePubkey: third.Public(), KeySignature: third.SignPoP(apptest.ChainID, op)})
		return err
	})

	_, err = s.q.NodeByPeerID(s.Ctx, &types.QueryNodeByPeerIDRequest{PeerId: oldKey.PeerID})
	require.Equal(t, codes.NotFound, status.Code(err), "the old peer id is released")
	// ... so another operator may now register the old key.
	_, err = s.msg.RegisterNode(s.Ctx, registerMsg(s.Accounts[2], oldKey))
	require.NoError(t, err)
}

func TestDeregisterAndUnbonding(t *testing.T) {
	s := newSuite(t)
	params := types.DefaultParams()
	params.UnbondingBlocks = 10
	params.MaxUnbondingsPerBlock = 2
	require.NoError(t, s.k.Params.Set(s.Ctx, params))

	ops := s.Accounts[:3]
	for i, op := range ops {
		s.register(t, op, "unbond-"+string(rune('a'+i)))
	}
	start := make(map[string]string)
	for _, op := range ops {
		start[op.String()] = s.balance(op).String()
	}
	for _, op := range ops {
		resp, err := s.msg.DeregisterNode(s.Ctx, &types.MsgDeregisterNode{Operator: op.String()})
		require.NoError(t, err)
		require.Equal(t, int64(12), resp.ReleaseHeight)
	}
	t.Run("deregister twice", func(t *testing.T) {
		s.requireRejected(t, types.ErrNodeNotActive, func() error {
			_, err := s.msg.DeregisterNode(s.Ctx, &types.MsgDeregisterNode{Operator: ops[0].String()})
			return err
		})
	})
	t.Run("update while unbonding", func(t *testing.T) {
		s.requireRejected(t, types.ErrNodeNotActive, func() error {
			_, err := s.msg.UpdateNode(s.Ctx, &types.MsgUpdateNode{Operator: ops[0].String(), GridZone: "FR"})
			return err
		})
	})
	t.Run("unknown node", func(t *testing.T) {
		s.requireRejected(t, types.ErrNodeNotFound, func() error {
			_, err := s.msg.DeregisterNode(s.Ctx, &types.MsgDeregisterNode{Operator: s.Accounts[3].String()})
			return err
		})
	})
	_, err := s.k.ActiveNodeWithRole(s.Ctx, ops[0], types.ROLE_WORKER)
	require.ErrorIs(t, err, types.ErrNodeNotActive)

	// Before the release height nothing moves.
	require.NoError(t, s.k.EndBlocker(s.Ctx.WithBlockHeight(11)))
	require.Equal(t, minBond().Amount.MulRaw(3), s.escrow())

	// At the release height the cap (2) applies: two now, one next block.
	require.NoError(t, s.k.EndBlocker(s.Ctx.WithBlockHeight(12)))
	require.Equal(t, minBond().Amount, s.escrow())
	require.NoError(t, s.k.EndBlocker(s.Ctx.WithBlockHeight(13)))
	require.True(t, s.escrow().IsZero())
	for _, op := range ops {
		n, err := s.k.GetNode(s.Ctx, op)
		require.NoError(t, err)
		require.Equal(t, types.NODE_STATUS_DEREGISTERED, n.Status)
		require.True(t, n.Bond.IsZero())
		require.Equal(t, start[op.String()], s.balance(op).Sub(minBond().Amount).String(), "bond returned")
	}
	has, err := s.k.UnbondingQueue.Has(s.Ctx, collectionsKey(12, ops[0]))
	require.NoError(t, err)
	require.False(t, has)

	// Once released, a node key may be registered by another operator...
	_, err = s.msg.RegisterNode(s.Ctx.WithBlockHeight(14), registerMsg(s.Accounts[3], nodeKey(t, "unbond-b")))
	require.NoError(t, err)
	resp, err := s.q.NodeByPeerID(s.Ctx, &types.QueryNodeByPeerIDRequest{PeerId: nodeKey(t, "unbond-b").PeerID})
	require.NoError(t, err)
	require.Equal(t, s.Accounts[3].String(), resp.Node.Operator, "the holder is the active node, not the released record")
	// ... but not while another node holds it.
	s.requireRejected(t, types.ErrPeerIDTaken, func() error {
		_, err := s.msg.RegisterNode(s.Ctx.WithBlockHeight(14), registerMsg(ops[1], nodeKey(t, "unbond-b")))
		return err
	})

	// A deregistered operator may register again, with the same key.
	_, err = s.msg.RegisterNode(s.Ctx.WithBlockHeight(14), registerMsg(ops[0], nodeKey(t, "unbond-a")))
	require.NoError(t, err)
	n, err := s.k.GetNode(s.Ctx, ops[0])
	require.NoError(t, err)
	require.Equal(t, types.NODE_STATUS_ACTIVE, n.Status)
	require.Equal(t, int64(14), n.RegisteredHeight)
}

func TestUpdateParams(t *testing.T) {
	s := newSuite(t)
	gov := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	good := types.DefaultParams()
	good.MinBond = uhlx(1)

	s.requireRejected(t, types.ErrInvalidAuthority, func() error {
		_, err := s.msg.UpdateParams(s.Ctx, &types.MsgUpdateParams{Authority: s.Accounts[0].String(), Params: good})
		return err
	})
	bad := good
	bad.UnbondingBlocks = 0
	s.requireRejected(t, types.ErrInvalidParams, func() error {
		_, err := s.msg.UpdateParams(s.Ctx, &types.MsgUpdateParams{Authority: gov, Params: bad})
		return err
	})
	_, err := s.msg.UpdateParams(s.Ctx, &types.MsgUpdateParams{Authority: gov, Params: good})
	require.NoError(t, err)
	got, err := s.q.Params(s.Ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, good, got.Params)
}

func TestQueries(t *testing.T) {
	s := newSuite(t)
	for i, op := range s.Accounts {
		msg := registerMsg(op, nodeKey(t, "q-"+string(rune('a'+i))))
		if i%2 == 1 {
			msg.Roles = []types.Role{types.ROLE_VERIFIER}
		}
		_, err := s.msg.RegisterNode(s.Ctx, msg)
		require.NoError(t, err)
	}
	_, err := s.msg.DeregisterNode(s.Ctx, &types.MsgDeregisterNode{Operator: s.Accounts[0].String()})
	require.NoError(t, err)

	all, err := s.q.Nodes(s.Ctx, &types.QueryNodesRequest{})
	require.NoError(t, err)
	require.Len(t, all.Nodes, 4)

	workers, err := s.q.Nodes(s.Ctx, &types.QueryNodesRequest{Role: types.ROLE_WORKER})
	require.NoError(t, err)
	require.Len(t, workers.Nodes, 2)

	activeWorkers, err := s.q.Nodes(s.Ctx, &types.QueryNodesRequest{Role: types.ROLE_WORKER, Status: types.NODE_STATUS_ACTIVE})
	require.NoError(t, err)
	require.Len(t, activeWorkers.Nodes, 1)

	page1, err := s.q.Nodes(s.Ctx, &types.QueryNodesRequest{Pagination: &query.PageRequest{Limit: 3}})
	require.NoError(t, err)
	require.Len(t, page1.Nodes, 3)
	require.NotEmpty(t, page1.Pagination.NextKey)
	page2, err := s.q.Nodes(s.Ctx, &types.QueryNodesRequest{Pagination: &query.PageRequest{Key: page1.Pagination.NextKey, Limit: 3}})
	require.NoError(t, err)
	require.Len(t, page2.Nodes, 1)

	for _, tc := range []struct {
		name string
		err  error
		code codes.Code
	}{
		{"node of bad address", func() error { _, err := s.q.Node(s.Ctx, &types.QueryNodeRequest{Operator: "x"}); return err }(), codes.InvalidArgument},
		{"unknown node", func() error {
			_, err := s.q.Node(s.Ctx, &types.QueryNodeRequest{Operator: apptestAddr(s).String()})
			return err
		}(), codes.NotFound},
		{"unknown role filter", func() error { _, err := s.q.Nodes(s.Ctx, &types.QueryNodesRequest{Role: 42}); return err }(), codes.InvalidArgument},
		{"empty peer id", func() error { _, err := s.q.NodeByPeerID(s.Ctx, &types.QueryNodeByPeerIDRequest{}); return err }(), codes.InvalidArgument},
		{"nil request", func() error { _, err := s.q.Node(s.Ctx, nil); return err }(), codes.InvalidArgument},
	} {
		require.Equal(t, tc.code, status.Code(tc.err), tc.name)
	}
}
