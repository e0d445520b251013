package app

import (
	"encoding/json"

	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/cosmos/cosmos-sdk/x/auth"
	authsims "github.com/cosmos/cosmos-sdk/x/auth/simulation"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/auth/vesting"
	vestingtypes "github.com/cosmos/cosmos-sdk/x/auth/vesting/types"
	"github.com/cosmos/cosmos-sdk/x/authz"
	authzmodule "github.com/cosmos/cosmos-sdk/x/authz/module"
	"github.com/cosmos/cosmos-sdk/x/bank"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/consensus"
	consensusparamtypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	distr "github.com/cosmos/cosmos-sdk/x/distribution"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	"github.com/cosmos/cosmos-sdk/x/evidence"
	evidencetypes "github.com/cosmos/cosmos-sdk/x/evidence/types"
	"github.com/cosmos/cosmos-sdk/x/feegrant"
	feegrantmodule "github.com/cosmos/cosmos-sdk/x/feegrant/module"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	"github.com/cosmos/cosmos-sdk/x/gov"
	govclient "github.com/cosmos/cosmos-sdk/x/gov/client"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	"github.com/cosmos/cosmos-sdk/x/mint"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"
	"github.com/cosmos/cosmos-sdk/x/slashing"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	"github.com/cosmos/cosmos-sdk/x/staking"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
	"github.com/cosmos/cosmos-sdk/x/upgrade"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	"github.com/h3lix/h3lix/x/artifact"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	"github.com/h3lix/h3lix/x/ccf"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	"github.com/h3lix/h3lix/x/identity"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
	"github.com/h3lix/h3lix/x/reputation"
	reputationtypes "github.com/h3lix/h3lix/x/reputation/types"
)

func (app *H3lixApp) newModuleManager() *module.Manager {
	cdc := app.appCodec
	return module.NewManager(
		genutil.NewAppModule(app.AccountKeeper, app.StakingKeeper, app.BaseApp, app.txConfig),
		auth.NewAppModule(cdc, app.AccountKeeper, authsims.RandomGenesisAccounts),
		vesting.NewAppModule(app.AccountKeeper, app.BankKeeper),
		bank.NewAppModule(cdc, app.BankKeeper, app.AccountKeeper),
		feegrantmodule.NewAppModule(cdc, app.AccountKeeper, app.BankKeeper, app.FeeGrantKeeper, app.interfaceRegistry),
		gov.NewAppModule(cdc, app.GovKeeper, app.AccountKeeper, app.BankKeeper),
		mint.NewAppModule(cdc, app.MintKeeper, app.AccountKeeper, nil),
		slashing.NewAppModule(cdc, app.SlashingKeeper, app.AccountKeeper, app.BankKeeper, app.StakingKeeper, app.interfaceRegistry),
		distr.NewAppModule(cdc, app.DistrKeeper, app.AccountKeeper, app.BankKeeper, app.StakingKeeper),
		staking.NewAppModule(cdc, app.StakingKeeper, app.AccountKeeper, app.BankKeeper),
		upgrade.NewAppModule(app.UpgradeKeeper, app.AccountKeeper.AddressCodec()),
		evidence.NewAppModule(app.EvidenceKeeper),
		authzmodule.NewAppModule(cdc, app.AuthzKeeper, app.AccountKeeper, app.BankKeeper, app.interfaceRegistry),
		consensus.NewAppModule(cdc, app.ConsensusParamsKeeper),
		identity.NewAppModule(cdc, app.IdentityKeeper),
		reputation.NewAppModule(cdc, app.ReputationKeeper),
		artifact.NewAppModule(cdc, app.ArtifactKeeper),
		ccf.NewAppModule(cdc, app.CCFKeeper),
	)
}

// newBasicManager derives the basic manager (codecs, default genesis, REST
// routes) from the module manager, with the genutil and gov basics that need
// their own constructor arguments.
func newBasicManager(mm *module.Manager) module.BasicManager {
	return module.NewBasicManagerFromManager(mm, map[string]module.AppModuleBasic{
		genutiltypes.ModuleName: genutil.NewAppModuleBasic(genutiltypes.DefaultMessageValidator),
		govtypes.ModuleName:     gov.NewAppModuleBasic([]govclient.ProposalHandler{}),
		banktypes.ModuleName:    bankWithDenomMetadata{mm.Modules[banktypes.ModuleName].(bank.AppModule)},
	})
}

// setModuleOrder fixes the order of block hooks and genesis. bank must run
// first in EndBlock since v0.54; identity runs after bank in genesis so its
// escrow balance is in place when it checks its bonds.
func setModuleOrder(mm *module.Manager) {
	mm.SetOrderPreBlockers(upgradetypes.ModuleName, authtypes.ModuleName)
	mm.SetOrderBeginBlockers(
		minttypes.ModuleName, distrtypes.ModuleName, slashingtypes.ModuleName, evidencetypes.ModuleName,
		stakingtypes.ModuleName, authz.ModuleName,
	)
	mm.SetOrderEndBlockers(
		banktypes.ModuleName, govtypes.ModuleName, stakingtypes.ModuleName, feegrant.ModuleName,
		identitytypes.ModuleName, ccftypes.ModuleName,
	)
	genesisOrder := []string{
		authtypes.ModuleName, banktypes.ModuleName, distrtypes.ModuleName, stakingtypes.ModuleName,
		slashingtypes.ModuleName, govtypes.ModuleName, minttypes.ModuleName, genutiltypes.ModuleName,
		evidencetypes.ModuleName, authz.ModuleName, feegrant.ModuleName, upgradetypes.ModuleName,
		vestingtypes.ModuleName, consensusparamtypes.ModuleName, identitytypes.ModuleName,
		reputationtypes.ModuleName, artifacttypes.ModuleName, ccftypes.ModuleName,
	}
	mm.SetOrderInitGenesis(genesisOrder...)
	mm.SetOrderExportGenesis(genesisOrder...)
}

// bankWithDenomMetadata gives `h3lixd init` a bank genesis that describes the
// uhlx/hlx denom (6 decimals), so wallets and explorers display HLX.
type bankWithDenomMetadata struct {
	bank.AppModule
}

// DefaultGenesis adds the HLX denom metadata to the bank default genesis.
func (b bankWithDenomMetadata) DefaultGenesis(cdc codec.JSONCodec) json.RawMessage {
	gs := banktypes.DefaultGenesisState()
	gs.DenomMetadata = []banktypes.Metadata{HLXMetadata()}
	return cdc.MustMarshalJSON(gs)
}

// HLXMetadata describes the chain's coin: base uhlx, display hlx (10^6 uhlx).
func HLXMetadata() banktypes.Metadata {
	return banktypes.Metadata{
		Description: "The native staking, fee and bond coin of H3LIX.",
		DenomUnits: []*banktypes.DenomUnit{
			{Denom: BondDenom, Exponent: 0, Aliases: []string{"microhlx"}},
			{Denom: DisplayDenom, Exponent: DisplayExponent},
		},
		Base:    BondDenom,
		Display: DisplayDenom,
		Name:    "H3LIX",
		Symbol:  "HLX",
	}
}
