package api

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"
)

// chainPaths are the chain REST paths the dashboard may read through
// /chain/: the H3LIX modules' queries. Nothing else of the node (and
// nothing that writes) is reachable through the worker.
var chainPaths = []string{"/h3lix/"}

// chainProxy forwards GET /chain/<path> to the chain's REST API at base.
// An empty base answers 503 with what to set.
func chainProxy(base string) http.Handler {
	if base == "" {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusServiceUnavailable, "chain.rest is not set: the dashboard cannot read the chain (set it to the node's REST API, e.g. http://127.0.0.1:1317)")
		})
	}
	target, err := url.Parse(base)
	if err != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusServiceUnavailable, "chain.rest: "+err.Error())
		})
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.URL.Path = strings.TrimSuffix(target.Path, "/") + strings.TrimPrefix(pr.In.URL.Path, "/chain")
			pr.Out.URL.RawPath = ""
			// The page's credentials are for the worker, not the chain.
			pr.Out.Header.Del("Cookie")
			pr.Out.Header.Del("Authorization")
		},
		ModifyResponse: func(resp *http.Response) error {
			resp.Header.Del("Set-Cookie")
			return nil
		},
		Transport: &http.Transport{ResponseHeaderTimeout: 10 * time.Second, MaxIdleConnsPerHost: 4, Proxy: nil},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			writeError(w, http.StatusBadGateway, "chain REST API at "+base+" unreachable: "+err.Error())
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/chain")
		allowed := false
		for _, prefix := range chainPaths {
			if strings.HasPrefix(p, prefix) && !strings.Contains(p, "..") {
				allowed = true
			}
		}
		if !allowed {
			writeError(w, http.StatusNotFound, "not proxied: /chain/ serves only "+strings.Join(chainPaths, " and "))
			return
		}
		proxy.ServeHTTP(w, r)
	})
}
