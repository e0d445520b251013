package chain

import (
	"bufio"
	"fmt"
	"io"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// OpenKeyring opens the same keyring h3lixd uses: backend test, file or os
// in dir (for an h3lixd home, that home). The file backend asks for its
// passphrase on in.
func OpenKeyring(backend, dir string, in io.Reader) (keyring.Keyring, error) {
	switch backend {
	case keyring.BackendTest, keyring.BackendFile, keyring.BackendOS, keyring.BackendMemory:
	default:
		return nil, fmt.Errorf("keyring backend %q: use test, file or os", backend)
	}
	if dir == "" && backend != keyring.BackendMemory {
		return nil, fmt.Errorf("keyring dir is empty: set keyring.dir (--keyring-dir), e.g. the h3lixd home that holds the key")
	}
	if in != nil {
		in = bufio.NewReader(in)
	}
	if backend == keyring.BackendMemory {
		return keyring.NewInMemory(Encoding().Codec), nil
	}
	kr, err := keyring.New(sdk.KeyringServiceName(), backend, dir, in, Encoding().Codec)
	if err != nil {
		return nil, fmt.Errorf("opening the %s keyring in %s: %w", backend, dir, err)
	}
	return kr, nil
}
