package cmd

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmttime "github.com/cometbft/cometbft/types/time"
	"github.com/spf13/cobra"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	serverconfig "github.com/cosmos/cosmos-sdk/server/config"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	govv1 "github.com/cosmos/cosmos-sdk/x/gov/types/v1"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/h3lix/h3lix/app"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
)

// Port bases of validator i on loopback: each service gets base+i, so up to
// 100 validators fit without collisions and validator 0 uses the usual ports.
const (
	BaseRPCPort  = 26657
	BaseP2PPort  = 16656
	BaseAPIPort  = 1317
	BaseGRPCPort = 9090
)

const (
	flagNumValidators       = "v"
	flagOutputDir           = "output-dir"
	flagBlockTime           = "block-time"
	flagMinGasPrices        = "min-gas-prices"
	flagFundedKeys          = "funded-keys"
	flagVotingPeriod        = "voting-period"
	flagNodeUnbondingBlocks = "node-unbonding-blocks"
	flagPortOffset          = "port-offset"
	flagRoundBlocks         = "round-blocks"
	flagMaxCommitsPerNode   = "max-commits-per-node"
)

// Amounts in uhlx.
var (
	validatorFunds = sdkmath.NewInt(1_000_000_000_000) // 1,000,000 HLX
	validatorStake = sdkmath.NewInt(100_000_000_000)   // 100,000 HLX
	userFunds      = sdkmath.NewInt(1_000_000_000_000) // 1,000,000 HLX
	rewardPool     = sdkmath.NewInt(1_000_000_000_000) // 1,000,000 HLX in the ccf pool
)

// NewTestnetCmd returns `testnet`, which writes the files of a local network.
func NewTestnetCmd(basics module.BasicManager) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "testnet",
		Short: "Create the files of a local multi-validator network",
		RunE:  client.ValidateCmd,
	}
	cmd.AddCommand(testnetInitFilesCmd(basics))
	return cmd
}

type testnetArgs struct {
	numValidators       int
	outputDir           string
	chainID             string
	keyringBackend      string
	blockTime           time.Duration
	minGasPrices        string
	fundedKeys          []string
	votingPeriod        time.Duration
	nodeUnbondingBlocks int64
	portOffset          int
	roundBlocks         []int64
	maxCommitsPerNode   uint32
}

