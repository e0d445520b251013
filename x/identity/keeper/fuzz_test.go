package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/identity/types"
)

// FuzzRegisterNode feeds arbitrary bytes through the protobuf decoder and the
// registration path. Whatever the input: no panic, and a rejected message
// leaves the identity and bank stores untouched. `go test` runs the seeds;
// `go test -fuzz FuzzRegisterNode ./x/identity/keeper` explores further.
func FuzzRegisterNode(f *testing.F) {
	s := newSuite(f)
	op := s.Accounts[0]
	valid := registerMsg(op, nodeKey(f, "fuzz"))
	seed := func(mutate func(*types.MsgRegisterNode)) {
		m := *valid
		m.Multiaddrs = append([]string(nil), valid.Multiaddrs...)
		mutate(&m)
		bz, err := m.Marshal()
		require.NoError(f, err)
		f.Add(bz)
	}
	seed(func(*types.MsgRegisterNode) {})
	seed(func(m *types.MsgRegisterNode) { m.NodePubkey = m.NodePubkey[:16] })
	seed(func(m *types.MsgRegisterNode) { m.Multiaddrs = []string{"/ip6/::1/tcp/0", "/dns/x/udp/1/quic-v1"} })
	seed(func(m *types.MsgRegisterNode) { m.Multiaddrs = []string{"/ip4/999.0.0.1/tcp/1"} })
	seed(func(m *types.MsgRegisterNode) { m.Bond.Amount = m.Bond.Amount.Neg() })
	seed(func(m *types.MsgRegisterNode) { m.Roles = []types.Role{-1, 1 << 30} })
	seed(func(m *types.MsgRegisterNode) { m.Engine.Kind = "\x00\xff" })
	f.Add([]byte{})
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})

	f.Fuzz(func(t *testing.T, bz []byte) {
		var msg types.MsgRegisterNode
		if err := msg.Unmarshal(bz); err != nil {
			return
		}
		ctx, _ := s.Ctx.CacheContext()
		before := dump(t, s, ctx)
		if _, err := s.msg.RegisterNode(ctx, &msg); err != nil {
			require.Equal(t, before, dump(t, s, ctx), "rejected message changed state: %v", err)
			return
		}
		n, err := s.k.GetNode(ctx, op)
		if err == nil {
			require.NoError(t, types.ValidateNodeRecord(n, types.DefaultParams()), "accepted node must be a valid record")
		}
	})
}

func dump(t *testing.T, s *suite, ctx sdk.Context) map[string]string {
	saved := s.Ctx
	defer func() { s.Ctx = saved }()
	s.Ctx = ctx
	return s.StoreDump(t, stores...)
}
