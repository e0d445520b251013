package round

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the round loop's Prometheus series, on the worker's own
// registry (never the global one, which CometBFT and libp2p share).
type Metrics struct {
	Round, Height, Reputation, SolveRate prometheus.Gauge
	TasksSolved                          *prometheus.CounterVec
	ArtifactsCommitted                   prometheus.Counter
	ArtifactsRevealed                    prometheus.Counter
	Attestations                         *prometheus.CounterVec
	Retrievals                           prometheus.Counter
	Disclosures                          prometheus.Counter
	Fetches                              *prometheus.CounterVec
	FetchSeconds                         prometheus.Histogram
	StoreAdd                             prometheus.Histogram
	TxSeconds                            *prometheus.HistogramVec
	TxInclusion                          *prometheus.HistogramVec
	FieldAccepted                        prometheus.Counter
	Joules                               prometheus.Counter
	Errors                               *prometheus.CounterVec
	// The scheduler's latest decision (1 work, 0 wait), the grid's
	// intensity and threshold then, the quota of slots left in the window,
	// and the slots decided, by decision.
	SchedulerWork, SchedulerIntensity, SchedulerThreshold, SchedulerQuotaLeft prometheus.Gauge
	SchedulerDecisions                                                        *prometheus.CounterVec
}

// NewMetrics registers the series on reg (nil: not registered, for tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	const ns = "h3lix_worker"
	fast := []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	m := &Metrics{
		Round:              prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "round", Help: "Current round id."}),
		Height:             prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "height", Help: "Latest chain height seen."}),
		Reputation:         prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "reputation", Help: "The node's reputation score (0..1)."}),
		SolveRate:          prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "validation_solve_rate", Help: "Share of the validation split solved at the fixed budget, after the last conditioning."}),
		TasksSolved:        prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "tasks_total", Help: "Tasks attempted in rounds, by outcome."}, []string{"solved"}),
		ArtifactsCommitted: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "artifacts_committed_total", Help: "Artifacts committed."}),
		ArtifactsRevealed:  prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "artifacts_revealed_total", Help: "Artifacts revealed."}),
		Attestations:       prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "attestations_total", Help: "Attestations sent, by verdict."}, []string{"verdict"}),
		Retrievals:         prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "retrieval_proofs_total", Help: "Sealed attestations sent with a proof of retrieval."}),
		Disclosures:        prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "disclosures_total", Help: "Sealed attestations opened in disclose phases."}),
		Fetches:            prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "payload_fetches_total", Help: "Payload reads, by source (local, remote) or error."}, []string{"source"}),
		FetchSeconds:       prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Name: "payload_fetch_seconds", Help: "Time to fetch a payload from peers.", Buckets: fast}),
		StoreAdd:           prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Name: "payload_add_seconds", Help: "Time to import a payload into IPFS.", Buckets: fast}),
		TxSeconds:          prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "tx_broadcast_seconds", Help: "Simulate + sign + CheckTx time, by message kind (no block wait).", Buckets: fast}, []string{"kind"}),
		TxInclusion:        prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "tx_inclusion_seconds", Help: "Time until the tx is in a block, by message kind.", Buckets: fast}, []string{"kind"}),
		FieldAccepted:      prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "field_artifacts_conditioned_total", Help: "Field artifacts the engine accepted when conditioning."}),
		Joules:             prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "energy_joules_total", Help: "Estimated energy of the node's work (method in /status)."}),
		Errors:             prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "errors_total", Help: "Failed steps, by stage."}, []string{"stage"}),
		SchedulerWork:      prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: "scheduler", Name: "work", Help: "1 if the scheduler's latest decision was to do the heavy work, 0 if it waits."}),
		SchedulerIntensity: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: "scheduler", Name: "intensity_g_per_kwh", Help: "The grid's carbon intensity at the latest decision (gCO2e/kWh)."}),
		SchedulerThreshold: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: "scheduler", Name: "threshold_g_per_kwh", Help: "The forecast threshold of the latest decision that needed one (gCO2e/kWh)."}),
		SchedulerQuotaLeft: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: "scheduler", Name: "quota_left_slots", Help: "Slots of heavy work left in the current window."}),
		SchedulerDecisions: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: "scheduler", Name: "decisions_total", Help: "Slots decided, by decision (work, wait)."}, []string{"decision"}),
	}
	if reg != nil {
		reg.MustRegister(m.Round, m.Height, m.Reputation, m.SolveRate, m.TasksSolved, m.ArtifactsCommitted, m.ArtifactsRevealed,
			m.Attestations, m.Retrievals, m.Disclosures, m.Fetches, m.FetchSeconds, m.StoreAdd, m.TxSeconds, m.TxInclusion, m.FieldAccepted, m.Joules, m.Errors,
			m.SchedulerWork, m.SchedulerIntensity, m.SchedulerThreshold, m.SchedulerQuotaLeft, m.SchedulerDecisions)
	}
	return m
}
