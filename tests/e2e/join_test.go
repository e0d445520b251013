package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestJoinTestnet follows networks/testnet/JOIN.md with two homes that share
// nothing but the genesis file and a peer address: a coordinator makes the
// genesis from the template with its gentx and starts; a second operator
// syncs from the peer address alone, gets tokens by a transfer, and becomes
// a validator with create-validator. Both run on loopback with their own
// ports (the guide's defaults plus 700 and 710), with 1 s blocks instead of
// the template's 5 s, which config.toml (not the genesis) sets.
func TestJoinTestnet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds h3lixd and runs two nodes")
	}
	bin := binary(t)
	root := repoRoot(t)
	const chainID = "h3lix-testnet-1"
	type node struct {
		home                  string
		p2p, rpc, rest, grpcP int
	}
	a := node{home: filepath.Join(t.TempDir(), "coordinator"), p2p: 26656 + 700, rpc: 26657 + 700, rest: 1317 + 700, grpcP: 9090 + 700}
	b := node{home: filepath.Join(t.TempDir(), "joiner"), p2p: 26656 + 710, rpc: 26657 + 710, rest: 1317 + 710, grpcP: 9090 + 710}
	run := func(n node, args ...string) string {
		t.Helper()
		args = append(args, "--home", n.home)
		out, err := exec.Command(bin, args...).CombinedOutput()
		require.NoError(t, err, "h3lixd %s\n%s", strings.Join(args, " "), out)
		return string(out)
	}
	tx := func(n node, args ...string) string {
		t.Helper()
		args = append(args, "--keyring-backend", "test", "--chain-id", chainID, "--node", fmt.Sprintf("tcp://127.0.0.1:%d", n.rpc),
			"--gas", "auto", "--gas-adjustment", "1.5", "--gas-prices", "0.01uhlx", "-y", "-o", "json")
		return run(n, args...)
	}
	configure := func(n node, peers string) {
		t.Helper()
		edit(t, filepath.Join(n.home, "config", "config.toml"), map[string]string{
			`(?m)^laddr = "tcp://127.0.0.1:26657"$`: fmt.Sprintf(`laddr = "tcp://127.0.0.1:%d"`, n.rpc),
			`(?m)^laddr = "tcp://0.0.0.0:26656"$`:   fmt.Sprintf(`laddr = "tcp://127.0.0.1:%d"`, n.p2p),
			`(?m)^pprof_laddr = .*$`:                `pprof_laddr = ""`,
			`(?m)^timeout_commit = .*$`:             `timeout_commit = "1s"`,
			`(?m)^persistent_peers = .*$`:           fmt.Sprintf(`persistent_peers = %q`, peers),
			`(?m)^addr_book_strict = .*$`:           `addr_book_strict = false`,
			`(?m)^allow_duplicate_ip = .*$`:         `allow_duplicate_ip = true`,
		})
		edit(t, filepath.Join(n.home, "config", "app.toml"), map[string]string{
			`(?m)^address = "tcp://localhost:1317"$`: fmt.Sprintf(`address = "tcp://127.0.0.1:%d"`, n.rest),
			`(?m)^address = "localhost:9090"$`:       fmt.Sprintf(`address = "127.0.0.1:%d"`, n.grpcP),
		})
	}
	start := func(n node) {
		t.Helper()
		logf, err := os.Create(n.home + ".log")
		require.NoError(t, err)
		cmd := exec.Command(bin, "start", "--home", n.home)
		cmd.Stdout, cmd.Stderr = logf, logf
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		require.NoError(t, cmd.Start())
		t.Cleanup(func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			_, _ = cmd.Process.Wait()
			logf.Close()
			if t.Failed() {
				b, _ := os.ReadFile(n.home + ".log")
				t.Logf("%s log (tail):\n%s", filepath.Base(n.home), tail(string(b), 3000))
			}
		})
	}
	height := func(n node) int {
		var st struct {
			Result struct {
				SyncInfo struct {
					Height string `json:"latest_block_height"`
				} `json:"sync_info"`
			} `json:"result"`
		}
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/status", n.rpc)) //nolint:gosec // loopback
		if err != nil {
			return 0
		}
		defer resp.Body.Close()
		if json.NewDecoder(resp.Body).Decode(&st) != nil {
			return 0
		}
		h, _ := strconv.Atoi(st.Result.SyncInfo.Height)
		return h
	}

	// The coordinator: the template, its own account and gentx.
	run(a, "init", "coordinator", "--chain-id", chainID, "--default-denom", "uhlx")
	template, err := os.ReadFile(filepath.Join(root, "networks", "testnet", "genesis.json"))
	require.NoError(t, err)
	// The coordinator sets the launch time (the guide's step 2): now.
	var g map[string]any
	require.NoError(t, json.Unmarshal(template, &g))
	require.Equal(t, chainID, g["chain_id"], "the template's chain id")
	g["genesis_time"] = time.Now().UTC().Format(time.RFC3339)
	template, err = json.MarshalIndent(g, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(a.home, "config", "genesis.json"), template, 0o600))
	run(a, "keys", "add", "operator", "--keyring-backend", "test")
	run(a, "genesis", "add-genesis-account", "operator", "1000000000000uhlx", "--keyring-backend", "test")
	run(a, "genesis", "gentx", "operator", "100000000000uhlx", "--chain-id", chainID, "--keyring-backend", "test")
	run(a, "genesis", "collect-gentxs")
	run(a, "genesis", "validate")
	configure(a, "")
	start(a)
	require.Eventually(t, func() bool { return height(a) >= 3 }, time.Minute, 250*time.Millisecond, "the coordinator produced no blocks")

	// What the coordinator publishes: the genesis file and a peer address.
	genesis, err := os.ReadFile(filepath.Join(a.home, "config", "genesis.json"))
	require.NoError(t, err)
	peer := strings.TrimSpace(run(a, "comet", "show-node-id")) + fmt.Sprintf("@127.0.0.1:%d", a.p2p)

	// The joiner: its own home, the published genesis, the peer address.
	run(b, "init", "joiner", "--chain-id", chainID, "--default-denom", "uhlx")
	require.NoError(t, os.WriteFile(filepath.Join(b.home, "config", "genesis.json"), genesis, 0o600))
	configure(b, peer)
	start(b)
	target := height(a)
	require.Eventually(t, func() bool { return height(b) >= target }, 2*time.Minute, 250*time.Millisecond,
		"the joiner did not sync to height %d (at %d)", target, height(b))

	// Tokens by a plain transfer (a faucet on a public testnet), then
	// create-validator from the joiner's own node and keyring.
	me := strings.TrimSpace(run(b, "keys", "add", "me", "--keyring-backend", "test", "--output", "json"))
	var key struct {
		Address string `json:"address"`
	}
	require.NoError(t, json.Unmarshal([]byte(lastJSONLine(me)), &key), me)
	tx(a, "tx", "bank", "send", "operator", key.Address, "5000000000uhlx")
	require.Eventually(t, func() bool {
		out, err := exec.Command(bin, "query", "bank", "balance", key.Address, "uhlx", "--home", b.home,
			"--node", fmt.Sprintf("tcp://127.0.0.1:%d", b.rpc), "-o", "json").CombinedOutput()
		return err == nil && strings.Contains(string(out), `"5000000000"`)
	}, time.Minute, 500*time.Millisecond, "the transfer did not reach the joiner's node")
	pubkey := strings.TrimSpace(run(b, "comet", "show-validator"))
	spec := filepath.Join(t.TempDir(), "validator.json")
	require.NoError(t, os.WriteFile(spec, []byte(fmt.Sprintf(`{"pubkey": %s, "amount": "1000000000uhlx", "moniker": "joiner",
  "commission-rate": "0.1", "commission-max-rate": "0.2", "commission-max-change-rate": "0.01", "min-self-delegation": "1"}`, pubkey)), 0o600))
	tx(b, "tx", "staking", "create-validator", spec, "--from", "me")

	// Both are now in the consensus set, and blocks go on.
	validators := func() int {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/validators", b.rpc)) //nolint:gosec // loopback
		if err != nil {
			return 0
		}
		defer resp.Body.Close()
		var v struct {
			Result struct {
				Total string `json:"total"`
			} `json:"result"`
		}
		if json.NewDecoder(resp.Body).Decode(&v) != nil {
			return 0
		}
		n, _ := strconv.Atoi(v.Result.Total)
		return n
	}
	require.Eventually(t, func() bool { return validators() == 2 }, time.Minute, 500*time.Millisecond, "the joiner never entered the validator set")
	h := height(b)
	require.Eventually(t, func() bool { return height(b) >= h+3 && height(a) >= h+3 }, time.Minute, 250*time.Millisecond,
		"the two-validator network stopped")
	t.Logf("joined: %s, 2 validators at height %d", peer, height(b))
}

// edit replaces each pattern of a config file, and fails when one is gone:
// the generated file changed and the guide needs a look.
func edit(t *testing.T, path string, repl map[string]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	s := string(b)
	for pat, with := range repl {
		re := regexp.MustCompile(pat)
		require.True(t, re.MatchString(s), "%s: no line matches %s", path, pat)
		s = re.ReplaceAllLiteralString(s, with)
	}
	require.NoError(t, os.WriteFile(path, []byte(s), 0o600))
}

func lastJSONLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(strings.TrimSpace(lines[i]), "{") {
			return lines[i]
		}
	}
	return s
}
