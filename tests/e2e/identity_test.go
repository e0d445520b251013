package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/h3lix/h3lix/app"
)

type nodesResponse struct {
	Nodes []struct {
		Operator string   `json:"operator"`
		PeerID   string   `json:"peer_id"`
		Status   string   `json:"status"`
		Roles    []string `json:"roles"`
		Bond     struct {
			Amount string `json:"amount"`
		} `json:"bond"`
	} `json:"nodes"`
}

type balanceResponse struct {
	Balance struct {
		Amount string `json:"amount"`
	} `json:"balance"`
}

// TestSingleValidator follows the README: start a validator, register a node
// with the CLI, read it over REST, see bad registrations rejected without
// effect, change a parameter by governance, and export then re-import the
// state.
func TestSingleValidator(t *testing.T) {
	if testing.Short() {
		t.Skip("builds h3lixd and runs a validator")
	}
	ln := startLocalnet(t, 1, 400, "LOCALNET_VOTING_PERIOD=6s")

	// Block time, measured over 5 blocks.
	h0 := ln.height(0)
	start := time.Now()
	ln.waitHeight(0, h0+5, 30*time.Second)
	t.Logf("localnet block time: %.2fs", time.Since(start).Seconds()/float64(ln.height(0)-h0))

	alice := strings.TrimSpace(ln.mustCLI("keys", "show", "alice", "-a"))
	keyFile := filepath.Join(t.TempDir(), "node_key.json")
	ln.tx("tx", "identity", "register-node", "--from", "alice", "--bond", "10000000uhlx",
		"--roles", "worker,verifier", "--engine-kind", "pbe", "--engine-version", "0.1.0",
		"--multiaddrs", "/ip4/127.0.0.1/tcp/4001", "--grid-zone", "DE", "--node-key-file", keyFile)

	var keyJSON struct {
		PeerID string `json:"peer_id"`
	}
	bz, err := os.ReadFile(keyFile)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(bz, &keyJSON))

	var nodes nodesResponse
	ln.getJSON(ln.api(0)+"/h3lix/identity/v1/nodes", &nodes)
	require.Len(t, nodes.Nodes, 1)
	require.Equal(t, alice, nodes.Nodes[0].Operator)
	require.Equal(t, keyJSON.PeerID, nodes.Nodes[0].PeerID)
	require.Equal(t, "NODE_STATUS_ACTIVE", nodes.Nodes[0].Status)

	var before balanceResponse
	ln.getJSON(ln.api(0)+"/cosmos/bank/v1beta1/balances/"+alice+"/by_denom?denom=uhlx", &before)

	// Rejections: each gets a clear error and changes nothing.
	badKey := filepath.Join(t.TempDir(), "bad_key.json")
	require.NoError(t, os.WriteFile(badKey, []byte(`{"type":"ed25519","priv_key":"AAAA"}`), 0o600))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"duplicate registration", []string{"--from", "alice", "--bond", "10000000uhlx", "--node-key-file", filepath.Join(t.TempDir(), "k2.json")}, "node already registered"},
		{"bond below the minimum", []string{"--from", "bob", "--bond", "10uhlx", "--node-key-file", filepath.Join(t.TempDir(), "k3.json")}, "bond below the minimum"},
		{"malformed multiaddr", []string{"--from", "bob", "--bond", "10000000uhlx", "--multiaddrs", "/ip4/1.2.3/tcp/1", "--node-key-file", filepath.Join(t.TempDir(), "k4.json")}, "invalid multiaddr"},
		{"malformed node key", []string{"--from", "bob", "--bond", "10000000uhlx", "--node-key-file", badKey}, "ed25519 private key must be 64 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := ln.cli(append([]string{"tx", "identity", "register-node", "--gas", "auto", "-y"}, tc.args...)...)
			require.Error(t, err, out)
			require.Contains(t, out, tc.want)
		})
	}
	ln.waitHeight(0, ln.height(0)+2, 20*time.Second)
	ln.getJSON(ln.api(0)+"/h3lix/identity/v1/nodes", &nodes)
	require.Len(t, nodes.Nodes, 1, "rejected registrations added a node")
	var after balanceResponse
	ln.getJSON(ln.api(0)+"/cosmos/bank/v1beta1/balances/"+alice+"/by_denom?denom=uhlx", &after)
	require.Equal(t, before.Balance.Amount, after.Balance.Amount, "rejected registrations moved coins")

	// Governance raises min_bond.
	proposal := filepath.Join(t.TempDir(), "proposal.json")
	require.NoError(t, os.WriteFile(proposal, []byte(`{
  "messages": [{
    "@type": "/h3lix.identity.v1.MsgUpdateParams",
    "authority": "`+govAddress()+`",
    "params": {"min_bond": {"denom": "uhlx", "amount": "20000000"}, "unbonding_blocks": "20",
               "max_unbondings_per_block": 100, "max_multiaddrs": 8, "max_field_length": 256}
  }],
  "deposit": "10000000uhlx",
  "title": "Raise the node bond",
  "summary": "min_bond 10 HLX -> 20 HLX"
}`), 0o600))
	ln.tx("tx", "gov", "submit-proposal", proposal, "--from", "alice")
	ln.tx("tx", "gov", "vote", "1", "yes", "--from", "validator")
	require.Eventually(t, func() bool {
		var p struct {
			Params struct {
				MinBond struct {
					Amount string `json:"amount"`
				} `json:"min_bond"`
			} `json:"params"`
		}
		ln.getJSON(ln.api(0)+"/h3lix/identity/v1/params", &p)
		return p.Params.MinBond.Amount == "20000000"
	}, 40*time.Second, time.Second, "the proposal did not change min_bond")

	// Export, then start a fresh home from the exported genesis: the node is there.
	_, err = ln.script(nil, "stop")
	require.NoError(t, err)
	exported, err := exec.Command(ln.bin, "export", "--home", ln.home(0)).Output()
	require.NoError(t, err)
	reimport := ln.home(0) + "-reimported"
	require.NoError(t, os.MkdirAll(filepath.Join(reimport, "data"), 0o755))
	require.NoError(t, exec.Command("cp", "-r", filepath.Join(ln.home(0), "config"), reimport).Run())
	// A new chain from the export: the signing state starts afresh (the old chain is stopped).
	require.NoError(t, os.WriteFile(filepath.Join(reimport, "data", "priv_validator_state.json"), []byte(`{"height":"0","round":0,"step":0}`), 0o600))
	require.NoError(t, exec.Command("cp", "-r", filepath.Join(ln.home(0), "keyring-test"), reimport).Run())
	require.NoError(t, os.WriteFile(filepath.Join(reimport, "config", "genesis.json"), exported, 0o644))
	out, err := exec.Command(ln.bin, "genesis", "validate", filepath.Join(reimport, "config", "genesis.json"), "--home", reimport).CombinedOutput()
	require.NoError(t, err, string(out))

	node := exec.Command(ln.bin, "start", "--home", reimport)
	logPath := filepath.Join(t.TempDir(), "reimported.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			if log, err := os.ReadFile(logPath); err == nil {
				t.Logf("reimported node log (tail):\n%s", tail(string(log), 4000))
			}
		}
	})
	node.Stdout, node.Stderr = logFile, logFile
	require.NoError(t, node.Start())
	exited := make(chan error, 1)
	go func() { exited <- node.Wait() }()
	defer func() {
		_ = node.Process.Kill()
		<-exited
	}()
	var exp struct {
		InitialHeight int64 `json:"initial_height"`
		AppState      struct {
			Identity json.RawMessage `json:"identity"`
		} `json:"app_state"`
	}
	require.NoError(t, json.Unmarshal(exported, &exp))
	require.Contains(t, string(exp.AppState.Identity), keyJSON.PeerID, "the export holds the node")
	deadline := time.Now().Add(2 * time.Minute)
	for ln.height(0) < exp.InitialHeight+1 {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("the re-imported node exited: %v", err)
		case <-time.After(250 * time.Millisecond):
		}
		require.True(t, time.Now().Before(deadline), "the re-imported node did not reach height %d", exp.InitialHeight+1)
	}
	ln.getJSON(ln.api(0)+"/h3lix/identity/v1/nodes", &nodes)
	require.Len(t, nodes.Nodes, 1)
	require.Equal(t, keyJSON.PeerID, nodes.Nodes[0].PeerID)
}

