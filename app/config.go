package app

import (
	"sync"

	sdk "github.com/cosmos/cosmos-sdk/types"
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
// code formats addresses through the global config, so the CLI, the app and
// the tests all call this before anything else; it is idempotent.
func SetConfig() {
	configOnce.Do(func() {
		cfg := sdk.GetConfig()
		cfg.SetBech32PrefixForAccount(Bech32Prefix, Bech32Prefix+sdk.PrefixPublic)
		cfg.SetBech32PrefixForValidator(Bech32PrefixValAddr, Bech32PrefixValAddr+sdk.PrefixPublic)
		cfg.SetBech32PrefixForConsensusNode(Bech32PrefixConsAddr, Bech32PrefixConsAddr+sdk.PrefixPublic)
		cfg.Seal()
		sdk.DefaultBondDenom = BondDenom
	})
}
