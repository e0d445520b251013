package chain

import (
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/h3lix/h3lix/app/params"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
	reputationtypes "github.com/h3lix/h3lix/x/reputation/types"
)

// Encoding returns codecs that know every message the worker and its tools
// sign: the H3LIX modules plus auth and bank. It deliberately does not build
// the app, so the worker does not link the state machine.
func Encoding() params.EncodingConfig {
	enc := params.MakeEncodingConfig()
	authtypes.RegisterInterfaces(enc.InterfaceRegistry)
	banktypes.RegisterInterfaces(enc.InterfaceRegistry)
	identitytypes.RegisterInterfaces(enc.InterfaceRegistry)
	artifacttypes.RegisterInterfaces(enc.InterfaceRegistry)
	ccftypes.RegisterInterfaces(enc.InterfaceRegistry)
	reputationtypes.RegisterInterfaces(enc.InterfaceRegistry)
	return enc
}
