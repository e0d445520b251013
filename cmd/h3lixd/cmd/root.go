// Package cmd builds the h3lixd command tree: node commands from the SDK
// server, genesis and key commands, and tx/query commands from AutoCLI.
package cmd

import (
	"errors"
	"os"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/spf13/cobra"

	"cosmossdk.io/client/v2/autocli"
	"cosmossdk.io/core/appmodule"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/config"
	"github.com/cosmos/cosmos-sdk/client/flags"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/server"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/h3lix/h3lix/app"
)

// EnvPrefix prefixes the environment variables that set flags, e.g.
// H3LIXD_HOME=/path sets --home.
const EnvPrefix = "H3LIXD"

// NewRootCmd returns the h3lixd root command.
func NewRootCmd() *cobra.Command {
	app.SetConfig()
	// A throw-away app in memory gives the codecs and the module list the
	// CLI is built from, exactly as the node will have them.
	tempApp := app.New(log.NewNopLogger(), dbm.NewMemDB(), simtestutil.NewAppOptionsWithFlagHome(tempDir()))
	defer tempApp.Close()

	initClientCtx := client.Context{}.
		WithCodec(tempApp.AppCodec()).
		WithInterfaceRegistry(tempApp.InterfaceRegistry()).
		WithTxConfig(tempApp.TxConfig()).
		WithLegacyAmino(tempApp.LegacyAmino()).
		WithInput(os.Stdin).
		WithAccountRetriever(authtypes.AccountRetriever{}).
		WithHomeDir(app.DefaultNodeHome).
		WithViper(EnvPrefix)

	rootCmd := &cobra.Command{
		Use:           "h3lixd",
		Short:         "H3LIX chain daemon: run a validator, manage keys, send transactions and queries",
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.OutOrStdout())
			cmd.SetErr(cmd.ErrOrStderr())

			// H3LIXD_HOME works for every command, client and node alike: the
			// SDK reads the environment only on the node side.
			if home := os.Getenv(EnvPrefix + "_HOME"); home != "" && !cmd.Flags().Changed(flags.FlagHome) {
				if err := cmd.Flags().Set(flags.FlagHome, home); err != nil {
					return err
				}
			}
			clientCtx := initClientCtx.WithCmdContext(cmd.Context())
			clientCtx, err := client.ReadPersistentCommandFlags(clientCtx, cmd.Flags())
			if err != nil {
				return err
			}
			clientCtx, err = config.ReadFromClientConfig(clientCtx)
			if err != nil {
				return err
			}
			if err := client.SetCmdClientContextHandler(clientCtx, cmd); err != nil {
				return err
			}
			appTemplate, appConfig := initAppConfig()
			return server.InterceptConfigsPreRunHandler(cmd, appTemplate, appConfig, initCometConfig())
		},
	}

	initRootCmd(rootCmd, tempApp)

	modules := make(map[string]appmodule.AppModule, len(tempApp.ModuleManager.Modules))
	for name, m := range tempApp.ModuleManager.Modules {
		if am, ok := m.(appmodule.AppModule); ok {
			modules[name] = am
		}
	}
	autoCliOpts := autocli.AppOptions{
		Modules:               modules,
		ModuleOptions:         tempApp.AutoCliOpts(),
		AddressCodec:          addresscodec.NewBech32Codec(app.Bech32Prefix),
		ValidatorAddressCodec: addresscodec.NewBech32Codec(app.Bech32PrefixValAddr),
		ConsensusAddressCodec: addresscodec.NewBech32Codec(app.Bech32PrefixConsAddr),
		ClientCtx:             initClientCtx,
	}
	if err := autoCliOpts.EnhanceRootCommand(rootCmd); err != nil {
		panic(err)
	}
	return rootCmd
}

func tempDir() string {
	dir, err := os.MkdirTemp("", "h3lixd-cli")
	if err != nil {
		panic(errors.New("cannot create a temporary directory: " + err.Error()))
	}
	defer os.RemoveAll(dir)
	return dir
}
