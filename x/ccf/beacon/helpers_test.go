package beacon

import (
	"cosmossdk.io/log/v2"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

func nopLogger() log.Logger { return log.NewNopLogger() }

// sdkCtx is an empty context: VerifyVoteExtension judges the bytes alone.
func sdkCtx() sdk.Context { return sdk.Context{} }
