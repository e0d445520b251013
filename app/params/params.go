// Package params holds the chain's process-wide settings — address prefixes,
// denoms — and its codecs, apart from the app and its keepers, so that
// clients such as the worker's chain bridge can sign and decode transactions
// without linking the state machine.
package params

import (
	"os"

	"sync"

	"github.com/cosmos/gogoproto/proto"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/std"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	"github.com/cosmos/cosmos-sdk/x/tx/signing"
)

const (
	// AppName is the application name reported over ABCI.
	AppName = "h3lix"
	// Bech32Prefix is the account address prefix; validator and consensus
	// prefixes derive from it.
	Bech32Prefix = "h3lix"
	// BondDenom is the base staking and fee denom; 1 HLX = 10^6 uhlx.
	BondDenom = "uhlx"
	// DisplayDenom is the human denom.
	DisplayDenom = "hlx"
	// DisplayExponent is the decimal exponent of DisplayDenom over BondDenom.
	DisplayExponent = 6
)

var (
	Bech32PrefixValAddr  = Bech32Prefix + sdk.PrefixValidator + sdk.PrefixOperator
	Bech32PrefixConsAddr = Bech32Prefix + sdk.PrefixValidator + sdk.PrefixConsensus
)

var configOnce sync.Once

// SetConfig sets the process-wide address prefixes and bond denom. Much SDK
// code formats addresses through the global config, so the CLI, the app, the
// worker and the tests all call this before anything else; it is idempotent.
func SetConfig() {
	configOnce.Do(func() {
		// The SDK keys its config registry by COSMOS_SDK_CONFIG_SCOPE or, if
		// unset, by hostname|executable|pid, which it derives again with
		// three system calls on every GetConfig: on every address encoded,
		// decoded or verified. A third of finalization's EndBlock went there
		// (ADR-004, "Finalization cost"). One scope for the process keeps the
		// lookup an environment read; a scope set by the operator is kept.
		if os.Getenv(sdk.EnvConfigScope) == "" {
			_ = os.Setenv(sdk.EnvConfigScope, AppName)
		}
		cfg := sdk.GetConfig()
		cfg.SetBech32PrefixForAccount(Bech32Prefix, Bech32Prefix+sdk.PrefixPublic)
		cfg.SetBech32PrefixForValidator(Bech32PrefixValAddr, Bech32PrefixValAddr+sdk.PrefixPublic)
		cfg.SetBech32PrefixForConsensusNode(Bech32PrefixConsAddr, Bech32PrefixConsAddr+sdk.PrefixPublic)
		cfg.Seal()
		sdk.DefaultBondDenom = BondDenom
	})
}

// EncodingConfig bundles the codecs the app and its clients share.
type EncodingConfig struct {
	InterfaceRegistry codectypes.InterfaceRegistry
	Codec             codec.Codec
	TxConfig          client.TxConfig
	Amino             *codec.LegacyAmino
}

// MakeEncodingConfig builds the codecs with the standard types registered;
// callers register the module types they use.
func MakeEncodingConfig() EncodingConfig {
	SetConfig()
	registry, err := codectypes.NewInterfaceRegistryWithOptions(codectypes.InterfaceRegistryOptions{
		ProtoFiles: proto.HybridResolver,
		SigningOptions: signing.Options{
			AddressCodec:          addresscodec.NewBech32Codec(Bech32Prefix),
			ValidatorAddressCodec: addresscodec.NewBech32Codec(Bech32PrefixValAddr),
		},
	})
	if err != nil {
		panic(err)
	}
	cdc := codec.NewProtoCodec(registry)
	amino := codec.NewLegacyAmino()
	std.RegisterInterfaces(registry)
	std.RegisterLegacyAminoCodec(amino)
	return EncodingConfig{
		InterfaceRegistry: registry,
		Codec:             cdc,
		TxConfig:          authtx.NewTxConfig(cdc, authtx.DefaultSignModes),
		Amino:             amino,
	}
}