func testnetInitFilesCmd(basics module.BasicManager) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init-files",
		Short: "Write config, keys and a shared genesis for N validators on 127.0.0.1",
		Long: fmt.Sprintf(`Write a home directory per validator (OUTPUT/node0, OUTPUT/node1, ...) with its
keys, config and the shared genesis. Validator i listens on 127.0.0.1 with
RPC %d+i, P2P %d+i, REST %d+i and gRPC %d+i (plus --port-offset). Keys named by --funded-keys are
created in node0's keyring and funded; every node's client.toml points at its own RPC.

Start validator i with: h3lixd start --home OUTPUT/node<i>`, BaseRPCPort, BaseP2PPort, BaseAPIPort, BaseGRPCPort),
		Example: "h3lixd testnet init-files --v 4 --output-dir ./.localnet --chain-id h3lix-local --keyring-backend test",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			clientCtx, err := client.GetClientQueryContext(cmd)
			if err != nil {
				return err
			}
			var a testnetArgs
			f := cmd.Flags()
			a.numValidators, _ = f.GetInt(flagNumValidators)
			a.outputDir, _ = f.GetString(flagOutputDir)
			a.chainID, _ = f.GetString(flags.FlagChainID)
			a.keyringBackend, _ = f.GetString(flags.FlagKeyringBackend)
			a.blockTime, _ = f.GetDuration(flagBlockTime)
			a.minGasPrices, _ = f.GetString(flagMinGasPrices)
			a.fundedKeys, _ = f.GetStringSlice(flagFundedKeys)
			a.votingPeriod, _ = f.GetDuration(flagVotingPeriod)
			a.nodeUnbondingBlocks, _ = f.GetInt64(flagNodeUnbondingBlocks)
			a.portOffset, _ = f.GetInt(flagPortOffset)
			a.maxCommitsPerNode, _ = f.GetUint32(flagMaxCommitsPerNode)
			rb, _ := f.GetInt64Slice(flagRoundBlocks)
			if len(rb) == 3 {
				// The disclose phase is one message per verifier: as long as
				// the reveal phase unless given.
				rb = append(rb, rb[1])
			}
			if len(rb) != 4 {
				return fmt.Errorf("--%s takes three or four block counts: commit,reveal,attest[,disclose]", flagRoundBlocks)
			}
			a.roundBlocks = rb
			if a.portOffset < 0 || a.portOffset > 5000 {
				return fmt.Errorf("--%s must be between 0 and 5000, got %d", flagPortOffset, a.portOffset)
			}
			if a.numValidators < 1 || a.numValidators > 100 {
				return fmt.Errorf("--v must be between 1 and 100, got %d", a.numValidators)
			}
			if a.chainID == "" {
				return fmt.Errorf("--chain-id is required")
			}
			if _, err := os.Stat(filepath.Join(a.outputDir, "node0", "config", "genesis.json")); err == nil {
				return fmt.Errorf("%s already holds a network; remove it first to start over", a.outputDir)
			}
			return initTestnetFiles(cmd, clientCtx, basics, a)
		},
	}
	f := cmd.Flags()
	f.Int(flagNumValidators, 4, "number of validators")
	f.String(flagOutputDir, "./.localnet", "directory for the validators' home directories")
	f.String(flags.FlagChainID, "h3lix-local", "chain id")
	f.String(flags.FlagKeyringBackend, keyring.BackendTest, "keyring backend of the generated keys (test keeps them unencrypted: local use only)")
	f.Duration(flagBlockTime, time.Second, "CometBFT timeout_commit, roughly the block time")
	f.String(flagMinGasPrices, "0"+app.BondDenom, "minimum gas prices each validator accepts")
	f.StringSlice(flagFundedKeys, []string{"alice", "bob", "carol", "dave"}, "user keys to create in node0's keyring and fund with 1,000,000 HLX each")
	f.Duration(flagVotingPeriod, 30*time.Second, "governance voting period (short, for local testing)")
	f.Int64(flagNodeUnbondingBlocks, 20, "identity unbonding_blocks (short, for local testing)")
	f.Int(flagPortOffset, 0, "added to every port, to run a second network beside the first")
	f.Int64Slice(flagRoundBlocks, []int64{10, 5, 10, 5}, "ccf phase lengths in blocks: commit,reveal,attest[,disclose] (disclose defaults to reveal)")
	f.Uint32(flagMaxCommitsPerNode, 4, "artifact max_commits_per_node")
	return cmd
}

type validatorFiles struct {
	home    string
	config  *cmtcfg.Config
	nodeID  string
	pubKey  cryptotypes.PubKey
	address sdk.AccAddress
}

