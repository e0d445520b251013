package reputation

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/h3lix/h3lix/x/reputation/types"
)

// AutoCLIOptions describes the CLI that AutoCLI builds from the services.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod:      "Score",
					Use:            "score OPERATOR",
					Short:          "Show a node's reputation score (ppm) and history",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "operator"}},
				},
				{RpcMethod: "Leaderboard", Use: "leaderboard", Short: "List nodes by score, highest first"},
				{RpcMethod: "Params", Use: "params", Short: "Show the reputation parameters"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				// Governance only: submit it in a proposal.
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
