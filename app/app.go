// Package app wires the H3LIX chain: the standard Cosmos SDK modules plus the
// H3LIX modules, without depinject, so that every dependency is visible here.
package app

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/spf13/cast"

	"cosmossdk.io/log/v2"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"

	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
	reflectionv1 "cosmossdk.io/api/cosmos/reflection/v1"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	nodeservice "github.com/cosmos/cosmos-sdk/client/grpc/node"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/runtime"
	runtimeservices "github.com/cosmos/cosmos-sdk/runtime/services"
	"github.com/cosmos/cosmos-sdk/server"
	"github.com/cosmos/cosmos-sdk/server/api"
	"github.com/cosmos/cosmos-sdk/server/config"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/cosmos/cosmos-sdk/version"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"

	"github.com/h3lix/h3lix/x/ccf/beacon"
)

// DefaultNodeHome is the default home of h3lixd.
var DefaultNodeHome = func() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ".h3lixd"
	}
	return filepath.Join(home, ".h3lixd")
}()

var (
	_ runtime.AppI            = (*H3lixApp)(nil)
	_ servertypes.Application = (*H3lixApp)(nil)
)

// H3lixApp is the H3LIX application.
type H3lixApp struct {
	*baseapp.BaseApp
	Keepers

	legacyAmino       *codec.LegacyAmino
	appCodec          codec.Codec
	txConfig          client.TxConfig
	interfaceRegistry codectypes.InterfaceRegistry

	keys   map[string]*storetypes.KVStoreKey
	beacon *beacon.Handler

	ModuleManager      *module.Manager
	BasicModuleManager module.BasicManager
	configurator       module.Configurator
}

// New builds the app over db. appOpts carries the node's configuration
// (home, skip-upgrade heights, invariant settings, ...).
func New(logger log.Logger, db dbm.DB, appOpts servertypes.AppOptions, baseAppOptions ...func(*baseapp.BaseApp)) *H3lixApp {
	enc := MakeEncodingConfig()

	bApp := baseapp.NewBaseApp(AppName, logger, db, beacon.WrapTxDecoder(enc.TxConfig.TxDecoder()), baseAppOptions...)
	bApp.SetVersion(version.Version)
	bApp.SetInterfaceRegistry(enc.InterfaceRegistry)
	bApp.SetTxEncoder(enc.TxConfig.TxEncoder())

	keys := storetypes.NewKVStoreKeys(storeKeyNames...)
	app := &H3lixApp{
		BaseApp:           bApp,
		legacyAmino:       enc.Amino,
		appCodec:          enc.Codec,
		txConfig:          enc.TxConfig,
		interfaceRegistry: enc.InterfaceRegistry,
		keys:              keys,
	}

	skipUpgradeHeights := map[int64]bool{}
	for _, h := range cast.ToIntSlice(appOpts.Get(server.FlagUnsafeSkipUpgrades)) {
		skipUpgradeHeights[int64(h)] = true
	}
	homePath := cast.ToString(appOpts.Get("home"))
	if homePath == "" {
		homePath = DefaultNodeHome
	}
	app.initKeepers(keys, homePath, skipUpgradeHeights)
	app.setBeacon(homePath, logger)

	app.ModuleManager = app.newModuleManager()
	app.BasicModuleManager = newBasicManager(app.ModuleManager)
	app.BasicModuleManager.RegisterLegacyAminoCodec(enc.Amino)
	app.BasicModuleManager.RegisterInterfaces(enc.InterfaceRegistry)
	setModuleOrder(app.ModuleManager)

	app.configurator = module.NewConfigurator(app.appCodec, app.MsgServiceRouter(), app.GRPCQueryRouter())
	if err := app.ModuleManager.RegisterServices(app.configurator); err != nil {
		panic(err)
	}
	autocliv1.RegisterQueryServer(app.GRPCQueryRouter(), runtimeservices.NewAutoCLIQueryService(app.ModuleManager.Modules))
	reflectionSvc, err := runtimeservices.NewReflectionService()
	if err != nil {
		panic(err)
	}
	reflectionv1.RegisterReflectionServiceServer(app.GRPCQueryRouter(), reflectionSvc)

	app.registerUpgradeHandlers()

	app.MountKVStores(keys)
	app.SetInitChainer(app.InitChainer)
	app.SetPreBlocker(app.PreBlocker)
	app.SetBeginBlocker(app.BeginBlocker)
	app.SetEndBlocker(app.EndBlocker)
	app.setAnteHandler()

	// Every registered Msg must have a signer annotation and a handler: fail
	// at start-up, not on the first tx that uses it.
	if err := app.interfaceRegistry.SigningContext().Validate(); err != nil {
		panic(err)
	}

	if err := app.LoadLatestVersion(); err != nil {
		panic(fmt.Errorf("loading latest version: %w", err))
	}
	return app
}

// Name returns the app name.
func (app *H3lixApp) Name() string { return app.BaseApp.Name() }

