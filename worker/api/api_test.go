package api_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/api"
	"github.com/h3lix/h3lix/worker/engine/pbe"
	"github.com/h3lix/h3lix/worker/store"
)

const testdata = "../engine/pbe/testdata/"

// server runs the API on a loopback listener.
func server(t *testing.T, o api.Options) string {
	t.Helper()
	srv := httptest.NewServer(api.Handler(o))
	t.Cleanup(srv.Close)
	return srv.URL
}

// do sends a request and returns the status and body.
func do(t *testing.T, method, url, contentType string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func get(t *testing.T, url string) (int, []byte) { return do(t, http.MethodGet, url, "", nil) }

// jsonError decodes {"error": ...}.
func jsonError(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &e), "%s", body)
	require.NotEmpty(t, e.Error, "%s", body)
	return e.Error
}

func TestHealthStatusMetrics(t *testing.T) {
	var sick error
	reg := prometheus.NewRegistry()
	rounds := prometheus.NewCounter(prometheus.CounterOpts{Name: "h3lix_test_rounds_total", Help: "rounds"})
	reg.MustRegister(rounds)
	rounds.Add(3)
	url := server(t, api.Options{
		Status:    func() any { return map[string]any{"round": 7, "peer_id": "12D3Koo"} },
		Healthy:   func(context.Context) error { return sick },
		Gatherers: prometheus.Gatherers{reg},
	})

	code, body := get(t, url+"/healthz")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"status": "ok"}`, string(body))

	sick = errors.New("chain unreachable")
	code, body = get(t, url+"/healthz")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.JSONEq(t, `{"status": "unhealthy", "error": "chain unreachable"}`, string(body))

	code, body = get(t, url+"/status")
	require.Equal(t, http.StatusOK, code)
	require.JSONEq(t, `{"round": 7, "peer_id": "12D3Koo"}`, string(body))

	code, body = get(t, url+"/metrics")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(body), "h3lix_test_rounds_total 3")

	code, body = get(t, url+"/v2/nothing")
	require.Equal(t, http.StatusNotFound, code)
	var nf struct {
		Error     string   `json:"error"`
		Endpoints []string `json:"endpoints"`
	}
	require.NoError(t, json.Unmarshal(body, &nf))
	require.Equal(t, "no such endpoint", nf.Error)
	require.Contains(t, nf.Endpoints, "POST /v1/solve")
	require.Contains(t, nf.Endpoints, "GET /healthz")

	// Without a Healthy func the worker is always healthy; without Status,
	// /status says so instead of failing the connection.
	url = server(t, api.Options{})
	code, _ = get(t, url+"/healthz")
	require.Equal(t, http.StatusOK, code)
	code, body = get(t, url+"/status")
	require.Equal(t, http.StatusServiceUnavailable, code)
	jsonError(t, body)
	// No store: the IPFS endpoints are not there.
	code, _ = get(t, url+"/v1/ipfs/pins")
	require.Equal(t, http.StatusNotFound, code)
}

func TestSolve(t *testing.T) {
	url := server(t, api.Options{Engine: pbe.New(pbe.Options{}, 1)}) + "/v1/solve"
	spec, err := os.ReadFile(testdata + "area-code.sl")
	require.NoError(t, err)
	const answer = "(define-fun f ((s String)) String (str.substr s 4 3))"

	solved := func(code int, body []byte) api.SolveResponse {
		t.Helper()
		require.Equal(t, http.StatusOK, code, "%s", body)
		var res api.SolveResponse
		require.NoError(t, json.Unmarshal(body, &res))
		require.True(t, res.Solved, "%s", body)
		require.Equal(t, answer, res.Answer)
		require.Positive(t, res.Candidates)
		return res
	}
	solved(do(t, http.MethodPost, url, "text/plain", bytes.NewReader(spec)))
	req, err := json.Marshal(api.SolveRequest{Spec: string(spec), Timeout: "5s", Candidates: 2_000_000})
	require.NoError(t, err)
	solved(do(t, http.MethodPost, url, "application/json; charset=utf-8", bytes.NewReader(req)))

	// A candidate budget too small to solve is an answer, not an error.
	req, err = json.Marshal(api.SolveRequest{Spec: string(spec), Candidates: 5})
	require.NoError(t, err)
	code, body := do(t, http.MethodPost, url, "application/json", bytes.NewReader(req))
	require.Equal(t, http.StatusOK, code, "%s", body)
	var res api.SolveResponse
	require.NoError(t, json.Unmarshal(body, &res))
	require.False(t, res.Solved)
	require.Equal(t, "(fail)", res.Answer)
	require.NotEmpty(t, res.Reason)

	js := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	for _, tc := range []struct {
		name, contentType, body string
		code                    int
		want                    string
	}{
		{"empty spec", "text/plain", "  \n", http.StatusBadRequest, "empty spec"},
		{"empty json spec", "application/json", `{"spec": ""}`, http.StatusBadRequest, "empty spec"},
		{"bad json", "application/json", `{"spec": `, http.StatusBadRequest, "body: "},
		{"unknown field", "application/json", `{"spec": "x", "timeuot": "1s"}`, http.StatusBadRequest, "timeuot"},
		{"two objects", "application/json", `{"spec": ` + js(string(spec)) + `} {"spec": "x"}`, http.StatusBadRequest, "one JSON object"},
		{"bad timeout", "application/json", `{"spec": ` + js(string(spec)) + `, "timeout": "soon"}`, http.StatusBadRequest, `timeout "soon"`},
		{"zero timeout", "application/json", `{"spec": ` + js(string(spec)) + `, "timeout": "0s"}`, http.StatusBadRequest, `timeout "0s"`},
		{"negative candidates", "application/json", `{"spec": ` + js(string(spec)) + `, "candidates": -1}`, http.StatusBadRequest, "candidates"},
		{"too large", "text/plain", strings.Repeat(";", api.MaxSolveBody+1), http.StatusRequestEntityTooLarge, "over 1048576 bytes"},
		{"not sygus", "text/plain", "(set-logic SLIA)\n(synth-fun f ((x String)) String\n", http.StatusUnprocessableEntity, "line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := do(t, http.MethodPost, url, tc.contentType, strings.NewReader(tc.body))
			require.Equal(t, tc.code, code, "%s", body)
			require.Contains(t, jsonError(t, body), tc.want)
		})
	}

	// Without an engine the endpoint says so.
	code, body = do(t, http.MethodPost, server(t, api.Options{})+"/v1/solve", "text/plain", bytes.NewReader(spec))
	require.Equal(t, http.StatusServiceUnavailable, code)
	jsonError(t, body)
}

func newStore(t *testing.T) *store.Embedded {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := store.NewEmbedded(ctx, store.EmbeddedConfig{Dir: t.TempDir(), Identity: key, FetchTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func TestIPFS(t *testing.T) {
	st := newStore(t)
	const maxPayload = 4096
	url := server(t, api.Options{Store: st, MaxPayload: maxPayload, Gateway: st.Gateway(store.GatewayConfig{})})

	data := make([]byte, 3000)
	_, err := rand.Read(data)
	require.NoError(t, err)
	code, body := do(t, http.MethodPost, url+"/v1/ipfs/add?name=h3lix/manual/test", "application/octet-stream", bytes.NewReader(data))
	require.Equal(t, http.StatusOK, code, "%s", body)
	var added struct{ CID, Name string }
	require.NoError(t, json.Unmarshal(body, &added))
	require.Equal(t, "h3lix/manual/test", added.Name)
	// A small payload is one raw block: its CID is the CIDv1 of the bytes.
	sum, err := mh.Sum(data, mh.SHA2_256, -1)
	require.NoError(t, err)
	require.Equal(t, cid.NewCidV1(cid.Raw, sum).String(), added.CID)

	code, body = get(t, url+"/v1/ipfs/get/"+added.CID)
	require.Equal(t, http.StatusOK, code, "%s", body)
	require.Equal(t, data, body)

	code, body = get(t, url+"/v1/ipfs/pins")
	require.Equal(t, http.StatusOK, code, "%s", body)
	require.JSONEq(t, `{"pins": [{"cid": "`+added.CID+`", "name": "h3lix/manual/test"}]}`, string(body))

	// Unnamed adds get a name.
	code, body = do(t, http.MethodPost, url+"/v1/ipfs/add", "application/octet-stream", strings.NewReader("hello"))
	require.Equal(t, http.StatusOK, code, "%s", body)
	require.Contains(t, string(body), `"name": "h3lix/manual/`)

	// The trustless gateway serves the block.
	code, body = get(t, url+"/ipfs/"+added.CID+"?format=raw")
	require.Equal(t, http.StatusOK, code, "%s", body)
	require.Equal(t, data, body)

	t.Run("add over max payload", func(t *testing.T) {
		code, body := do(t, http.MethodPost, url+"/v1/ipfs/add?name=big", "application/octet-stream", bytes.NewReader(make([]byte, maxPayload+1)))
		require.Equal(t, http.StatusRequestEntityTooLarge, code, "%s", body)
		require.Contains(t, jsonError(t, body), "over 4096 bytes")
		_, pins := get(t, url+"/v1/ipfs/pins")
		require.NotContains(t, string(pins), `"big"`)
	})
	t.Run("malformed cid", func(t *testing.T) {
		code, body := get(t, url+"/v1/ipfs/get/not-a-cid")
		require.Equal(t, http.StatusBadRequest, code, "%s", body)
		require.Contains(t, jsonError(t, body), `cid "not-a-cid"`)
	})
	t.Run("unknown cid", func(t *testing.T) {
		sum, err := mh.Sum([]byte("nobody has this "+time.Now().String()), mh.SHA2_256, -1)
		require.NoError(t, err)
		start := time.Now()
		code, body := get(t, url+"/v1/ipfs/get/"+cid.NewCidV1(cid.Raw, sum).String())
		require.Equal(t, http.StatusNotFound, code, "%s", body)
		require.Contains(t, jsonError(t, body), "not found")
		require.Less(t, time.Since(start), 5*time.Second)
	})
	t.Run("stored payload over max payload", func(t *testing.T) {
		big := make([]byte, 2*maxPayload)
		_, err := rand.Read(big)
		require.NoError(t, err)
		c, err := st.Add(context.Background(), bytes.NewReader(big), "big")
		require.NoError(t, err)
		code, body := get(t, url+"/v1/ipfs/get/"+c.String())
		require.Equal(t, http.StatusRequestEntityTooLarge, code, "%s", body)
		jsonError(t, body)
	})

	// Without a gateway /ipfs/ is the 404 of unknown paths.
	url = server(t, api.Options{Store: st})
	code, body = get(t, url+"/ipfs/"+added.CID+"?format=raw")
	require.Equal(t, http.StatusNotFound, code)
	require.Contains(t, string(body), "no such endpoint")
}
