package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module name; the module account burns commit fees.
	ModuleName = "artifact"
	// StoreKey is the KV store key of the module.
	StoreKey = ModuleName
	// PPM is the fixed-point unit: 1_000_000 = 1.
	PPM = 1_000_000
	// CommitDomain separates commitments from every other hash.
	CommitDomain = "h3lix/commit/v1"
	// SaltSize is the size of the reveal salt.
	SaltSize = 32
)

// Store prefixes; never reuse or renumber.
var (
	ParamsKey         = collections.NewPrefix(0)
	NextArtifactIDKey = collections.NewPrefix(1)
	ArtifactsKey      = collections.NewPrefix(2)
	ByRoundKey        = collections.NewPrefix(3) // (round, id)
	ByProducerKey     = collections.NewPrefix(4) // (producer, id)
	ByCIDKey          = collections.NewPrefix(5) // (cid, id): every artifact revealed with a CID
	RoundCIDKey       = collections.NewPrefix(6) // (round, cid) -> id holding the CID in the round
	// Prefix 7 held (round, commitment) before commitments were keyed by
	// producer; it is retired.
	RoundCommitmentKey = collections.NewPrefix(13) // (round, producer, commitment)
	AttestationsKey    = collections.NewPrefix(8)  // (artifact id, verifier) -> Attestation
	VerifierSetsKey    = collections.NewPrefix(9)  // round -> RoundVerifierSet
	VerifiersKey       = collections.NewPrefix(10) // (round, index) -> RoundVerifier
	CommitCountKey     = collections.NewPrefix(11) // (round, producer) -> commits
	VerifierWeightKey  = collections.NewPrefix(12) // (round, verifier) -> frozen weight
)
