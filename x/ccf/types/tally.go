package types

// RoundSignal is the signal of one node's round: the mean of its outcome
// signals, or 0 when one of its artifacts was judged INVALID or it attested
// VALID to an artifact judged INVALID. Poison, published or waved through,
// costs the whole round's standing however many attestations the node made
// honestly; an unrevealed commit or a missed assignment counts as one
// outcome of signal 0 (a crash is not punished like poison).
func RoundSignal(t Tally) uint32 {
	if t.Invalid > 0 || t.ApprovedInvalid > 0 || t.Outcomes == 0 {
		return 0
	}
	return uint32(min(t.SignalSum/t.Outcomes, PPM))
}
