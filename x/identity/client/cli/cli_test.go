package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/cosmos/cosmos-sdk/client/flags"
	clitestutil "github.com/cosmos/cosmos-sdk/testutil/cli"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/app"
	"github.com/h3lix/h3lix/testutil/network"
	"github.com/h3lix/h3lix/x/identity/client/cli"
	"github.com/h3lix/h3lix/x/identity/client/nodekey"
	"github.com/h3lix/h3lix/x/identity/types"
)

// TestRegisterNodeOnNetwork starts two in-process validators, registers a
// node with a real signed tx through the register-node command, and reads it
// back over gRPC and REST.
func TestRegisterNodeOnNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 2-validator network")
	}
	cfg := network.DefaultConfig(2)
	net, err := network.New(t, t.TempDir(), cfg)
	require.NoError(t, err)
	defer net.Cleanup()
	_, err = net.WaitForHeight(2)
	require.NoError(t, err)

	val := net.Validators[0]
	keyFile := filepath.Join(t.TempDir(), "node_key.json")
	key, err := nodekey.Generate()
	require.NoError(t, err)
	require.NoError(t, nodekey.Save(keyFile, key))
	args := []string{
		"--" + flags.FlagFrom, val.Address.String(),
		"--" + flags.FlagChainID, cfg.ChainID,
		"--" + flags.FlagKeyringBackend, "test",
		"--" + flags.FlagBroadcastMode, flags.BroadcastSync,
		"--" + flags.FlagSkipConfirmation,
		"--" + cli.FlagNodeKeyFile, keyFile,
		"--" + cli.FlagBond, "10000000" + app.BondDenom,
		"--" + cli.FlagMultiaddrs, "/ip4/127.0.0.1/tcp/4001",
		"--" + cli.FlagGridZone, "DE",
		"--" + flags.FlagOutput, "json",
	}
	out, err := clitestutil.ExecTestCLICmd(val.ClientCtx, cli.RegisterNodeCmd(), args)
	require.NoError(t, err, out.String())
	var txResp sdk.TxResponse
	require.NoError(t, val.ClientCtx.Codec.UnmarshalJSON(out.Bytes(), &txResp), out.String())
	require.Equal(t, uint32(0), txResp.Code, txResp.RawLog)

	// gRPC
	conn, err := grpc.NewClient(val.AppConfig.GRPC.Address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	q := types.NewQueryClient(conn)
	var node types.Node
	require.Eventually(t, func() bool {
		resp, err := q.Node(context.Background(), &types.QueryNodeRequest{Operator: val.Address.String()})
		if err != nil {
			return false
		}
		node = resp.Node
		return true
	}, 20*time.Second, 250*time.Millisecond, "node never appeared over gRPC")
	require.Equal(t, key.PeerID, node.PeerId)
	require.Equal(t, types.NODE_STATUS_ACTIVE, node.Status)
	require.Equal(t, "DE", node.GridZone)

	byPeer, err := q.NodeByPeerID(context.Background(), &types.QueryNodeByPeerIDRequest{PeerId: key.PeerID})
	require.NoError(t, err)
	require.Equal(t, val.Address.String(), byPeer.Node.Operator)

	// REST through the gRPC gateway, and the OpenAPI document next to it.
	body := httpGet(t, val.APIAddress+"/h3lix/identity/v1/nodes?role=1&status=1")
	var list struct {
		Nodes []struct {
			Operator string `json:"operator"`
			PeerID   string `json:"peer_id"`
			Status   string `json:"status"`
		} `json:"nodes"`
	}
	require.NoError(t, json.Unmarshal(body, &list), string(body))
	require.Len(t, list.Nodes, 1)
	require.Equal(t, key.PeerID, list.Nodes[0].PeerID)
	require.Equal(t, "NODE_STATUS_ACTIVE", list.Nodes[0].Status)

	body = httpGet(t, fmt.Sprintf("%s/h3lix/identity/v1/peers/%s", val.APIAddress, key.PeerID))
	require.Contains(t, string(body), val.Address.String())
	body = httpGet(t, val.APIAddress+app.OpenAPIPath)
	require.True(t, strings.Contains(string(body), "/h3lix/identity/v1/nodes/{operator}"), "OpenAPI document lists the identity routes")

	// A second registration by the same account is rejected in the block.
	second := filepath.Join(t.TempDir(), "second.json")
	secondKey, err := nodekey.Generate()
	require.NoError(t, err)
	require.NoError(t, nodekey.Save(second, secondKey))
	args = append(args, "--"+cli.FlagNodeKeyFile, second)
	out, err = clitestutil.ExecTestCLICmd(val.ClientCtx, cli.RegisterNodeCmd(), args)
	require.NoError(t, err)
	require.NoError(t, val.ClientCtx.Codec.UnmarshalJSON(out.Bytes(), &txResp), out.String())
	require.NoError(t, net.WaitForNextBlock())
	require.NoError(t, net.WaitForNextBlock())
	res, err := q.Nodes(context.Background(), &types.QueryNodesRequest{})
	require.NoError(t, err)
	require.Len(t, res.Nodes, 1, "the duplicate registration must not add a node")
}

func httpGet(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url) //nolint:gosec // loopback test URL
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	return body
}
