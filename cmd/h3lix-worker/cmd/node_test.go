package cmd

import (
	"context"
	"crypto/rand"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"

	"github.com/h3lix/h3lix/worker/api"
	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/node"
	"github.com/h3lix/h3lix/worker/store"
)

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// initHome runs init in a fresh home whose API address nobody answers.
func initHome(t *testing.T, extra ...string) string {
	t.Helper()
	home := filepath.Join(t.TempDir(), "worker")
	args := append([]string{"init", "--home", home, "--api-listen", freeAddr(t)}, extra...)
	_, _, err := run(t, args...)
	require.NoError(t, err)
	return home
}

func TestInit(t *testing.T) {
	home := filepath.Join(t.TempDir(), "worker")
	base := t.TempDir()
	t.Chdir(base)
	require.NoError(t, os.Mkdir("tasks", 0o700))
	out, _, err := run(t, "init", "--home", home, "--chain-id", "h3lix-test", "--grpc", "127.0.0.1:19090",
		"--from", "bob", "--p2p-listen", "/ip4/127.0.0.1/tcp/4101", "--api-listen", "127.0.0.1:18480",
		"--tasks", "tasks", "--gas-adjustment", "1.8", "--grid-zone", "DE")
	require.NoError(t, err)
	cfgPath := filepath.Join(home, node.ConfigFile)
	require.Contains(t, out, "wrote "+cfgPath)
	require.Contains(t, out, "h3lix-worker register --home "+home)

	for _, f := range []string{node.ConfigFile, node.NodeKeyFile} {
		info, err := os.Stat(filepath.Join(home, f))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), f)
	}
	key, err := chain.LoadNodeKey(node.NodeKeyPath(home))
	require.NoError(t, err)
	require.Contains(t, out, key.PeerID)

	cfg, err := node.Load(home, nil)
	require.NoError(t, err)
	require.Equal(t, "h3lix-test", cfg.Chain.ID)
	require.Equal(t, "127.0.0.1:19090", cfg.Chain.GRPC)
	require.Equal(t, 1.8, cfg.Chain.GasAdjustment)
	require.Equal(t, "bob", cfg.Keyring.From)
	require.Equal(t, []string{"/ip4/127.0.0.1/tcp/4101"}, cfg.P2P.Listen)
	require.Equal(t, "127.0.0.1:18480", cfg.API.Listen)
	require.Equal(t, "DE", cfg.Energy.GridZone)
	require.True(t, filepath.IsAbs(cfg.Keyring.Dir), cfg.Keyring.Dir)
	require.True(t, filepath.IsAbs(cfg.Round.TasksDir), "a relative --tasks is stored absolute: %s", cfg.Round.TasksDir)
	require.Equal(t, "tasks", filepath.Base(cfg.Round.TasksDir))

	// A generated task stream is kept as it is, not made a path.
	genHome := filepath.Join(t.TempDir(), "gen")
	_, _, err = run(t, "init", "--home", genHome, "--tasks", node.GenPrefix+"7")
	require.NoError(t, err)
	genCfg, err := node.Load(genHome, nil)
	require.NoError(t, err)
	require.Equal(t, node.GenPrefix+"7", genCfg.Round.TasksDir)

	// A second init touches nothing.
	before, err := os.ReadFile(cfgPath)
	require.NoError(t, err)
	_, _, err = run(t, "init", "--home", home, "--chain-id", "other")
	require.ErrorContains(t, err, cfgPath+" exists")
	after, err := os.ReadFile(cfgPath)
	require.NoError(t, err)
	require.Equal(t, before, after)
	again, err := chain.LoadNodeKey(node.NodeKeyPath(home))
	require.NoError(t, err)
	require.Equal(t, key.PeerID, again.PeerID)
}

func TestInitInvalid(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--keyring-backend", "nope"}, "keyring.backend"},
		{[]string{"--gas-adjustment", "0.5"}, "chain.gas_adjustment"},
		{[]string{"--node", "127.0.0.1:26657"}, "chain.node"},
		{[]string{"--api-listen", ":8480"}, "api.listen"},
		{[]string{"--log-format", "xml"}, "log.format"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "worker")
			_, _, err := run(t, append([]string{"init", "--home", home}, tc.args...)...)
			require.ErrorContains(t, err, tc.want)
			_, serr := os.Stat(home)
			require.True(t, os.IsNotExist(serr), "init wrote %s", home)
		})
	}
}

