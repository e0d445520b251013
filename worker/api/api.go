// Package api is the worker's local HTTP API: the dashboard, health,
// status, Prometheus metrics, the owner's own solve endpoint, the trustless
// IPFS gateway and a read-only window on the chain's REST API.
// It listens on loopback by default; /v1/solve runs the owner's private
// tasks and must not be exposed to others.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/h3lix/h3lix/worker/api/dashboard"
	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/store"
)

// MaxSolveBody caps a /v1/solve request.
const MaxSolveBody = 1 << 20

// MaxSolveTimeout caps the time one /v1/solve request may take.
const MaxSolveTimeout = 2 * time.Minute

// Options are the parts the API serves.
type Options struct {
	// Status returns what GET /status shows (JSON-encodable).
	Status func() any
	// Healthy reports whether the worker is up (chain reachable, loop
	// running); nil means always.
	Healthy func(ctx context.Context) error
	Engine  engine.Engine
	// Gatherers are the Prometheus registries /metrics merges.
	Gatherers prometheus.Gatherers
	// Gateway serves /ipfs/ (nil: 404).
	Gateway http.Handler
	// Store backs the owner's IPFS endpoints under /v1/ipfs/ (nil: 404);
	// MaxPayload caps what they add and fetch.
	Store      store.Store
	MaxPayload int64
	// ChainREST is the chain's REST API that GET /chain/ forwards to for
	// the dashboard ("" answers 503).
	ChainREST string
}

// Handler builds the API's routes.
func Handler(o Options) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if o.Healthy != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
			defer cancel()
			if err := o.Healthy(ctx); err != nil {
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unhealthy", "error": err.Error()})
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		if o.Status == nil {
			writeError(w, http.StatusServiceUnavailable, "no status")
			return
		}
		writeJSON(w, http.StatusOK, o.Status())
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(o.Gatherers, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	mux.HandleFunc("POST /v1/solve", func(w http.ResponseWriter, r *http.Request) { solve(w, r, o.Engine) })
	if o.Gateway != nil {
		mux.Handle("/ipfs/", o.Gateway)
	}
	if o.Store != nil {
		ipfsRoutes(mux, o.Store, o.MaxPayload)
	}
	mux.Handle("GET /{$}", dashboard.Index())
	mux.Handle("GET /dashboard/", dashboard.Files("/dashboard/"))
	mux.Handle("GET /chain/", chainProxy(o.ChainREST))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "no such endpoint",
			"endpoints": []string{"GET / (dashboard)", "GET /healthz", "GET /status", "GET /metrics", "POST /v1/solve", "GET /ipfs/{cid}?format=raw|car",
				"POST /v1/ipfs/add", "GET /v1/ipfs/get/{cid}", "GET /v1/ipfs/pins", "GET /chain/h3lix/... (chain REST, read-only)"}})
	})
	return mux
}

// SolveRequest is the JSON body of POST /v1/solve. A text/plain body is the
// spec itself, solved with the defaults.
type SolveRequest struct {
	Spec       string `json:"spec"`
	Timeout    string `json:"timeout,omitempty"`
	Candidates int64  `json:"candidates,omitempty"`
}

// SolveResponse is what POST /v1/solve returns.
type SolveResponse struct {
	Solved     bool    `json:"solved"`
	Answer     string  `json:"answer"`
	Program    string  `json:"program,omitempty"`
	Candidates int64   `json:"candidates"`
	Seconds    float64 `json:"seconds"`
	Reason     string  `json:"reason,omitempty"`
}

func solve(w http.ResponseWriter, r *http.Request, eng engine.Engine) {
	if eng == nil {
		writeError(w, http.StatusServiceUnavailable, "no engine")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxSolveBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", MaxSolveBody))
		} else {
			writeError(w, http.StatusBadRequest, "reading the body: "+err.Error())
		}
		return
	}
	req := SolveRequest{Timeout: "10s"}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		const want = ` (want {"spec": "...", "timeout": "10s", "candidates": 0})`
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, "body: "+err.Error()+want)
			return
		}
		// A second object would otherwise be ignored without a word.
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			writeError(w, http.StatusBadRequest, "body: want one JSON object and nothing after it"+want)
			return
		}
	} else {
		req.Spec = string(body)
	}
	if strings.TrimSpace(req.Spec) == "" {
		writeError(w, http.StatusBadRequest, "empty spec: send a SyGuS problem as text/plain, or JSON {\"spec\": ...}")
		return
	}
	timeout, err := time.ParseDuration(req.Timeout)
	if err != nil || timeout <= 0 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("timeout %q: use a positive duration such as \"10s\"", req.Timeout))
		return
	}
	timeout = min(timeout, MaxSolveTimeout)
	if req.Candidates < 0 {
		writeError(w, http.StatusBadRequest, "candidates must not be negative")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout+time.Second)
	defer cancel()
	res, err := eng.Solve(ctx, engine.Task{ID: "api", Spec: []byte(req.Spec)}, engine.Budget{Candidates: req.Candidates, Wall: timeout})
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, SolveResponse{Solved: res.Solved, Answer: res.Answer, Program: res.Program,
		Candidates: res.Candidates, Seconds: res.Elapsed.Seconds(), Reason: res.Reason})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// Serve runs the handler on addr until ctx ends, then shuts down within 5 s.
func Serve(ctx context.Context, addr string, h http.Handler, ready func(addr string)) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ln, err := listen(addr)
	if err != nil {
		return fmt.Errorf("API listen %s: %w (is another worker using it? set api.listen or --api-listen)", addr, err)
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}
