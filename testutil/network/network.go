// Package network configures the SDK's in-process test network for H3LIX:
// real validators (CometBFT + the H3LIX app) talking over loopback.
package network

import (
	"time"

	dbm "github.com/cosmos/cosmos-db"

	pruningtypes "github.com/cosmos/cosmos-sdk/store/v2/pruning/types"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client/flags"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	sdknetwork "github.com/cosmos/cosmos-sdk/testutil/network"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"

	"cosmossdk.io/log/v2"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	"github.com/h3lix/h3lix/app"
)

type (
	// Network is the SDK test network.
	Network = sdknetwork.Network
	// Config is the SDK test network configuration.
	Config = sdknetwork.Config
)

// DefaultConfig is a network of numValidators H3LIX validators with uhlx as
// the bond denom, free gas and fast blocks.
func DefaultConfig(numValidators int) Config {
	app.SetConfig()
	tempApp := app.New(log.NewNopLogger(), dbm.NewMemDB(), simtestutil.EmptyAppOptions{})
	enc := moduletestutil.TestEncodingConfig{
		InterfaceRegistry: tempApp.InterfaceRegistry(),
		Codec:             tempApp.AppCodec(),
		TxConfig:          tempApp.TxConfig(),
		Amino:             tempApp.LegacyAmino(),
	}
	cfg := sdknetwork.DefaultConfig(func() sdknetwork.TestFixture {
		return sdknetwork.TestFixture{
			AppConstructor: func(val sdknetwork.ValidatorI) servertypes.Application {
				return app.New(val.GetCtx().Logger, dbm.NewMemDB(), simtestutil.EmptyAppOptions{},
					baseapp.SetPruning(pruningtypes.NewPruningOptionsFromString(val.GetAppConfig().Pruning)),
					baseapp.SetMinGasPrices(val.GetAppConfig().MinGasPrices),
					baseapp.SetChainID(val.GetCtx().Viper.GetString(flags.FlagChainID)),
				)
			},
			GenesisState:   tempApp.DefaultGenesis(),
			EncodingConfig: enc,
		}
	})
	cfg.NumValidators = numValidators
	cfg.BondDenom = app.BondDenom
	cfg.MinGasPrices = "0" + app.BondDenom
	cfg.TimeoutCommit = 500 * time.Millisecond
	cfg.ChainID = "h3lix-network-test"
	return cfg
}

// New starts the network in baseDir; call Cleanup when done. Only one network
// may run per process.
func New(l sdknetwork.Logger, baseDir string, cfg Config) (*Network, error) {
	return sdknetwork.New(l, baseDir, cfg)
}
