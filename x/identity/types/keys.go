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
	ParamsKey = collections.NewPrefix(0)
	NodesKey  = collections.NewPrefix(1)
	// Prefix 2 held a unique peer id index; it is retired.
	NodesByPeerIDKey  = collections.NewPrefix(5) // (peer id, operator)
	UnbondingQueueKey = collections.NewPrefix(3)
	NodesVerifyingKey = collections.NewPrefix(4) // (1 if an active verifier else 0, operator)
)
