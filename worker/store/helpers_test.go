package store_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
	mh "github.com/multiformats/go-multihash"
	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/store"
)

const (
	kib = 1 << 10
	mib = 1 << 20
)

func testKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	return k
}

// newNodeAt starts an embedded node on loopback in dir and closes it when
// the test ends (a second Close by the test is harmless).
func newNodeAt(t testing.TB, dir string, key ed25519.PrivateKey, opts ...func(*store.EmbeddedConfig)) *store.Embedded {
	t.Helper()
	cfg := store.EmbeddedConfig{Dir: dir, Identity: key}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := store.NewEmbedded(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = n.Close() })
	return n
}

func newNode(t testing.TB, opts ...func(*store.EmbeddedConfig)) *store.Embedded {
	t.Helper()
	return newNodeAt(t, t.TempDir(), testKey(t), opts...)
}

// link makes b keep a connection to a, the way the worker does with peers
// from the identity registry.
func link(t testing.TB, b *store.Embedded, peers ...*store.Embedded) {
	t.Helper()
	var ais []peer.AddrInfo
	for _, p := range peers {
		ais = append(ais, p.AddrInfo())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, b.SetPeers(ctx, ais))
}

func randBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

// absentCID is a well-formed CID for data nobody has.
func absentCID(t testing.TB) cid.Cid {
	t.Helper()
	h, err := mh.Sum(randBytes(t, 32), mh.SHA2_256, -1)
	require.NoError(t, err)
	return cid.NewCidV1(cid.Raw, h)
}

func timeout(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
