package keeper_test

import (
	"github.com/h3lix/h3lix/testutil/roundtest"
	identitykeeper "github.com/h3lix/h3lix/x/identity/keeper"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
)

func identityMsgs(n *roundtest.Net) identitytypes.MsgServer {
	return identitykeeper.NewMsgServerImpl(n.App.IdentityKeeper)
}
