package types_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/app"
	"github.com/h3lix/h3lix/x/identity/types"
)

func init() { app.SetConfig() }

func testNode(label string) types.Node {
	seed := sha256.Sum256([]byte(label))
	pub := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
	peerID, err := types.PeerIDFromNodeKey(pub)
	if err != nil {
		panic(err)
	}
	return types.Node{
		Operator:   sdk.AccAddress(seed[:20]).String(),
		NodePubkey: pub,
		PeerId:     peerID,
		Multiaddrs: []string{"/ip4/127.0.0.1/tcp/4001"},
		Roles:      []types.Role{types.ROLE_WORKER},
		Engine:     types.EngineDescriptor{Kind: "pbe"},
		Bond:       types.DefaultParams().MinBond,
		Status:     types.NODE_STATUS_ACTIVE,
	}
}

func TestGenesisValidate(t *testing.T) {
	require.NoError(t, types.DefaultGenesis().Validate())

	a, b := testNode("a"), testNode("b")
	cases := []struct {
		name   string
		mutate func(gs *types.GenesisState)
		want   error
	}{
		{"valid", func(*types.GenesisState) {}, nil},
		{"bad params", func(gs *types.GenesisState) { gs.Params.MaxMultiaddrs = 0 }, types.ErrInvalidParams},
		{"duplicate operator", func(gs *types.GenesisState) { gs.Nodes[1].Operator = gs.Nodes[0].Operator }, types.ErrInvalidGenesis},
		{"duplicate peer id", func(gs *types.GenesisState) {
			gs.Nodes[1].NodePubkey, gs.Nodes[1].PeerId = gs.Nodes[0].NodePubkey, gs.Nodes[0].PeerId
		}, types.ErrInvalidGenesis},
		{"peer id not of the key", func(gs *types.GenesisState) { gs.Nodes[0].PeerId = gs.Nodes[1].PeerId }, types.ErrInvalidGenesis},
		{"bad operator", func(gs *types.GenesisState) { gs.Nodes[0].Operator = "cosmos1xyz" }, types.ErrInvalidGenesis},
		{"unbonding without release height", func(gs *types.GenesisState) { gs.Nodes[0].Status = types.NODE_STATUS_UNBONDING }, types.ErrInvalidGenesis},
		{"active with release height", func(gs *types.GenesisState) { gs.Nodes[0].UnbondingReleaseHeight = 5 }, types.ErrInvalidGenesis},
		{"deregistered holding a bond", func(gs *types.GenesisState) { gs.Nodes[0].Status = types.NODE_STATUS_DEREGISTERED }, types.ErrInvalidGenesis},
		{"unknown status", func(gs *types.GenesisState) { gs.Nodes[0].Status = 9 }, types.ErrInvalidGenesis},
		{"bad multiaddr", func(gs *types.GenesisState) { gs.Nodes[0].Multiaddrs = []string{"nope"} }, types.ErrInvalidGenesis},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gs := types.GenesisState{Params: types.DefaultParams(), Nodes: []types.Node{a, b}}
			gs.Nodes = append([]types.Node(nil), gs.Nodes...)
			tc.mutate(&gs)
			err := gs.Validate()
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestParamsValidate(t *testing.T) {
	for name, mutate := range map[string]func(*types.Params){
		"negative min bond":   func(p *types.Params) { p.MinBond.Amount = p.MinBond.Amount.Neg() },
		"bad denom":           func(p *types.Params) { p.MinBond.Denom = "1x" },
		"zero unbonding":      func(p *types.Params) { p.UnbondingBlocks = 0 },
		"zero unbonding cap":  func(p *types.Params) { p.MaxUnbondingsPerBlock = 0 },
		"too many multiaddrs": func(p *types.Params) { p.MaxMultiaddrs = 65 },
		"field length tiny":   func(p *types.Params) { p.MaxFieldLength = 3 },
	} {
		p := types.DefaultParams()
		mutate(&p)
		require.ErrorIs(t, p.Validate(), types.ErrInvalidParams, name)
	}
}

func TestPeerIDDerivation(t *testing.T) {
	// The libp2p peer id of the ed25519 key with seed 0x00..00, as libp2p
	// itself derives it (identity multihash of the protobuf-encoded key).
	pub := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	id, err := types.PeerIDFromNodeKey(pub)
	require.NoError(t, err)
	require.Equal(t, "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN", id)
}

// FuzzGenesisJSON decodes arbitrary JSON as an identity genesis and validates
// it: no input may panic the decoder or the validation.
func FuzzGenesisJSON(f *testing.F) {
	cdc := app.MakeEncodingConfig().Codec
	valid, err := cdc.MarshalJSON(&types.GenesisState{Params: types.DefaultParams(), Nodes: []types.Node{testNode("f")}})
	require.NoError(f, err)
	f.Add(valid)
	f.Add([]byte(`{"params":{"min_bond":{"denom":"uhlx","amount":"-1"}}}`))
	f.Add([]byte(`{"nodes":[{"node_pubkey":"AAAA","status":"NODE_STATUS_UNBONDING"}]}`))
	f.Fuzz(func(t *testing.T, bz []byte) {
		var gs types.GenesisState
		if err := cdc.UnmarshalJSON(bz, &gs); err != nil {
			return
		}
		_ = gs.Validate()
	})
}
