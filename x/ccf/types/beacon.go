package types

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// MaxSeedShareBytes bounds a vote extension: a round id and one 32-byte value
// fit in well under it.
const MaxSeedShareBytes = 64

// CommitToSecret is a validator's commitment to its secret for round:
// SHA-256(BeaconDomain, chain id, round, secret). Binding the chain and the
// round means a commitment can be opened in no other round or chain.
func CommitToSecret(chainID string, round uint64, secret []byte) []byte {
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], round)
	h := sha256.New()
	h.Write([]byte(BeaconDomain))
	h.Write([]byte{0})
	h.Write([]byte(chainID))
	h.Write([]byte{0})
	h.Write(id[:])
	h.Write(secret)
	return h.Sum(nil)
}

// Validate checks the shape of a share: a round and exactly one of a 32-byte
// commitment or a 32-byte reveal.
func (s SeedShare) Validate() error {
	switch {
	case s.Round == 0:
		return fmt.Errorf("seed share: round must be positive")
	case len(s.Commitment) != 0 && len(s.Reveal) != 0:
		return fmt.Errorf("seed share: carries both a commitment and a reveal")
	case len(s.Commitment) == 0 && len(s.Reveal) == 0:
		return fmt.Errorf("seed share: carries neither a commitment nor a reveal")
	case len(s.Commitment) != 0 && len(s.Commitment) != sha256.Size:
		return fmt.Errorf("seed share: commitment is %d bytes, want %d", len(s.Commitment), sha256.Size)
	case len(s.Reveal) != 0 && len(s.Reveal) != sha256.Size:
		return fmt.Errorf("seed share: reveal is %d bytes, want %d", len(s.Reveal), sha256.Size)
	}
	return nil
}
