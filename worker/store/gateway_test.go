package store_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	carv2 "github.com/ipld/go-car/v2"
	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/store"
)

func serve(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

func TestGateway(t *testing.T) {
	a, b := newNode(t), newNode(t)
	link(t, b, a)
	ctx := timeout(t, 10*time.Second)
	gw := b.Gateway(store.GatewayConfig{})

	small := randBytes(t, kib)
	cSmall, err := b.Add(ctx, bytes.NewReader(small), "")
	require.NoError(t, err)
	big := randBytes(t, 3*mib)
	cBig, err := b.Add(ctx, bytes.NewReader(big), "")
	require.NoError(t, err)

	t.Run("raw block", func(t *testing.T) {
		rec := serve(t, gw, "/ipfs/"+cSmall.String()+"?format=raw")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.Equal(t, "application/vnd.ipld.raw", rec.Header().Get("Content-Type"))
		require.Equal(t, small, rec.Body.Bytes())
		// A client can check it: the bytes hash to the CID.
		got, err := cSmall.Prefix().Sum(rec.Body.Bytes())
		require.NoError(t, err)
		require.True(t, got.Equals(cSmall))
	})

	t.Run("car verifies", func(t *testing.T) {
		rec := serve(t, gw, "/ipfs/"+cBig.String()+"?format=car")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.Contains(t, rec.Header().Get("Content-Type"), "application/vnd.ipld.car")
		// NewBlockReader re-hashes every block (TrustedCAR defaults to false).
		br, err := carv2.NewBlockReader(bytes.NewReader(rec.Body.Bytes()))
		require.NoError(t, err)
		require.Equal(t, []cid.Cid{cBig}, br.Roots)
		var leafBytes int
		blocks := 0
		for {
			blk, err := br.Next()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			blocks++
			if blk.Cid().Type() == cid.Raw {
				leafBytes += len(blk.RawData())
			}
		}
		require.Equal(t, 4, blocks) // root + 3 leaves
		require.Equal(t, len(big), leafBytes)
	})

	t.Run("plain GET is not acceptable", func(t *testing.T) {
		rec := serve(t, gw, "/ipfs/"+cSmall.String())
		require.Equal(t, http.StatusNotAcceptable, rec.Code)
	})

	t.Run("no network fetch", func(t *testing.T) {
		// A holds it and B is connected to A, yet B's gateway must not
		// fetch it.
		onA, err := a.Add(ctx, bytes.NewReader(randBytes(t, kib)), "")
		require.NoError(t, err)
		for _, c := range []cid.Cid{onA, absentCID(t)} {
			start := time.Now()
			rec := serve(t, gw, "/ipfs/"+c.String()+"?format=raw")
			require.NotEqual(t, http.StatusOK, rec.Code)
			require.Less(t, time.Since(start), time.Second)
			t.Logf("%s -> %d in %s", c, rec.Code, time.Since(start))
		}
		has, err := b.Has(ctx, onA)
		require.NoError(t, err)
		require.False(t, has)
	})

	t.Run("only /ipfs/", func(t *testing.T) {
		require.Equal(t, http.StatusNotFound, serve(t, gw, "/ipns/example.com").Code)
	})
}
