package cmd

import (
	"fmt"

	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/server"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
)

// VoteExtensionsEnableHeight is where every genesis h3lixd writes turns on
// vote extensions: the validators' seed beacon rides on them (ADR-004). A
// chain without them draws round seeds from block hashes, which proposers
// can bias.
const VoteExtensionsEnableHeight = 1

// withBeacon sets the consensus params the chain needs in a genesis.
func withBeacon(cs *genutiltypes.ConsensusGenesis) {
	if cs.Params == nil {
		cs.Params = cmttypes.DefaultConsensusParams()
	}
	cs.Params.ABCI.VoteExtensionsEnableHeight = VoteExtensionsEnableHeight
}

// initWithBeacon wraps the SDK's init command so the genesis it writes has
// vote extensions on.
func initWithBeacon(init *cobra.Command) *cobra.Command {
	run := init.RunE
	init.RunE = func(cmd *cobra.Command, args []string) error {
		if err := run(cmd, args); err != nil {
			return err
		}
		cfg := server.GetServerContextFromCmd(cmd).Config
		cfg.SetRoot(client.GetClientContextFromCmd(cmd).HomeDir)
		gen, err := genutiltypes.AppGenesisFromFile(cfg.GenesisFile())
		if err != nil {
			return fmt.Errorf("enabling vote extensions in %s: %w", cfg.GenesisFile(), err)
		}
		withBeacon(gen.Consensus)
		return gen.SaveAs(cfg.GenesisFile())
	}
	return init
}