// TestFourValidators stops one of four validators: the chain goes on; the
// validator restarts and catches up. Then a full round runs on the network.
func TestFourValidators(t *testing.T) {
	if testing.Short() {
		t.Skip("builds h3lixd and runs four validators")
	}
	ln := startLocalnet(t, 4, 500, "LOCALNET_ROUND_BLOCKS=12,12,12")
	for i := 0; i < 4; i++ {
		ln.waitHeight(i, 3, 60*time.Second)
	}
	out, err := ln.script(nil, "stop-node", "3")
	require.NoError(t, err, out)
	stoppedAt := ln.height(0)
	ln.waitHeight(0, stoppedAt+3, 30*time.Second)
	require.Equal(t, int64(-1), ln.height(3), "node3 should be down")

	out, err = ln.script(nil, "start-node", "3")
	require.NoError(t, err, out)
	target := ln.height(0)
	ln.waitHeight(3, target, 60*time.Second)
	t.Logf("node3 caught up from %d to %d", stoppedAt, target)

	t.Run("round by hand", func(t *testing.T) { runRoundByHand(t, ln) })
}

// govAddress is the gov module account, the authority of every MsgUpdateParams.
func govAddress() string {
	app.SetConfig()
	return authtypes.NewModuleAddress(govtypes.ModuleName).String()
}
