package identity

import (
	"github.com/spf13/cobra"

	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/h3lix/h3lix/x/identity/client/cli"
	"github.com/h3lix/h3lix/x/identity/types"
)

// GetTxCmd returns the hand-written tx commands (those that sign with the
// node key); AutoCLI adds the rest (EnhanceCustomCommand).
func (AppModule) GetTxCmd() *cobra.Command { return cli.GetTxCmd() }

// AutoCLIOptions describes the CLI that AutoCLI builds from the services.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod:      "Node",
					Use:            "node OPERATOR",
					Short:          "Show the node registered by an operator account",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}},
				},
				{
					RpcMethod: "Nodes",
					Use:       "nodes",
					Short:     "List nodes, optionally by --role (worker|verifier) and --status (active|unbonding|deregistered)",
				},
				{
					RpcMethod:      "NodeByPeerID",
					Use:            "node-by-peer-id PEER_ID",
					Short:          "Show the node with a libp2p peer id",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "peer_id"}},
				},
				{
					RpcMethod: "Params",
					Use:       "params",
					Short:     "Show the identity parameters",
				},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service:              types.Msg_serviceDesc.ServiceName,
			EnhanceCustomCommand: true,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				// Built by hand in client/cli: they sign with the node key.
				{RpcMethod: "RegisterNode", Skip: true},
				{RpcMethod: "RotateNodeKey", Skip: true},
				{
					RpcMethod: "UpdateNode",
					Use:       "update-node",
					Short:     "Change the --from account's node details; unset flags keep their value",
					Example:   "h3lixd tx identity update-node --from alice --multiaddrs /ip4/127.0.0.1/tcp/4002 --roles worker",
				},
				{
					RpcMethod: "DeregisterNode",
					Use:       "deregister-node",
					Short:     "Deregister the --from account's node; the bond returns after unbonding_blocks",
				},
				// Governance only: submit it in a proposal (see README).
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
