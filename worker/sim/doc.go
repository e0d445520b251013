// Package sim simulates a network of H3LIX nodes that learn from each
// other's artifacts, to measure what the collective field buys and what
// verification and reputation filter out.
//
// It exists apart from the engine because a useful simulation has to weigh
// artifacts the way the chain does: a field built by private rules would
// measure a protocol nobody runs. So each round is finalized with the
// chain's own pure arithmetic (x/ccf/aggregate: DecideVerdict,
// FilterOutliers, BuildField, Agreement), its default parameters
// (x/ccf/types, x/reputation/types) and its reputation EMA, in the order of
// the x/ccf keeper's finalization. The engine (worker/engine) stays
// ignorant of the chain; this package is the one place, next to
// worker/chain, where the two meet.
//
// A round: every producer (the honest collective nodes and the adversaries)
// solves its private batch and distils artifacts; adversaries poison theirs
// (pbe.Poison). Each artifact gets up to k verifiers, drawn
// reputation-weighted and deterministically from the other nodes as the
// chain draws them; honest verifiers run engine.Verify, adversaries vote
// VALID at full quality on everything (collusion). Verdicts, the outlier
// filter, the field and the reputation updates follow protocol.md
// §Finalization; collective nodes condition on the field's ppm weights.
// Isolated nodes condition on their own artifacts only, and with
// adversaries a naive group merges the field the chain would build without
// attestations, unverified.
//
// What is left out: jailing, slashing and rewards (no bonds or tokens), the
// per-node commit cap, and the network (payloads are passed by value; the
// CID stands in as the hex SHA-256 of the payload).
//
// Everything is deterministic: candidate budgets instead of wall time,
// seeded draws, integer arithmetic on the chain side. The same Config gives
// the same Report.
package sim