func initTestnetFiles(cmd *cobra.Command, clientCtx client.Context, basics module.BasicManager, a testnetArgs) error {
	out := cmd.OutOrStdout()
	gentxsDir := filepath.Join(a.outputDir, "gentxs")
	if err := os.MkdirAll(gentxsDir, 0o755); err != nil {
		return err
	}
	var (
		vals     []validatorFiles
		accounts []authtypes.GenesisAccount
		balances []banktypes.Balance
	)
	fund := func(addr sdk.AccAddress, amount sdkmath.Int) {
		accounts = append(accounts, authtypes.NewBaseAccount(addr, nil, 0, 0))
		balances = append(balances, banktypes.Balance{Address: addr.String(), Coins: sdk.NewCoins(sdk.NewCoin(app.BondDenom, amount))})
	}

	for n := 0; n < a.numValidators; n++ {
		i := n + a.portOffset // port index
		moniker := fmt.Sprintf("node%d", n)
		home := filepath.Join(a.outputDir, moniker)
		cfg := cmtcfg.DefaultConfig()
		cfg.SetRoot(home)
		cfg.Moniker = moniker
		cfg.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", BaseRPCPort+i)
		cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", BaseP2PPort+i)
		cfg.P2P.AllowDuplicateIP = true
		cfg.P2P.AddrBookStrict = false
		cfg.RPC.PprofListenAddress = ""
		cfg.Consensus.TimeoutCommit = a.blockTime
		if err := os.MkdirAll(filepath.Join(home, "config"), 0o755); err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(home, "data"), 0o755); err != nil {
			return err
		}
		nodeID, pubKey, err := genutil.InitializeNodeValidatorFiles(cfg)
		if err != nil {
			return err
		}

		kb, err := keyring.New(sdk.KeyringServiceName(), a.keyringBackend, home, bufio.NewReader(cmd.InOrStdin()), clientCtx.Codec)
		if err != nil {
			return err
		}
		addr, secret, err := testutil.GenerateSaveCoinKey(kb, "validator", "", true, hd.Secp256k1)
		if err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(home, "key_seed.json"), map[string]string{"secret": secret}); err != nil {
			return err
		}
		fund(addr, validatorFunds)
		if n == 0 {
			for _, name := range a.fundedKeys {
				userAddr, userSecret, err := testutil.GenerateSaveCoinKey(kb, name, "", true, hd.Secp256k1)
				if err != nil {
					return err
				}
				if err := writeJSON(filepath.Join(home, name+"_seed.json"), map[string]string{"secret": userSecret}); err != nil {
					return err
				}
				fund(userAddr, userFunds)
			}
		}

		createVal, err := stakingtypes.NewMsgCreateValidator(
			sdk.ValAddress(addr).String(), pubKey, sdk.NewCoin(app.BondDenom, validatorStake),
			stakingtypes.NewDescription(moniker, "", "", "", ""),
			stakingtypes.NewCommissionRates(sdkmath.LegacyNewDecWithPrec(5, 2), sdkmath.LegacyNewDecWithPrec(20, 2), sdkmath.LegacyNewDecWithPrec(1, 2)),
			sdkmath.OneInt(),
		)
		if err != nil {
			return err
		}
		memo := fmt.Sprintf("%s@127.0.0.1:%d", nodeID, BaseP2PPort+i)
		txb := clientCtx.TxConfig.NewTxBuilder()
		if err := txb.SetMsgs(createVal); err != nil {
			return err
		}
		txb.SetMemo(memo)
		factory := tx.Factory{}.WithChainID(a.chainID).WithMemo(memo).WithKeybase(kb).WithTxConfig(clientCtx.TxConfig)
		if err := tx.Sign(cmd.Context(), factory, "validator", txb, true); err != nil {
			return err
		}
		bz, err := clientCtx.TxConfig.TxJSONEncoder()(txb.GetTx())
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(gentxsDir, moniker+".json"), bz, 0o644); err != nil {
			return err
		}

		appCfg := serverconfig.DefaultConfig()
		appCfg.MinGasPrices = a.minGasPrices
		appCfg.API.Enable = true
		appCfg.API.Swagger = true
		appCfg.API.EnableUnsafeCORS = true
		appCfg.API.Address = fmt.Sprintf("tcp://127.0.0.1:%d", BaseAPIPort+i)
		appCfg.GRPC.Address = fmt.Sprintf("127.0.0.1:%d", BaseGRPCPort+i)
		serverconfig.WriteConfigFile(filepath.Join(home, "config", "app.toml"), appCfg)

		if err := writeClientConfigFile(filepath.Join(home, "config", "client.toml"), map[string]string{
			"chain-id": a.chainID, "keyring-backend": a.keyringBackend, "keyring-default-keyname": "",
			"output": "text", "node": fmt.Sprintf("tcp://127.0.0.1:%d", BaseRPCPort+i), "broadcast-mode": "sync",
		}); err != nil {
			return err
		}
		vals = append(vals, validatorFiles{home: home, config: cfg, nodeID: nodeID, pubKey: pubKey, address: addr})
	}

	// The ccf reward pool starts with 1,000,000 HLX so rounds pay from the first one.
	balances = append(balances, banktypes.Balance{
		Address: authtypes.NewModuleAddress(ccftypes.ModuleName).String(),
		Coins:   sdk.NewCoins(sdk.NewCoin(app.BondDenom, rewardPool)),
	})
	appState, err := testnetAppState(clientCtx, basics, accounts, balances, a)
	if err != nil {
		return err
	}
	genTime := cmttime.Now()
	for _, v := range vals {
		gen := genutiltypes.NewAppGenesisWithVersion(a.chainID, appState)
		gen.GenesisTime = genTime
		withBeacon(gen.Consensus)
		if err := gen.SaveAs(v.config.GenesisFile()); err != nil {
			return err
		}
		initCfg := genutiltypes.NewInitConfig(a.chainID, gentxsDir, v.nodeID, v.pubKey)
		if _, err := genutil.GenAppStateFromConfig(clientCtx.Codec, clientCtx.TxConfig, v.config, initCfg, gen,
			banktypes.GenesisBalancesIterator{}, genutiltypes.DefaultMessageValidator, addresscodec.NewBech32Codec(app.Bech32PrefixValAddr)); err != nil {
			return fmt.Errorf("collecting gentxs for %s: %w", v.config.Moniker, err)
		}
	}
	fmt.Fprintf(out, "wrote %d validator(s) of chain %s to %s\n", a.numValidators, a.chainID, a.outputDir)
	return nil
}

