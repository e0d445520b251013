package app

import (
	corestore "cosmossdk.io/core/store"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"

	"github.com/cosmos/cosmos-sdk/runtime"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	authzkeeper "github.com/cosmos/cosmos-sdk/x/authz/keeper"
	bankkeeper "github.com/cosmos/cosmos-sdk/x/bank/keeper"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	consensusparamkeeper "github.com/cosmos/cosmos-sdk/x/consensus/keeper"
	consensusparamtypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	distrkeeper "github.com/cosmos/cosmos-sdk/x/distribution/keeper"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	evidencekeeper "github.com/cosmos/cosmos-sdk/x/evidence/keeper"
	evidencetypes "github.com/cosmos/cosmos-sdk/x/evidence/types"
	"github.com/cosmos/cosmos-sdk/x/feegrant"
	feegrantkeeper "github.com/cosmos/cosmos-sdk/x/feegrant/keeper"
	govkeeper "github.com/cosmos/cosmos-sdk/x/gov/keeper"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	mintkeeper "github.com/cosmos/cosmos-sdk/x/mint/keeper"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"
	slashingkeeper "github.com/cosmos/cosmos-sdk/x/slashing/keeper"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingkeeper "github.com/cosmos/cosmos-sdk/x/staking/keeper"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"
	upgradekeeper "github.com/cosmos/cosmos-sdk/x/upgrade/keeper"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"

	artifactkeeper "github.com/h3lix/h3lix/x/artifact/keeper"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	ccfkeeper "github.com/h3lix/h3lix/x/ccf/keeper"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	identitykeeper "github.com/h3lix/h3lix/x/identity/keeper"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
	reputationkeeper "github.com/h3lix/h3lix/x/reputation/keeper"
	reputationtypes "github.com/h3lix/h3lix/x/reputation/types"
)

// maccPerms are the module accounts and what each may do with coins.
var maccPerms = map[string][]string{
	authtypes.FeeCollectorName:          nil,
	distrtypes.ModuleName:               nil,
	minttypes.ModuleName:                {authtypes.Minter},
	stakingtypes.BondedPoolName:         {authtypes.Burner, authtypes.Staking},
	stakingtypes.NotBondedPoolName:      {authtypes.Burner, authtypes.Staking},
	stakingtypes.KeyRotationFeePoolName: {authtypes.Burner},
	govtypes.ModuleName:                 {authtypes.Burner},
	// identity escrows node bonds; Burner lets reputation slash them.
	identitytypes.ModuleName: {authtypes.Burner},
	// artifact burns commit fees.
	artifacttypes.ModuleName: {authtypes.Burner},
	// ccf holds the round reward pool.
	ccftypes.ModuleName: nil,
}

// poolAccounts may receive plain sends: anyone can top up the reward pool.
var poolAccounts = map[string]bool{ccftypes.ModuleName: true}

// blockedModuleAccounts may not receive plain sends: a stray transfer into an
// escrow would break its accounting.
func blockedModuleAccounts() map[string]bool {
	blocked := make(map[string]bool, len(maccPerms))
	for name := range maccPerms {
		if !poolAccounts[name] {
			blocked[authtypes.NewModuleAddress(name).String()] = true
		}
	}
	return blocked
}

// storeKeyNames lists every KV store the app mounts.
var storeKeyNames = []string{
	authtypes.StoreKey, banktypes.StoreKey, stakingtypes.StoreKey, minttypes.StoreKey,
	distrtypes.StoreKey, slashingtypes.StoreKey, govtypes.StoreKey, consensusparamtypes.StoreKey,
	upgradetypes.StoreKey, evidencetypes.StoreKey, feegrant.StoreKey, authzkeeper.StoreKey,
	identitytypes.StoreKey, reputationtypes.StoreKey, artifacttypes.StoreKey, ccftypes.StoreKey,
}

// Keepers holds every module keeper.
type Keepers struct {
	AccountKeeper         authkeeper.AccountKeeper
	BankKeeper            bankkeeper.BaseKeeper
	StakingKeeper         *stakingkeeper.Keeper
	SlashingKeeper        slashingkeeper.Keeper
	MintKeeper            mintkeeper.Keeper
	DistrKeeper           distrkeeper.Keeper
	GovKeeper             *govkeeper.Keeper
	UpgradeKeeper         *upgradekeeper.Keeper
	EvidenceKeeper        evidencekeeper.Keeper
	FeeGrantKeeper        feegrantkeeper.Keeper
	AuthzKeeper           authzkeeper.Keeper
	ConsensusParamsKeeper consensusparamkeeper.Keeper

	IdentityKeeper   identitykeeper.Keeper
	ReputationKeeper reputationkeeper.Keeper
	ArtifactKeeper   artifactkeeper.Keeper
	CCFKeeper        ccfkeeper.Keeper
}

