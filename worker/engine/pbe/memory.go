package pbe

// Memory bound of the search. Every stored program is charged an estimate
// of what it keeps alive, counted deterministically (the same search stops
// at the same program whatever the garbage collector does):
//
//   - bytesPerNode: the node (16 bytes), its slots in the open-addressing
//     table (12 bytes a slot, load at most 1/2) and its share of the
//     level and start-mask slices;
//   - values: 16 bytes a string header, 8 an integer, 8 per 64 booleans,
//     plus the bytes of a concatenation's own copy;
//   - bytesPerFirst: the entry in the first-value index of the prefix
//     non-terminals of concatenations (split.go).
//
// The estimate leaves out strings other operators allocate (str.replace),
// slices that grow by doubling and garbage the collector has not yet
// reclaimed. Measured on univ_6.sl (60 s, one core, 12.9 M programs), the
// peak resident size was 2.06 times the estimate, so the search stops when
// memFactor times the estimate reaches the budget: the budget is about the
// process's peak.
const (
	bytesPerNode  = 64
	bytesPerFirst = 48
	memFactor     = 2

	// DefaultMemBudget is the default of Options.MemBudget: 8 GiB, about
	// 14 M programs at six examples (the bound before was 4 M programs).
	// The largest peak measured with it was 10.3 GB resident ('bench pbe',
	// univ_6, 60 s), safe on a 24 GB machine.
	DefaultMemBudget = 8 << 30
)

// memFull reports whether the bank has reached the memory budget.
func (s *searcher) memFull() bool { return s.memUsed*memFactor >= s.memBudget }