// setBeacon installs the validators' seed beacon (x/ccf/beacon, ADR-004):
// vote extensions carry each validator's share, proposals carry the
// extensions, and the default proposal handlers fill the rest of the block.
func (app *H3lixApp) setBeacon(homePath string, logger log.Logger) {
	app.beacon = beacon.NewHandler(app.CCFKeeper, app.StakingKeeper, beacon.NewSecrets(filepath.Join(homePath, beacon.SecretFile)), logger)
	proposals := baseapp.NewDefaultProposalHandler(app.Mempool(), app.BaseApp)
	app.SetPrepareProposal(app.beacon.PrepareProposal(proposals.PrepareProposalHandler()))
	app.SetProcessProposal(app.beacon.ProcessProposal(proposals.ProcessProposalHandler()))
	app.SetExtendVoteHandler(app.beacon.ExtendVote())
	app.SetVerifyVoteExtensionHandler(app.beacon.VerifyVoteExtension())
}

// PreBlocker runs the pre-block hooks (upgrades), then hands the block's
// seed beacon, if one is due, to x/ccf.
func (app *H3lixApp) PreBlocker(ctx sdk.Context, req *abci.RequestFinalizeBlock) (*sdk.ResponsePreBlock, error) {
	resp, err := app.ModuleManager.PreBlock(ctx)
	if err != nil {
		return resp, err
	}
	return resp, app.beacon.PreBlock(ctx, req)
}

// BeginBlocker runs the begin-block hooks.
func (app *H3lixApp) BeginBlocker(ctx sdk.Context) (sdk.BeginBlock, error) {
	return app.ModuleManager.BeginBlock(ctx)
}

// EndBlocker runs the end-block hooks.
func (app *H3lixApp) EndBlocker(ctx sdk.Context) (sdk.EndBlock, error) {
	return app.ModuleManager.EndBlock(ctx)
}

// InitChainer loads the genesis state.
func (app *H3lixApp) InitChainer(ctx sdk.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	var genesisState map[string]json.RawMessage
	if err := json.Unmarshal(req.AppStateBytes, &genesisState); err != nil {
		return nil, fmt.Errorf("decoding genesis app state: %w", err)
	}
	if err := app.UpgradeKeeper.SetModuleVersionMap(ctx, app.ModuleManager.GetVersionMap()); err != nil {
		return nil, err
	}
	return app.ModuleManager.InitGenesis(ctx, app.appCodec, genesisState)
}

// LoadHeight loads the state at a height.
func (app *H3lixApp) LoadHeight(height int64) error { return app.LoadVersion(height) }

// LegacyAmino returns the amino codec (for LEGACY_AMINO_JSON signing).
func (app *H3lixApp) LegacyAmino() *codec.LegacyAmino { return app.legacyAmino }

// AppCodec returns the app codec.
func (app *H3lixApp) AppCodec() codec.Codec { return app.appCodec }

// InterfaceRegistry returns the interface registry.
func (app *H3lixApp) InterfaceRegistry() codectypes.InterfaceRegistry { return app.interfaceRegistry }

// TxConfig returns the tx config.
func (app *H3lixApp) TxConfig() client.TxConfig { return app.txConfig }

// DefaultGenesis returns the default genesis of every module.
func (app *H3lixApp) DefaultGenesis() map[string]json.RawMessage {
	return app.BasicModuleManager.DefaultGenesis(app.appCodec)
}

// GetKey returns a store key, for tests.
func (app *H3lixApp) GetKey(name string) *storetypes.KVStoreKey { return app.keys[name] }

// SimulationManager is not used: H3LIX tests with real networks instead.
func (app *H3lixApp) SimulationManager() *module.SimulationManager { return nil }

// AutoCliOpts returns the options AutoCLI builds the CLI from.
func (app *H3lixApp) AutoCliOpts() map[string]*autocliv1.ModuleOptions {
	return runtimeservices.ExtractAutoCLIOptions(app.ModuleManager.Modules)
}

// RegisterAPIRoutes serves REST (gRPC-gateway) and the OpenAPI documents.
func (app *H3lixApp) RegisterAPIRoutes(apiSvr *api.Server, apiConfig config.APIConfig) {
	clientCtx := apiSvr.ClientCtx
	authtx.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	cmtservice.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	nodeservice.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	app.BasicModuleManager.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	if err := server.RegisterSwaggerAPI(clientCtx, apiSvr.Router, apiConfig.Swagger); err != nil {
		panic(err)
	}
	registerOpenAPI(apiSvr.Router)
}

// RegisterTxService serves the tx simulation and lookup service.
func (app *H3lixApp) RegisterTxService(clientCtx client.Context) {
	authtx.RegisterTxService(app.GRPCQueryRouter(), clientCtx, app.Simulate, app.interfaceRegistry)
}

// RegisterTendermintService serves the CometBFT queries over gRPC.
func (app *H3lixApp) RegisterTendermintService(clientCtx client.Context) {
	cmtservice.RegisterTendermintService(clientCtx, app.GRPCQueryRouter(), app.interfaceRegistry, app.Query)
}

// RegisterNodeService serves the node status service.
func (app *H3lixApp) RegisterNodeService(clientCtx client.Context, cfg config.Config) {
	nodeservice.RegisterNodeService(clientCtx, app.GRPCQueryRouter(), cfg, func() int64 {
		return app.CommitMultiStore().EarliestVersion()
	})
}

var _ io.Closer = (*H3lixApp)(nil)
