//go:build kubo

package store_test

// REAL-DAEMON TEST (build tag kubo). Needs a running Kubo and its RPC URL:
//
//	H3LIX_KUBO_API=http://127.0.0.1:5001 go test -tags kubo -run TestKuboDaemon ./worker/store
//
// It checks what the fake-server tests in kubo_test.go cannot: that Kubo
// accepts our requests and imports with exactly the embedded node's profile.
// It adds small random payloads, pinned under "h3lix-test-*", and unpins
// them at the end. repo/gc runs only with H3LIX_KUBO_GC=1, because it
// deletes every unpinned block on that daemon.

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/store"
)

func TestKuboDaemon(t *testing.T) {
	api := os.Getenv("H3LIX_KUBO_API")
	if api == "" {
		t.Skip("H3LIX_KUBO_API not set")
	}
	k := store.NewKubo(store.KuboConfig{URL: api, AuthHeader: os.Getenv("H3LIX_KUBO_AUTH")})
	defer k.Close()
	emb := newNode(t)
	ctx := timeout(t, time.Minute)

	for _, size := range []int{kib, mib + 1, 3 * mib} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			data := randBytes(t, size)
			name := fmt.Sprintf("h3lix-test-%d", size)

			want, err := emb.Add(ctx, bytes.NewReader(data), name)
			require.NoError(t, err)
			got, err := k.Add(ctx, bytes.NewReader(data), name)
			require.NoError(t, err)
			require.Equal(t, want.String(), got.String(), "Kubo and the embedded node must give the same CID")

			has, err := k.Has(ctx, got)
			require.NoError(t, err)
			require.True(t, has)

			back, err := k.Get(ctx, got, int64(size))
			require.NoError(t, err)
			require.True(t, bytes.Equal(data, back))
			_, err = k.Get(ctx, got, int64(size-1))
			require.ErrorIs(t, err, store.ErrTooLarge)

			pins, err := k.Pins(ctx)
			require.NoError(t, err)
			require.Contains(t, pins, store.PinInfo{CID: got, Name: name})

			require.NoError(t, k.Unpin(ctx, got))
			require.ErrorIs(t, k.Unpin(ctx, got), store.ErrNotPinned)
		})
	}

	t.Run("not found", func(t *testing.T) {
		_, err := k.Get(timeout(t, 500*time.Millisecond), absentCID(t), kib)
		require.ErrorIs(t, err, store.ErrNotFound)
		has, err := k.Has(ctx, absentCID(t))
		require.NoError(t, err)
		require.False(t, has)
	})

	if os.Getenv("H3LIX_KUBO_GC") == "1" {
		t.Run("gc", func(t *testing.T) {
			n, err := k.GC(ctx)
			require.NoError(t, err)
			t.Logf("repo/gc removed %d blocks", n)
		})
	}
}
