package store_test

// FAKE-SERVER TESTS. Everything in this file runs against an httptest.Server
// that imitates Kubo's RPC responses. It checks only how the Kubo client
// forms requests (method, path, query, multipart body, auth) and how it
// decodes responses and errors. It proves nothing about a real daemon:
// whether Kubo accepts these options or yields the same CIDs as the embedded
// node is checked by kubo_daemon_test.go (go test -tags kubo, with
// H3LIX_KUBO_API set).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/store"
)

// fakeKubo routes /api/v0/<cmd> to handlers and records every request.
type fakeKubo struct {
	t        *testing.T
	mu       sync.Mutex
	calls    []string
	handlers map[string]http.HandlerFunc
}

func newFakeKubo(t *testing.T, handlers map[string]http.HandlerFunc) (*store.Kubo, *fakeKubo) {
	f := &fakeKubo{t: t, handlers: handlers}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cmd := strings.TrimPrefix(r.URL.Path, "/api/v0/")
		f.mu.Lock()
		f.calls = append(f.calls, cmd)
		f.mu.Unlock()
		if r.Method != http.MethodPost {
			// What Kubo does with GET.
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		h, ok := f.handlers[cmd]
		if !ok {
			http.Error(w, "404 page not found", http.StatusNotFound)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	k := store.NewKubo(store.KuboConfig{URL: srv.URL + "/", AuthHeader: "Bearer s3cret"})
	t.Cleanup(func() { _ = k.Close() })
	return k, f
}

func (f *fakeKubo) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func kuboJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func kuboErr(w http.ResponseWriter, msg string) {
	kuboJSON(w, http.StatusInternalServerError, map[string]any{"Message": msg, "Code": 0, "Type": "error"})
}

func rawCID(t *testing.T, data []byte) cid.Cid {
	h, err := mh.Sum(data, mh.SHA2_256, -1)
	require.NoError(t, err)
	return cid.NewCidV1(cid.Raw, h)
}

func TestKuboFakeAddRequest(t *testing.T) {
	payload := []byte("hello kubo")
	want := rawCID(t, payload)
	var gotQuery url.Values
	var gotBody []byte
	var gotAuth, gotFilename string
	k, _ := newFakeKubo(t, map[string]http.HandlerFunc{
		"add": func(w http.ResponseWriter, r *http.Request) {
			gotQuery = r.URL.Query()
			gotAuth = r.Header.Get("Authorization")
			mr, err := r.MultipartReader()
			require.NoError(t, err)
			part, err := mr.NextPart()
			require.NoError(t, err)
			require.Equal(t, "file", part.FormName())
			gotFilename = part.FileName()
			gotBody, _ = io.ReadAll(part)
			_, err = mr.NextPart()
			require.ErrorIs(t, err, io.EOF, "exactly one part")
			// Kubo streams one JSON object per line.
			kuboJSON(w, 200, map[string]string{"Name": "payload", "Hash": want.String(), "Size": "10"})
		},
	})

	c, err := k.Add(timeout(t, 5*time.Second), strings.NewReader(string(payload)), "artifact-1")
	require.NoError(t, err)
	require.Equal(t, want, c)
	require.Equal(t, payload, gotBody)
	require.Equal(t, "payload", gotFilename)
	require.Equal(t, "Bearer s3cret", gotAuth)
	for k, v := range map[string]string{
		"cid-version":    "1",
		"hash":           "sha2-256",
		"raw-leaves":     "true",
		"chunker":        "size-1048576",
		"max-file-links": "1024",
		"pin":            "true",
		"pin-name":       "artifact-1",
		"quieter":        "true",
	} {
		require.Equal(t, v, gotQuery.Get(k), k)
	}
	require.NotEmpty(t, gotQuery.Get("timeout"), "the deadline is passed on as Kubo's --timeout")

	// Without a name no pin-name is sent (Kubo rejects an empty one).
	_, err = k.Add(context.Background(), strings.NewReader("x"), "")
	require.NoError(t, err)
	_, set := gotQuery["pin-name"]
	require.False(t, set)
}

func TestKuboFakeErrorDecoding(t *testing.T) {
	k, _ := newFakeKubo(t, map[string]http.HandlerFunc{
		"pin/add": func(w http.ResponseWriter, r *http.Request) {
			kuboJSON(w, 500, map[string]any{"Message": "invalid path \"x\": bad cid", "Code": 0, "Type": "error"})
		},
		"add": func(w http.ResponseWriter, r *http.Request) {
			// 200 header, then failure in the trailer.
			w.Header().Set("Trailer", "X-Stream-Error")
			w.WriteHeader(200)
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("X-Stream-Error", "disk full")
		},
	})
	c := rawCID(t, []byte("x"))

	err := k.Pin(context.Background(), c, "n")
	var ke *store.KuboError
	require.ErrorAs(t, err, &ke)
	require.Equal(t, 500, ke.Status)
	require.Equal(t, `invalid path "x": bad cid`, ke.Message)
	require.Contains(t, err.Error(), "bad cid")

	_, err = k.Add(context.Background(), strings.NewReader("x"), "")
	require.ErrorContains(t, err, "disk full")

	// Not Kubo at all (wrong URL): the body is surfaced.
	_, err = k.Has(context.Background(), c)
	require.ErrorContains(t, err, "404 page not found")
}

func TestKuboFakeGet(t *testing.T) {
	data := []byte("0123456789")
	c := rawCID(t, data)
	declared := int64(len(data))
	catBody := data
	var catQuery url.Values
	k, f := newFakeKubo(t, map[string]http.HandlerFunc{
		"files/stat": func(w http.ResponseWriter, r *http.Request) {
			require.Equal(t, "/ipfs/"+c.String(), r.URL.Query().Get("arg"))
			kuboJSON(w, 200, map[string]any{"Hash": c.String(), "Size": declared, "Type": "file"})
		},
		"cat": func(w http.ResponseWriter, r *http.Request) {
			catQuery = r.URL.Query()
			_, _ = w.Write(catBody)
		},
	})
	ctx := timeout(t, 5*time.Second)

	got, err := k.Get(ctx, c, 10)
	require.NoError(t, err)
	require.Equal(t, data, got)
	require.Equal(t, c.String(), catQuery.Get("arg"))
	require.Equal(t, "11", catQuery.Get("length"))

	// Over the cap by the stat: cat is never called.
	n := len(f.called())
	_, err = k.Get(ctx, c, 9)
	require.ErrorIs(t, err, store.ErrTooLarge)
	require.Equal(t, []string{"files/stat"}, f.called()[n:])

	// The stat lies low: the reader still stops at the cap.
	declared, catBody = 5, make([]byte, 1000)
	_, err = k.Get(ctx, c, 100)
	require.ErrorIs(t, err, store.ErrTooLarge)

	// Bytes that do not hash to a raw CID are refused.
	declared, catBody = 10, []byte("9876543210")
	_, err = k.Get(ctx, c, 10)
	require.ErrorContains(t, err, "do not hash to")
}

func TestKuboFakeGetNotFound(t *testing.T) {
	c := rawCID(t, []byte("nobody has this"))
	k, _ := newFakeKubo(t, map[string]http.HandlerFunc{
		"files/stat": func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("timeout") == "" {
				t.Error("no timeout passed to Kubo")
			}
			kuboErr(w, "context deadline exceeded")
		},
	})
	_, err := k.Get(timeout(t, 300*time.Millisecond), c, 10)
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorContains(t, err, "not found on any connected peer")

	// A daemon that hangs: our own deadline ends it.
	slow, _ := newFakeKubo(t, map[string]http.HandlerFunc{
		"files/stat": func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
	})
	start := time.Now()
	_, err = slow.Get(timeout(t, 200*time.Millisecond), c, 10)
	require.ErrorIs(t, err, store.ErrNotFound)
	require.Less(t, time.Since(start), time.Second)
}

func TestKuboFakeHasPinsGC(t *testing.T) {
	c1, c2, c3 := rawCID(t, []byte("1")), rawCID(t, []byte("2")), rawCID(t, []byte("3"))
	k, _ := newFakeKubo(t, map[string]http.HandlerFunc{
		"dag/stat": func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			require.Equal(t, "true", q.Get("offline"), "Has must not touch the network")
			if q.Get("arg") == c1.String() {
				kuboJSON(w, 200, map[string]any{"TotalSize": 1})
				return
			}
			kuboErr(w, "block was not found locally (offline): ipld: could not find "+q.Get("arg"))
		},
		"pin/ls": func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			require.Equal(t, "true", q.Get("names"))
			keys := map[string]any{}
			switch q.Get("type") {
			case "recursive":
				keys[c1.String()] = map[string]string{"Type": "recursive", "Name": "b"}
				keys[c2.String()] = map[string]string{"Type": "recursive", "Name": "a"}
			case "direct":
				keys[c3.String()] = map[string]string{"Type": "direct", "Name": "b"}
			default:
				t.Errorf("unexpected pin type %q", q.Get("type"))
			}
			kuboJSON(w, 200, map[string]any{"Keys": keys})
		},
		"pin/rm": func(w http.ResponseWriter, r *http.Request) {
			kuboErr(w, "not pinned or pinned indirectly")
		},
		"repo/gc": func(w http.ResponseWriter, r *http.Request) {
			for _, c := range []cid.Cid{c1, c2, c3} {
				_, _ = fmt.Fprintf(w, "{\"Key\":{\"/\":%q}}\n", c)
			}
		},
	})
	ctx := timeout(t, 5*time.Second)

	has, err := k.Has(ctx, c1)
	require.NoError(t, err)
	require.True(t, has)
	has, err = k.Has(ctx, c2)
	require.NoError(t, err)
	require.False(t, has)

	pins, err := k.Pins(ctx)
	require.NoError(t, err)
	b1, b3 := store.PinInfo{CID: c1, Name: "b"}, store.PinInfo{CID: c3, Name: "b"}
	if c3.String() < c1.String() {
		b1, b3 = b3, b1
	}
	require.Equal(t, []store.PinInfo{{CID: c2, Name: "a"}, b1, b3}, pins)

	require.ErrorIs(t, k.Unpin(ctx, c1), store.ErrNotPinned)

	n, err := k.GC(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, n)
}

func TestKuboInvalidInputs(t *testing.T) {
	k, f := newFakeKubo(t, nil)
	ctx := context.Background()
	_, err := k.Get(ctx, cid.Undef, 10)
	require.ErrorIs(t, err, store.ErrBadCID)
	_, err = k.Get(ctx, rawCID(t, []byte("x")), 0)
	require.ErrorContains(t, err, "maxSize must be positive")
	_, err = k.Add(ctx, nil, "")
	require.ErrorContains(t, err, "nil reader")
	require.ErrorIs(t, k.Pin(ctx, cid.Undef, ""), store.ErrBadCID)
	require.Empty(t, f.called(), "invalid input must not reach the daemon")

	_, err = store.NewKubo(store.KuboConfig{}).Pins(ctx)
	require.ErrorContains(t, err, "URL is empty")
	require.False(t, errors.Is(err, store.ErrNotFound))
}
