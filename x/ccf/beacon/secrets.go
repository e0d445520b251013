package beacon

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/h3lix/h3lix/x/ccf/types"
)

// SecretFile is where a validator keeps the key its round secrets derive
// from, under the node's home.
const SecretFile = "data/beacon_secret.hex"

// Secrets derives a validator's secret for each round from a 32-byte key
// kept in a file: HMAC-SHA256(key, domain, chain id, round). Deriving
// instead of drawing means a validator that restarts between its commitment
// and its reveal reveals the same secret. The key is created, from the
// operating system's randomness, the first time it is needed; only a voting
// validator needs it.
type Secrets struct {
	path string
	once sync.Once
	key  []byte
	err  error
}

// NewSecrets returns the secret source kept at path.
func NewSecrets(path string) *Secrets { return &Secrets{path: path} }

// Secret is the validator's secret for round on chainID.
func (s *Secrets) Secret(chainID string, round uint64) ([]byte, error) {
	s.once.Do(func() { s.key, s.err = loadOrCreateKey(s.path) })
	if s.err != nil {
		return nil, s.err
	}
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], round)
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(types.BeaconDomain))
	m.Write([]byte{0})
	m.Write([]byte(chainID))
	m.Write([]byte{0})
	m.Write(id[:])
	return m.Sum(nil), nil
}

func loadOrCreateKey(path string) ([]byte, error) {
	bz, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("beacon secret: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("beacon secret: %w", err)
		}
		// O_EXCL: two processes sharing a home never overwrite each other's key.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("beacon secret: %w", err)
		}
		if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("beacon secret: writing %s: %w", path, err)
		}
		return key, f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("beacon secret: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(bz)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("beacon secret %s is not 64 hex digits; delete it to make a new one (the current round's commitment will then not open, and the seed goes on without this validator's share)", path)
	}
	return key, nil
}
