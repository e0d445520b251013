package main

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"

	"github.com/h3lix/h3lix/worker/chain"
)

// TestWorkerAccounts: the keys imported into the memory keyring are the
// seeded ones, so every run funds the same addresses, and each signs for
// its own account.
func TestWorkerAccounts(t *testing.T) {
	c, err := chain.Dial(chain.Config{ChainID: "h3lix-local", GRPC: "127.0.0.1:1"})
	require.NoError(t, err)
	defer c.Close()
	accts, err := workerAccounts(c, 3)
	require.NoError(t, err)
	again, err := workerAccounts(c, 3)
	require.NoError(t, err)
	seen := map[string]bool{}
	for i, a := range accts {
		seed := sha256.Sum256([]byte(fmt.Sprintf("h3lix-loadtest-%d", i)))
		want := sdk.AccAddress(secp256k1.GenPrivKeyFromSecret(seed[:]).PubKey().Address())
		require.Equal(t, want, a.Address())
		require.Equal(t, a.Address(), again[i].Address())
		require.False(t, seen[a.Address().String()])
		seen[a.Address().String()] = true

		rec, err := a.Keyring().Key(a.Name())
		require.NoError(t, err)
		pub, err := rec.GetPubKey()
		require.NoError(t, err)
		sig, _, err := a.Keyring().Sign(a.Name(), []byte("msg"), signing.SignMode_SIGN_MODE_DIRECT)
		require.NoError(t, err)
		require.True(t, pub.VerifySignature([]byte("msg"), sig))
	}
	k0, err := nodeKey(0)
	require.NoError(t, err)
	k1, err := nodeKey(1)
	require.NoError(t, err)
	require.NotEqual(t, k0.PeerID, k1.PeerID)
}
