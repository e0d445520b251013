package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module name; its module account holds the reward pool.
	ModuleName = "ccf"
	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
	// PPM is the fixed-point unit: 1_000_000 = 1.
	PPM = 1_000_000
	// SeedDomain separates round seeds from every other hash.
	SeedDomain = "h3lix/seed/v1"
	// BeaconDomain separates validators' beacon commitments and secrets.
	BeaconDomain = "h3lix/beacon/v1"
)

// Store prefixes; never reuse or renumber.
var (
	ParamsKey       = collections.NewPrefix(0)
	CurrentRoundKey = collections.NewPrefix(1)
	CandidatesKey   = collections.NewPrefix(2) // (MaxUint64 - weight, artifact id) -> Candidate
	FieldsKey       = collections.NewPrefix(3) // round -> Field
	LatestFieldKey  = collections.NewPrefix(4)
	PruneRoundKey   = collections.NewPrefix(5)
	RoundsKey       = collections.NewPrefix(6)  // round id -> finalized Round
	TalliesKey      = collections.NewPrefix(7)  // operator -> Tally of the round being finalized
	PendingFieldKey = collections.NewPrefix(8)  // the built Field while the round settles
	FieldPruneKey   = collections.NewPrefix(9)  // next round whose field and record will be pruned
	BeaconKey       = collections.NewPrefix(10) // (round, consensus address) -> beacon commitment
)
