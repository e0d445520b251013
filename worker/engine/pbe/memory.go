package pbe

import "runtime"

// Memory bound of the search. Every stored program is charged what it
// adds, counted deterministically (the same search stops at the same
// program whatever the garbage collector does):
//
//   - its rows in the banks (rows.go): 16 bytes for the node, 8 per example
//     for a string reference or an integer, 8 per 64 booleans;
//   - the bytes its strings add to the arena (arena.go), none for a value
//     that lies there already;
//   - the growth of the hash tables (the observational-equivalence set, the
//     first-value index of split prefixes) and of the start symbol's masks,
//     when they grow.
//
// The banks hold no pointers and never move, and str.++ and str.replace
// build their results in scratch, so the search makes little garbage: the
// old table after a table doubles, the Go strings of rarer operators, the
// work of splits and conditionals. A bank discarded by a counterexample
// round or a JIT restart is collected at once (collectDiscarded), so it is
// not part of the next search's peak. Measured on nine searches of 1.1 to
// 3.0 GB (sygus2018's univ_5, univ_5-long, univ_6, univ_6-long, uniform
// prior, 20-60 s, one and two cores), the process's peak resident size was
// 1.05 to 1.22 times the count, so the estimate is the count times 1.13,
// within 8 % of every one of them. Small searches are dominated by the
// runtime and the collector's pacing (1.7 times at 85 MB).
const (
	memFactorNum = 113
	memFactorDen = 100

	// DefaultMemBudget is the default of Options.MemBudget: 8 GiB, about
	// 28 M programs at six examples (univ_6: 250 bytes a program).
	DefaultMemBudget = 8 << 30

	// collectAbove is the estimate from which a discarded bank is
	// collected at once: below it the collector's own pacing is cheaper.
	collectAbove = 64 << 20
)

// memEstimate is the estimate of the search's peak resident size.
func (s *searcher) memEstimate() int64 { return s.memUsed * memFactorNum / memFactorDen }

// memFull reports whether the bank has reached the memory budget.
func (s *searcher) memFull() bool { return s.memEstimate() >= s.memBudget }

// collectDiscarded runs the collector after a bank of used bytes was
// dropped, so that the next search reuses its memory instead of growing
// the process next to it.
func collectDiscarded(used int64) {
	if used >= collectAbove {
		runtime.GC()
	}
}
