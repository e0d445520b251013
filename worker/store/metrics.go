package store

import (
	"errors"
	"time"

	"github.com/ipfs/boxo/bitswap"
	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	blocksAdded prometheus.Counter
	getBytes    prometheus.Counter
	getErrors   *prometheus.CounterVec
	getDuration prometheus.Histogram
}

// newMetrics registers the store's own metrics, plus bitswap's transfer
// counters read from Stat() at scrape time (bitswap's own instrumentation
// goes through go-metrics-interface, which is a no-op unless a process-wide
// Prometheus bridge is installed).
func newMetrics(reg prometheus.Registerer, bs *bitswap.Bitswap) *metrics {
	m := &metrics{
		blocksAdded: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "h3lix_store_blocks_added_total",
			Help: "Blocks written by Add (leaves and inner nodes).",
		}),
		getBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "h3lix_store_get_bytes_total",
			Help: "Payload bytes returned by Get, local or fetched.",
		}),
		getErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "h3lix_store_get_errors_total",
			Help: "Failed Get calls by reason (not_found, too_large, other).",
		}, []string{"reason"}),
		getDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "h3lix_store_get_duration_seconds",
			Help:    "Duration of Get calls, successful or not.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14), // 5 ms .. ~41 s
		}),
	}
	bsStat := func(f func(*bitswap.Stat) uint64) func() float64 {
		return func() float64 {
			st, err := bs.Stat()
			if err != nil {
				return 0
			}
			return float64(f(st))
		}
	}
	reg.MustRegister(m.blocksAdded, m.getBytes, m.getErrors, m.getDuration,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "h3lix_store_bitswap_received_bytes_total",
			Help: "Block bytes received over bitswap, duplicates included.",
		}, bsStat(func(s *bitswap.Stat) uint64 { return s.DataReceived })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "h3lix_store_bitswap_received_blocks_total",
			Help: "Blocks received over bitswap, duplicates included.",
		}, bsStat(func(s *bitswap.Stat) uint64 { return s.BlocksReceived })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "h3lix_store_bitswap_sent_bytes_total",
			Help: "Block bytes served to peers over bitswap.",
		}, bsStat(func(s *bitswap.Stat) uint64 { return s.DataSent })),
	)
	// Pre-create the labels so dashboards see zeros rather than gaps.
	for _, r := range []string{"not_found", "too_large", "other"} {
		m.getErrors.WithLabelValues(r)
	}
	return m
}

func (m *metrics) observeGet(start time.Time, n int, err error) {
	m.getDuration.Observe(time.Since(start).Seconds())
	switch {
	case err == nil:
		m.getBytes.Add(float64(n))
	case errors.Is(err, ErrTooLarge):
		m.getErrors.WithLabelValues("too_large").Inc()
	case errors.Is(err, ErrNotFound):
		m.getErrors.WithLabelValues("not_found").Inc()
	default:
		m.getErrors.WithLabelValues("other").Inc()
	}
}

// Registry is the node's own Prometheus registry: libp2p, the gateway and
// the store register here and never on prometheus.DefaultRegisterer. The
// worker exposes it next to its other metrics.
func (e *Embedded) Registry() *prometheus.Registry { return e.reg }
