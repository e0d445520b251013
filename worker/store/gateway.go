package store

import (
	"net/http"
	"time"

	"github.com/ipfs/boxo/gateway"
)

// GatewayConfig tunes the trustless HTTP gateway.
type GatewayConfig struct {
	// RetrievalTimeout bounds time to first byte and between writes.
	// Default 30 s.
	RetrievalTimeout time.Duration
	// MaxConcurrentRequests caps in-flight requests (429 beyond). Default 64:
	// the gateway is for a few peers and tools, not the public.
	MaxConcurrentRequests int
}

// Gateway returns a trustless gateway handler for /ipfs/{cid} with
// ?format=raw (one block) or ?format=car (the DAG). Responses are verifiable
// by the client, deserialized responses are off (a plain GET is 406), and
// only local blocks are served: the backend sits on an offline exchange, so
// a request for a CID we do not hold fails at once instead of making the
// worker fetch it from the network for a stranger. Paths other than /ipfs/
// (IPNS, DNSLink) are 404.
func (e *Embedded) Gateway(cfg GatewayConfig) http.Handler {
	if cfg.RetrievalTimeout <= 0 {
		cfg.RetrievalTimeout = gateway.DefaultRetrievalTimeout
	}
	if cfg.MaxConcurrentRequests <= 0 {
		cfg.MaxConcurrentRequests = 64
	}
	h := gateway.NewHandler(gateway.Config{
		DeserializedResponses: false,
		NoDNSLink:             true,
		DisableHTMLErrors:     true,
		RetrievalTimeout:      cfg.RetrievalTimeout,
		MaxConcurrentRequests: cfg.MaxConcurrentRequests,
		// Without this the handler registers on prometheus.DefaultRegisterer.
		MetricsRegistry: e.reg,
	}, e.gwBack)
	mux := http.NewServeMux()
	mux.Handle("/ipfs/", h)
	return mux
}
