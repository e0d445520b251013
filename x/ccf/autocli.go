package ccf

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/h3lix/h3lix/x/ccf/types"
)

// AutoCLIOptions describes the CLI that AutoCLI builds from the services.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "CurrentRound", Use: "current-round", Short: "Show the round in progress and its phase"},
				{RpcMethod: "Round", Use: "round ROUND", Short: "Show a round: the one in progress or a finalized one", PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}}},
				{RpcMethod: "Field", Use: "field ROUND", Short: "Show the field of a finalized round", PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "round"}}},
				{RpcMethod: "LatestField", Use: "latest-field", Short: "Show the field of the last finalized round"},
				{RpcMethod: "Params", Use: "params", Short: "Show the ccf parameters"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service:           types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{{RpcMethod: "UpdateParams", Skip: true}},
		},
	}
}
