package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/api"
)

// TestDashboardRoutes: the page and its embedded assets are served, and the
// read-only chain window forwards only the modules' queries and the latest
// block to the configured REST API.
func TestDashboardRoutes(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []string
	)
	requests := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
	rest := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.RequestURI()+" auth="+r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Set-Cookie", "chain=1")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"round":{"id":"7"},"phase":"PHASE_COMMIT"}`))
	}))
	t.Cleanup(rest.Close)
	url := server(t, api.Options{ChainREST: rest.URL + "/"})

	code, body := get(t, url+"/")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(body), "<title>H3LIX worker</title>")
	require.Contains(t, string(body), "/dashboard/app.js")
	for _, asset := range []string{"/dashboard/app.js", "/dashboard/style.css", "/dashboard/vendor/uPlot.iife.min.js", "/dashboard/vendor/uPlot.min.css"} {
		code, body := get(t, url+asset)
		require.Equal(t, http.StatusOK, code, asset)
		require.NotEmpty(t, body, asset)
	}
	code, _ = get(t, url+"/dashboard/missing.js")
	require.Equal(t, http.StatusNotFound, code)

	req, err := http.NewRequest(http.MethodGet, url+"/chain/h3lix/ccf/v1/current_round?x=1", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer owner-secret")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Empty(t, resp.Header.Get("Set-Cookie"), "the chain's cookies do not reach the page")
	code, body = get(t, url+"/chain/h3lix/ccf/v1/current_round")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, string(body), `"id":"7"`)
	require.Equal(t, []string{"GET /h3lix/ccf/v1/current_round?x=1 auth=", "GET /h3lix/ccf/v1/current_round auth="}, requests(),
		"forwarded as asked, without the page's credentials")

	// Refused without reaching the chain: other modules, writes, escapes.
	code, _ = get(t, url+"/chain/cosmos/base/tendermint/v1beta1/blocks/latest")
	require.Equal(t, http.StatusNotFound, code)
	code, body = get(t, url+"/chain/cosmos/bank/v1beta1/balances/h3lix1x")
	require.Equal(t, http.StatusNotFound, code)
	require.Contains(t, jsonError(t, body), "not proxied")
	code, _ = do(t, http.MethodPost, url+"/chain/h3lix/ccf/v1/current_round", "application/json", strings.NewReader("{}"))
	require.Equal(t, http.StatusNotFound, code, "only GET is routed to the chain")
	code, _ = get(t, url+"/chain/h3lix/%2e%2e/cosmos/bank/v1beta1/params")
	require.NotEqual(t, http.StatusOK, code)
	require.Len(t, requests(), 2, "a refused request reached the chain: %v", requests())

	// No chain.rest: the window says what to set; a dead one says so too.
	code, body = get(t, server(t, api.Options{})+"/chain/h3lix/ccf/v1/current_round")
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Contains(t, jsonError(t, body), "chain.rest")
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	code, body = get(t, server(t, api.Options{ChainREST: dead.URL})+"/chain/h3lix/ccf/v1/current_round")
	require.Equal(t, http.StatusBadGateway, code)
	require.Contains(t, jsonError(t, body), "unreachable")
}
