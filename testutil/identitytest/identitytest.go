// Package identitytest builds valid identity messages for tests of other
// packages (app wiring, networks, later the round modules).
package identitytest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/identity/client/nodekey"
	"github.com/h3lix/h3lix/x/identity/types"
)

// NodeKey is a deterministic node key for index i.
func NodeKey(t testing.TB, i int) nodekey.Key {
	return NodeKeyFor(t, fmt.Sprintf("identitytest-node-%d", i))
}

// NodeKeyFor is a deterministic node key derived from a label.
func NodeKeyFor(t testing.TB, label string) nodekey.Key {
	seed := sha256.Sum256([]byte(label))
	k, err := nodekey.FromPrivate(ed25519.NewKeyFromSeed(seed[:]))
	require.NoError(t, err)
	return k
}

// RegisterMsg is a valid registration of node i by operator on chainID, with
// the default minimum bond.
func RegisterMsg(t testing.TB, chainID string, operator sdk.AccAddress, i int) *types.MsgRegisterNode {
	key := NodeKey(t, i)
	return &types.MsgRegisterNode{
		Operator:     operator.String(),
		NodePubkey:   key.Public(),
		KeySignature: key.SignPoP(chainID, operator),
		Multiaddrs:   []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", 4001+i)},
		Roles:        []types.Role{types.ROLE_WORKER, types.ROLE_VERIFIER},
		Engine:       types.EngineDescriptor{Kind: "pbe", Model: "h3lix-pbe", Version: "0.1.0"},
		Bond:         sdk.NewCoin(types.DefaultBondDenom, sdkmath.NewInt(10_000_000)),
	}
}
