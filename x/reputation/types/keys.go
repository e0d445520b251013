package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module name.
	ModuleName = "reputation"
	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
	// PPM is the fixed-point unit of scores: 1_000_000 = 1.
	PPM = 1_000_000
)

// Store prefixes; never reuse or renumber.
var (
	ParamsKey      = collections.NewPrefix(0)
	ReputationsKey = collections.NewPrefix(1)
	// LeaderboardKey orders nodes by (PPM - score, operator): ascending
	// iteration is the leaderboard, best first.
	LeaderboardKey = collections.NewPrefix(2)
)
