//go:build kubo

package store_test

// REAL-DAEMON TEST (build tag kubo). Needs a running Kubo and its RPC URL:
//
//	H3LIX_KUBO_API=http://127.0.0.1:5001 go test -tags kubo -run TestKuboDaemon ./worker/store
//
// `make test-kubo` (scripts/test-kubo.sh) builds Kubo, starts a throwaway
// offline daemon with an API.Authorizations secret and runs this with
// H3LIX_KUBO_API, H3LIX_KUBO_AUTH and H3LIX_KUBO_GC=1 set.
//
// It checks what the fake-server tests in kubo_test.go cannot: that Kubo
// accepts our requests and imports with exactly the embedded node's profile.
// It adds small random payloads, pinned under "h3lix-test-*", and unpins
// them at the end. The 175 MiB payload (skipped with -short) is the smallest
// whose CID depends on max-file-links (Kubo's default is 174 links). repo/gc
// runs only with H3LIX_KUBO_GC=1, because it deletes every unpinned block on
// that daemon.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/store"
)

func TestKuboDaemon(t *testing.T) {
	api := os.Getenv("H3LIX_KUBO_API")
	if api == "" {
		t.Skip("H3LIX_KUBO_API not set")
	}
	auth := os.Getenv("H3LIX_KUBO_AUTH")
	k := store.NewKubo(store.KuboConfig{URL: api, AuthHeader: auth})
	defer k.Close()
	emb := newNode(t)
	ctx := timeout(t, 5*time.Minute)

	var added []cid.Cid
	for _, size := range []int{kib, mib + 1, 3 * mib, 175*mib + 1} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			if size > 100*mib && testing.Short() {
				t.Skip("large payload skipped in -short mode")
			}
			data := randBytes(t, size)
			name := fmt.Sprintf("h3lix-test-%d", size)

			start := time.Now()
			want, err := emb.Add(ctx, bytes.NewReader(data), name)
			require.NoError(t, err)
			embAdd := time.Since(start)
			start = time.Now()
			got, err := k.Add(ctx, bytes.NewReader(data), name)
			require.NoError(t, err)
			kuboAdd := time.Since(start)
			require.Equal(t, want.String(), got.String(), "Kubo and the embedded node must give the same CID")
			added = append(added, got)

			has, err := k.Has(ctx, got)
			require.NoError(t, err)
			require.True(t, has)

			start = time.Now()
			back, err := k.Get(ctx, got, int64(size))
			require.NoError(t, err)
			kuboGet := time.Since(start)
			require.True(t, bytes.Equal(data, back))
			_, err = k.Get(ctx, got, int64(size-1))
			require.ErrorIs(t, err, store.ErrTooLarge)
			t.Logf("size %d: CID %s equal; add embedded %s, kubo %s; kubo get %s",
				size, got, embAdd.Round(time.Millisecond), kuboAdd.Round(time.Millisecond), kuboGet.Round(time.Millisecond))

			pins, err := k.Pins(ctx)
			require.NoError(t, err)
			require.Contains(t, pins, store.PinInfo{CID: got, Name: name})

			require.NoError(t, k.Unpin(ctx, got))
			require.ErrorIs(t, k.Unpin(ctx, got), store.ErrNotPinned)

			// Pin again (blocks are still local), under another name.
			require.NoError(t, k.Pin(ctx, got, name+"-again"))
			pins, err = k.Pins(ctx)
			require.NoError(t, err)
			require.Contains(t, pins, store.PinInfo{CID: got, Name: name + "-again"})
			require.NoError(t, k.Unpin(ctx, got))
		})
	}

	t.Run("not found", func(t *testing.T) {
		_, err := k.Get(timeout(t, 500*time.Millisecond), absentCID(t), kib)
		require.ErrorIs(t, err, store.ErrNotFound)
		err = k.Pin(timeout(t, 500*time.Millisecond), absentCID(t), "h3lix-test-absent")
		require.ErrorIs(t, err, store.ErrNotFound)
		has, err := k.Has(ctx, absentCID(t))
		require.NoError(t, err)
		require.False(t, has)
	})

	t.Run("directory", func(t *testing.T) {
		dir := kuboAddDir(t, ctx, api, auth)
		has, err := k.Has(ctx, dir)
		require.NoError(t, err)
		require.True(t, has)
		_, err = k.Get(ctx, dir, mib)
		require.ErrorIs(t, err, store.ErrNotFile)
	})

	if auth != "" {
		t.Run("no auth", func(t *testing.T) {
			anon := store.NewKubo(store.KuboConfig{URL: api})
			defer anon.Close()
			var ke *store.KuboError
			_, err := anon.Has(ctx, absentCID(t))
			require.ErrorAs(t, err, &ke)
			require.Equal(t, http.StatusForbidden, ke.Status, "%v", err)
			_, err = anon.Add(ctx, bytes.NewReader(randBytes(t, kib)), "h3lix-test-anon")
			require.ErrorAs(t, err, &ke)
			require.Equal(t, http.StatusForbidden, ke.Status, "%v", err)
		})
	}

	if os.Getenv("H3LIX_KUBO_GC") == "1" {
		t.Run("gc", func(t *testing.T) {
			n, err := k.GC(ctx)
			require.NoError(t, err)
			t.Logf("repo/gc removed %d blocks", n)
			if len(added) > 0 {
				require.Positive(t, n)
			}
			for _, c := range added {
				has, err := k.Has(ctx, c)
				require.NoError(t, err)
				require.False(t, has, "%s is unpinned and should be gone after repo/gc", c)
			}
		})
	}
}

// kuboAddDir adds a one-file directory (not pinned) with a raw request, since
// Store only adds files.
func kuboAddDir(t *testing.T, ctx context.Context, api, auth string) cid.Cid {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", "h3lix-dir/a")
	require.NoError(t, err)
	_, err = part.Write(randBytes(t, kib))
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	u := strings.TrimRight(api, "/") + "/api/v0/add?cid-version=1&raw-leaves=true&wrap-with-directory=true&pin=false"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	// One object per file and directory; the wrapping directory comes last.
	var root string
	dec := json.NewDecoder(resp.Body)
	for {
		var ev struct{ Name, Hash string }
		if err := dec.Decode(&ev); err != nil {
			require.True(t, errors.Is(err, io.EOF), "%v", err)
			break
		}
		if ev.Name == "" {
			root = ev.Hash
		}
	}
	c, err := cid.Decode(root)
	require.NoError(t, err)
	return c
}
