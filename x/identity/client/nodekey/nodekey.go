// Package nodekey stores a node's ed25519 key in a file, the way both the
// CLI and the worker load it. The file holds the private key, so it is
// written with mode 0600.
package nodekey

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/h3lix/h3lix/x/identity/types"
)

// KeyType is the only key type written and accepted.
const KeyType = "ed25519"

type fileFormat struct {
	Type    string `json:"type"`
	PrivKey string `json:"priv_key"`
	// PeerID is informative; it is re-derived and checked on load.
	PeerID string `json:"peer_id"`
}

// Key is a node key with its derived peer id.
type Key struct {
	Priv   ed25519.PrivateKey
	PeerID string
}

// Public returns the 32-byte public key.
func (k Key) Public() []byte { return k.Priv.Public().(ed25519.PublicKey) }

// SignPoP signs the proof of possession the identity module checks.
func (k Key) SignPoP(chainID string, operator []byte) []byte {
	return ed25519.Sign(k.Priv, types.PoPSignBytes(chainID, operator, k.Public()))
}

// FromPrivate wraps an ed25519 private key.
func FromPrivate(priv ed25519.PrivateKey) (Key, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return Key{}, fmt.Errorf("ed25519 private key must be %d bytes, got %d", ed25519.PrivateKeySize, len(priv))
	}
	id, err := types.PeerIDFromNodeKey(priv.Public().(ed25519.PublicKey))
	if err != nil {
		return Key{}, err
	}
	return Key{Priv: priv, PeerID: id}, nil
}

// Generate makes a new random key.
func Generate() (Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Key{}, err
	}
	return FromPrivate(priv)
}

// Load reads a key file.
func Load(path string) (Key, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return Key{}, err
	}
	var f fileFormat
	if err := json.Unmarshal(bz, &f); err != nil {
		return Key{}, fmt.Errorf("node key file %s: %w", path, err)
	}
	if f.Type != KeyType {
		return Key{}, fmt.Errorf("node key file %s: type %q, want %q", path, f.Type, KeyType)
	}
	raw, err := base64.StdEncoding.DecodeString(f.PrivKey)
	if err != nil {
		return Key{}, fmt.Errorf("node key file %s: priv_key: %w", path, err)
	}
	k, err := FromPrivate(raw)
	if err != nil {
		return Key{}, fmt.Errorf("node key file %s: %w", path, err)
	}
	if f.PeerID != "" && f.PeerID != k.PeerID {
		return Key{}, fmt.Errorf("node key file %s: peer_id %s does not match the key (%s)", path, f.PeerID, k.PeerID)
	}
	return k, nil
}

// Save writes a key file with mode 0600, refusing to overwrite one.
func Save(path string, k Key) error {
	bz, err := json.MarshalIndent(fileFormat{Type: KeyType, PrivKey: base64.StdEncoding.EncodeToString(k.Priv), PeerID: k.PeerID}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(bz, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// LoadOrGenerate loads path, or creates a new key there when it does not
// exist. created reports which happened.
func LoadOrGenerate(path string) (k Key, created bool, err error) {
	k, err = Load(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	if k, err = Generate(); err != nil {
		return k, false, err
	}
	return k, true, Save(path, k)
}