func (app *H3lixApp) initKeepers(keys map[string]*storetypes.KVStoreKey, homePath string, skipUpgradeHeights map[int64]bool) {
	cdc := app.appCodec
	authority := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	accCodec := addresscodec.NewBech32Codec(Bech32Prefix)
	valCodec := addresscodec.NewBech32Codec(Bech32PrefixValAddr)
	consCodec := addresscodec.NewBech32Codec(Bech32PrefixConsAddr)
	store := func(name string) corestore.KVStoreService { return runtime.NewKVStoreService(keys[name]) }

	app.ConsensusParamsKeeper = consensusparamkeeper.NewKeeper(cdc, store(consensusparamtypes.StoreKey), authority, runtime.EventService{})
	app.SetParamStore(app.ConsensusParamsKeeper.ParamsStore)

	app.AccountKeeper = authkeeper.NewAccountKeeper(cdc, store(authtypes.StoreKey), authtypes.ProtoBaseAccount,
		maccPerms, accCodec, Bech32Prefix, authority)
	app.BankKeeper = bankkeeper.NewBaseKeeper(cdc, store(banktypes.StoreKey), app.AccountKeeper,
		blockedModuleAccounts(), authority, app.Logger())
	app.StakingKeeper = stakingkeeper.NewKeeper(cdc, store(stakingtypes.StoreKey), app.AccountKeeper, app.BankKeeper,
		authority, valCodec, consCodec)
	app.MintKeeper = mintkeeper.NewKeeper(cdc, store(minttypes.StoreKey), app.StakingKeeper, app.AccountKeeper,
		app.BankKeeper, authtypes.FeeCollectorName, authority)
	app.DistrKeeper = distrkeeper.NewKeeper(cdc, store(distrtypes.StoreKey), app.AccountKeeper, app.BankKeeper,
		app.StakingKeeper, authtypes.FeeCollectorName, authority)
	app.SlashingKeeper = slashingkeeper.NewKeeper(cdc, app.legacyAmino, store(slashingtypes.StoreKey),
		app.StakingKeeper, authority)
	app.FeeGrantKeeper = feegrantkeeper.NewKeeper(cdc, store(feegrant.StoreKey), app.AccountKeeper)
	app.StakingKeeper.SetHooks(stakingtypes.NewMultiStakingHooks(app.DistrKeeper.Hooks(), app.SlashingKeeper.Hooks()))
	app.AuthzKeeper = authzkeeper.NewKeeper(store(authzkeeper.StoreKey), cdc, app.MsgServiceRouter(), app.AccountKeeper)
	app.UpgradeKeeper = upgradekeeper.NewKeeper(skipUpgradeHeights, store(upgradetypes.StoreKey), cdc, homePath,
		app.BaseApp, authority)
	app.GovKeeper = govkeeper.NewKeeper(cdc, store(govtypes.StoreKey), app.AccountKeeper, app.BankKeeper,
		app.DistrKeeper, app.MsgServiceRouter(), govtypes.DefaultConfig(), authority,
		govkeeper.NewDefaultCalculateVoteResultsAndVotingPower(app.StakingKeeper))
	evidenceKeeper := evidencekeeper.NewKeeper(cdc, store(evidencetypes.StoreKey), app.StakingKeeper,
		app.SlashingKeeper, accCodec, runtime.ProvideCometInfoService())
	app.EvidenceKeeper = *evidenceKeeper

	// artifact reads the round schedule through a reader over the ccf store,
	// identity asks a reader over the artifact store whether a node still has
	// work in the round, and ccf drives artifact at finalization: no keeper cycle.
	rounds := ccfkeeper.NewRoundReader(cdc, store(ccftypes.StoreKey))
	app.IdentityKeeper = identitykeeper.NewKeeper(cdc, store(identitytypes.StoreKey), accCodec,
		app.AccountKeeper, app.BankKeeper, authority).
		WithPendingWork(artifactkeeper.NewPendingReader(cdc, store(artifacttypes.StoreKey), rounds))
	app.ReputationKeeper = reputationkeeper.NewKeeper(cdc, store(reputationtypes.StoreKey), accCodec,
		app.IdentityKeeper, authority)
	app.ArtifactKeeper = artifactkeeper.NewKeeper(cdc, store(artifacttypes.StoreKey), accCodec,
		app.IdentityKeeper, app.ReputationKeeper, rounds, app.BankKeeper, authority)
	app.CCFKeeper = ccfkeeper.NewKeeper(cdc, store(ccftypes.StoreKey), accCodec,
		app.ArtifactKeeper, app.ReputationKeeper, app.BankKeeper, app.AccountKeeper, authority)
}
