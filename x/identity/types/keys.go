package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module name; it is also the name of the module account
	// that escrows node bonds.
	ModuleName = "identity"
	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
)

// Store prefixes. Never reuse or renumber a prefix: state written with it
// would be read as something else.
var (
	ParamsKey         = collections.NewPrefix(0)
	NodesKey          = collections.NewPrefix(1)
	NodesByPeerIDKey  = collections.NewPrefix(2)
	UnbondingQueueKey = collections.NewPrefix(3)
	NodesVerifyingKey = collections.NewPrefix(4) // (1 if an active verifier else 0, operator)
)
