package types

// Outcome is what one round did for one node, aggregated by x/ccf over the
// node's artifacts and attestations: the signal s of the EMA and the history
// counters to add. It is applied once per node and round.
type Outcome struct {
	Round     uint64
	SignalPPM uint32

	Accepted, Rejected, Unrevealed uint64
	Attestations, Agreed, Missed   uint64
}