func TestRegisterArguments(t *testing.T) {
	home := initHome(t)
	_, _, err := run(t, "register", "--home", home)
	require.ErrorContains(t, err, `"bond" not set`)
	_, _, err = run(t, "register", "--home", home, "--bond", "lots")
	require.ErrorContains(t, err, `--bond "lots"`)
	require.ErrorContains(t, err, "10000000uhlx")
	_, _, err = run(t, "register", "--home", home, "--bond", "10uhlx", "--roles", "miner")
	require.ErrorContains(t, err, `unknown role "miner"`)
	// Without a home there is nothing to register.
	missing := filepath.Join(t.TempDir(), "none")
	_, _, err = run(t, "register", "--home", missing, "--bond", "10uhlx")
	require.ErrorContains(t, err, "h3lix-worker init --home "+missing)
}

func TestStatus(t *testing.T) {
	home := initHome(t)
	_, _, err := run(t, "status", "--home", home)
	require.ErrorContains(t, err, "does not answer")
	require.ErrorContains(t, err, "h3lix-worker run --home "+home)

	srv := httptest.NewServer(api.Handler(api.Options{Status: func() any { return map[string]any{"round": 42} }}))
	defer srv.Close()
	out, _, err := run(t, "status", "--home", home, "--api-listen", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, err)
	require.JSONEq(t, `{"round": 42}`, out)
}

func TestIPFSWithoutWorker(t *testing.T) {
	home := initHome(t)
	dir := t.TempDir()
	data := make([]byte, 5000)
	_, err := rand.Read(data)
	require.NoError(t, err)
	in := filepath.Join(dir, "payload.bin")
	require.NoError(t, os.WriteFile(in, data, 0o644))

	out, stderr, err := run(t, "ipfs", "add", in, "--home", home)
	require.NoError(t, err)
	require.Contains(t, stderr, "not running")
	want, err := artifacttypes.RawCID(data)
	require.NoError(t, err)
	require.Equal(t, want, strings.TrimSpace(out))

	out, _, err = run(t, "ipfs", "pins", "--home", home)
	require.NoError(t, err)
	require.Equal(t, want+" h3lix/manual/payload.bin\n", out)

	got := filepath.Join(dir, "got.bin")
	_, _, err = run(t, "ipfs", "get", want, "-o", got, "--home", home)
	require.NoError(t, err)
	b, err := os.ReadFile(got)
	require.NoError(t, err)
	require.Equal(t, data, b)

	// What the repository does not hold is reported at once: without the
	// worker there are no peers to ask.
	other, err := artifacttypes.RawCID([]byte("not stored here"))
	require.NoError(t, err)
	start := time.Now()
	_, _, err = run(t, "ipfs", "get", other, "--home", home)
	require.ErrorContains(t, err, "not in the repository")
	require.ErrorContains(t, err, "h3lix-worker run")
	require.Less(t, time.Since(start), 5*time.Second)

	_, _, err = run(t, "ipfs", "get", "not-a-cid", "--home", home)
	require.ErrorContains(t, err, `"not-a-cid" is not a CID`)
}

func TestIPFSThroughAPI(t *testing.T) {
	home := initHome(t)
	key, err := chain.LoadNodeKey(node.NodeKeyPath(home))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The running worker's store, served by its API.
	st, err := store.NewEmbedded(ctx, store.EmbeddedConfig{Dir: filepath.Join(home, "data", "ipfs"), Identity: key.Priv})
	require.NoError(t, err)
	defer st.Close()
	srv := httptest.NewServer(api.Handler(api.Options{Store: st}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	data := []byte("published by hand\n")
	in := filepath.Join(t.TempDir(), "note.txt")
	require.NoError(t, os.WriteFile(in, data, 0o644))
	out, stderr, err := run(t, "ipfs", "add", in, "--name", "h3lix/manual/note", "--home", home, "--api-listen", addr)
	require.NoError(t, err)
	require.NotContains(t, stderr, "not running")
	want, err := artifacttypes.RawCID(data)
	require.NoError(t, err)
	require.Equal(t, want, strings.TrimSpace(out))

	out, _, err = run(t, "ipfs", "pins", "--home", home, "--api-listen", addr)
	require.NoError(t, err)
	require.Equal(t, want+" h3lix/manual/note\n", out)

	out, _, err = run(t, "ipfs", "get", want, "--home", home, "--api-listen", addr)
	require.NoError(t, err)
	require.Equal(t, string(data), out)

	// While the worker holds the repository, it cannot be opened directly.
	_, _, err = run(t, "ipfs", "pins", "--home", home)
	require.ErrorContains(t, err, "is a worker using it?")
}
