package app

import "github.com/h3lix/h3lix/app/params"

// The chain's settings live in app/params so that clients can use them
// without linking the keepers; these names keep the app's callers unchanged.
const (
	AppName         = params.AppName
	Bech32Prefix    = params.Bech32Prefix
	BondDenom       = params.BondDenom
	DisplayDenom    = params.DisplayDenom
	DisplayExponent = params.DisplayExponent
)

var (
	Bech32PrefixValAddr  = params.Bech32PrefixValAddr
	Bech32PrefixConsAddr = params.Bech32PrefixConsAddr
)

// SetConfig sets the process-wide address prefixes and bond denom (see
// params.SetConfig).
func SetConfig() { params.SetConfig() }