// testnetAppState is the default genesis with the accounts funded and the
// waiting times shortened for local use.
func testnetAppState(clientCtx client.Context, basics module.BasicManager, accounts []authtypes.GenesisAccount, balances []banktypes.Balance, a testnetArgs) (json.RawMessage, error) {
	cdc := clientCtx.Codec
	state := basics.DefaultGenesis(cdc)

	var authGen authtypes.GenesisState
	cdc.MustUnmarshalJSON(state[authtypes.ModuleName], &authGen)
	packed, err := authtypes.PackAccounts(accounts)
	if err != nil {
		return nil, err
	}
	authGen.Accounts = packed
	state[authtypes.ModuleName] = cdc.MustMarshalJSON(&authGen)

	var bankGen banktypes.GenesisState
	cdc.MustUnmarshalJSON(state[banktypes.ModuleName], &bankGen)
	bankGen.Balances = banktypes.SanitizeGenesisBalances(balances)
	total := sdk.NewCoins()
	for _, b := range balances {
		total = total.Add(b.Coins...)
	}
	bankGen.Supply = total
	state[banktypes.ModuleName] = cdc.MustMarshalJSON(&bankGen)

	var govGen govv1.GenesisState
	cdc.MustUnmarshalJSON(state["gov"], &govGen)
	vp := a.votingPeriod
	expedited := vp / 2
	govGen.Params.VotingPeriod = &vp
	govGen.Params.ExpeditedVotingPeriod = &expedited
	govGen.Params.MinDeposit = sdk.NewCoins(sdk.NewCoin(app.BondDenom, sdkmath.NewInt(10_000_000)))
	govGen.Params.ExpeditedMinDeposit = sdk.NewCoins(sdk.NewCoin(app.BondDenom, sdkmath.NewInt(50_000_000)))
	state["gov"] = cdc.MustMarshalJSON(&govGen)

	var idGen identitytypes.GenesisState
	cdc.MustUnmarshalJSON(state[identitytypes.ModuleName], &idGen)
	idGen.Params.UnbondingBlocks = a.nodeUnbondingBlocks
	if err := idGen.Validate(); err != nil {
		return nil, err
	}
	state[identitytypes.ModuleName] = cdc.MustMarshalJSON(&idGen)

	var ccfGen ccftypes.GenesisState
	cdc.MustUnmarshalJSON(state[ccftypes.ModuleName], &ccfGen)
	ccfGen.Params.CommitBlocks, ccfGen.Params.RevealBlocks, ccfGen.Params.AttestBlocks, ccfGen.Params.DiscloseBlocks = a.roundBlocks[0], a.roundBlocks[1], a.roundBlocks[2], a.roundBlocks[3]
	if err := ccfGen.Validate(); err != nil {
		return nil, err
	}
	state[ccftypes.ModuleName] = cdc.MustMarshalJSON(&ccfGen)

	var artGen artifacttypes.GenesisState
	cdc.MustUnmarshalJSON(state[artifacttypes.ModuleName], &artGen)
	artGen.Params.MaxCommitsPerNode = a.maxCommitsPerNode
	if err := artGen.Validate(); err != nil {
		return nil, err
	}
	state[artifacttypes.ModuleName] = cdc.MustMarshalJSON(&artGen)

	return json.MarshalIndent(state, "", "  ")
}

func writeJSON(path string, v any) error {
	bz, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, bz, 0o600)
}
