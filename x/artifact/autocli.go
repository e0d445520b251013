package artifact

import (
	"github.com/spf13/cobra"

	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/h3lix/h3lix/x/artifact/client/cli"
	"github.com/h3lix/h3lix/x/artifact/types"
)

// GetTxCmd returns the hand-written tx commands (commitments are computed
// locally, manifests read from JSON).
func (AppModule) GetTxCmd() *cobra.Command { return cli.GetTxCmd() }

// AutoCLIOptions describes the query CLI that AutoCLI builds.
func (AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Artifact", Use: "artifact ID", Short: "Show an artifact", PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}}},
				{RpcMethod: "ArtifactsByRound", Use: "by-round ROUND", Short: "List the artifacts of a round", PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "round"}}},
				{RpcMethod: "ArtifactsByNode", Use: "by-node PRODUCER", Short: "List a producer's artifacts", PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "producer"}}},
				{RpcMethod: "ArtifactsByCID", Use: "by-cid CID", Short: "List the artifacts revealed with a CID", PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "cid"}}},
				{RpcMethod: "Attestations", Use: "attestations ARTIFACT_ID", Short: "List an artifact's attestations", PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "artifact_id"}}},
				{RpcMethod: "Assignments", Use: "assignments ROUND VERIFIER", Short: "List the artifacts a verifier is assigned to in a round",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "round"}, {ProtoField: "verifier"}}},
				{RpcMethod: "Params", Use: "params", Short: "Show the artifact parameters"},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service:              types.Msg_serviceDesc.ServiceName,
			EnhanceCustomCommand: true,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "CommitArtifact", Skip: true},
				{RpcMethod: "RevealArtifact", Skip: true},
				{RpcMethod: "Attest", Skip: true},
				{RpcMethod: "Disclose", Skip: true},
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
