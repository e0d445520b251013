package chain_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/worker/chain"
)

func TestOpenKeyring(t *testing.T) {
	_, err := chain.OpenKeyring("kwallet", t.TempDir(), nil)
	require.ErrorContains(t, err, `keyring backend "kwallet"`)
	require.ErrorContains(t, err, "use test, file or os")

	for _, backend := range []string{"test", "file", "os"} {
		_, err = chain.OpenKeyring(backend, "", nil)
		require.ErrorContains(t, err, "keyring dir is empty", backend)
		require.ErrorContains(t, err, "--keyring-dir", backend)
	}

	// A key written through one handle is there for the next, as for h3lixd.
	dir := t.TempDir()
	kr, err := chain.OpenKeyring("test", dir, nil)
	require.NoError(t, err)
	rec, _, err := kr.NewMnemonic("alice", keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
	require.NoError(t, err)
	again, err := chain.OpenKeyring("test", dir, nil)
	require.NoError(t, err)
	got, err := again.Key("alice")
	require.NoError(t, err)
	require.Equal(t, rec.PubKey, got.PubKey)

	mem, err := chain.OpenKeyring("memory", "", nil)
	require.NoError(t, err)
	list, err := mem.List()
	require.NoError(t, err)
	require.Empty(t, list)
}
