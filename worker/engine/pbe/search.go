package pbe

import (
	"context"
	"errors"
	"math/bits"
	"time"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// node is one stored program: a production and the bank indices of its
// children (in the banks of the production's argument non-terminals).
type node struct {
	prod int32
	kids [3]int32
}

// ntBank holds the observationally distinct programs of one non-terminal in
// cost order, with their value vectors stored flat (m values per program).
type ntBank struct {
	sort   sygus.Sort
	nodes  rows[node]
	levels []int32      // levels[c] is the index of the first program of cost c
	strs   rows[sref]   // m per program, into the searcher's arena (arena.go)
	ints   rows[int64]  // m per program
	bools  rows[uint64] // w words per program
	seen   oeSet
	// grp lists the runs of one production in the level being enumerated;
	// indexLevel files them by effective cost per context.
	grp []group
	// first indexes programs by the hash of their value on the first
	// example; kept for the prefix arguments of concatenations (split.go).
	first *firstIndex
}

// size is the number of programs stored.
func (b *ntBank) size() int { return b.nodes.n }

// node is program i.
func (b *ntBank) node(i int32) node { return b.nodes.row(int(i))[0] }

func (b *ntBank) rangeOf(c int) (int, int) {
	if c <= 0 || c+1 >= len(b.levels) {
		return 0, 0
	}
	return int(b.levels[c]), int(b.levels[c+1])
}

// group is a run of programs of one level with the same root production.
type group struct {
	pid    int32
	lo, hi int32
}

// span is a run of bank indices.
type span struct{ lo, hi int32 }

// stopReason values.
var (
	errBudget    = errors.New("candidate budget exhausted")
	errWall      = errors.New("time budget exhausted")
	errBankFull  = errors.New("program bank full (memory bound)")
	errExhausted = errors.New("search space exhausted up to the cost bound")
)

// searcher enumerates programs bottom-up in order of cost for one set of
// examples, merging observationally equivalent ones.
type searcher struct {
	g      *grammar
	costs  []int      // stored cost per production (ctx.base)
	cx     *ctxTable  // context costs
	eff    [][][]span // per context, per effective cost: bank runs
	m      int        // active examples
	w      int        // words per bool vector
	ascii  bool
	inputs [][]sygus.Value // [param][example]
	target []sygus.Value
	tHash  uint64
	banks  []ntBank
	arena  *strArena
	// vecs are the buffers strVec materializes string vectors in, used in
	// turn: a vector stays valid for len(vecs)-1 further calls.
	vecs [4][]string
	vecN int
	// firstBuf holds the vector of program firstIdx of bank firstNT
	// (firstVec) while firstOK.
	firstBuf []string
	firstNT  int
	firstIdx int32
	firstOK  bool

	outS []string
	// scratch holds the bytes of concatenations: outS points into it until
	// add copies a new vector into the arena.
	scratch []byte
	outI    []int64
	outB    []uint64
	libVals map[int][]sygus.Value // pkLib prod -> values per example (nil entry = undefined)

	// start-symbol bookkeeping for partial solutions and conditionals
	startMask []uint64
	fullMask  uint64

	// newPartials are programs of the start symbol that satisfy a subset of
	// the examples no cheaper program satisfied (Probe's promising programs).
	seenMasks   map[uint64]bool
	newPartials []int32

	// budget
	ctx        context.Context
	deadline   time.Time
	maxCand    int64
	candidates *int64
	maxBank    int
	bankSize   int
	// memUsed estimates the bytes of the stored programs (memory.go);
	// the search stops with errBankFull when it reaches memBudget.
	memUsed   int64
	memBudget int64
	tick      int

	// splitProds are binary concatenations whose parent is a String
	// non-terminal; split.go decomposes targets along them.
	splitProds  []int
	splitCalls  int
	splitProbes int
	subDT       int

	solution int32 // index in the start bank, -1 if none
	err      error
}

func newSearcher(g *grammar, examples []sygus.Example, ascii bool) *searcher {
	m := len(examples)
	s := &searcher{g: g, m: m, w: (m + 63) / 64, ascii: ascii, solution: -1}
	nParams := 0
	if m > 0 {
		nParams = len(examples[0].In)
	}
	s.inputs = make([][]sygus.Value, nParams)
	for i := range s.inputs {
		s.inputs[i] = make([]sygus.Value, m)
		for j, ex := range examples {
			s.inputs[i][j] = ex.In[i]
		}
	}
	s.target = make([]sygus.Value, m)
	for j, ex := range examples {
		s.target[j] = ex.Out
	}
	s.outS = make([]string, m)
	for i := range s.vecs {
		s.vecs[i] = make([]string, m)
	}
	s.firstBuf = make([]string, m)
	s.outI = make([]int64, m)
	s.outB = make([]uint64, s.w)
	// Hash the target the way add hashes the start symbol's vectors.
	switch g.nts[g.start].sort {
	case sygus.SortString:
		for j := range s.target {
			s.outS[j] = s.target[j].Str
		}
	case sygus.SortInt:
		for j := range s.target {
			s.outI[j] = s.target[j].Int
		}
	case sygus.SortBool:
		for j := range s.target {
			if s.target[j].Bool {
				s.outB[j/64] |= 1 << (j % 64)
			}
		}
	}
	s.tHash = s.hashOut(g.nts[g.start].sort)
	if m >= 64 {
		s.fullMask = ^uint64(0)
	} else {
		s.fullMask = 1<<m - 1
	}
	s.seenMasks = map[uint64]bool{}
	for id, pr := range g.prods {
		if pr.kind == pkOp && pr.op == sygus.OpConcat && len(pr.args) == 2 && g.nts[pr.nt].sort == sygus.SortString && m > 0 {
			s.splitProds = append(s.splitProds, id)
		}
	}
	s.reset()
	return s
}

func (s *searcher) reset() {
	s.banks = make([]ntBank, len(s.g.nts))
	s.arena = &strArena{}
	for i, nt := range s.g.nts {
		s.banks[i] = ntBank{sort: nt.sort, levels: []int32{0},
			nodes: rows[node]{width: 1}, strs: rows[sref]{width: s.m}, ints: rows[int64]{width: s.m}, bools: rows[uint64]{width: s.w}}
	}
	for _, pid := range s.splitProds {
		a := s.g.prods[pid].args[0]
		if s.banks[a].first == nil {
			s.banks[a].first = &firstIndex{}
		}
	}
	if s.cx != nil {
		s.eff = make([][][]span, len(s.cx.deltas))
	}
	s.firstOK = false
	s.startMask = s.startMask[:0]
	s.newPartials = s.newPartials[:0]
	s.bankSize = 0
	s.memUsed = 0
	s.solution = -1
}

func (s *searcher) hashOut(so sygus.Sort) uint64 {
	h := uint64(golden)
	switch so {
	case sygus.SortString:
		for _, v := range s.outS {
			h = fmix(h ^ strHash(v))
		}
	case sygus.SortInt:
		for _, v := range s.outI {
			h = fmix(h ^ uint64(v)*golden)
		}
	case sygus.SortBool:
		for _, v := range s.outB {
			h = fmix(h ^ v*golden)
		}
	}
	return h
}

// firstVec is strVec for the first argument of an operator of two or
// three: the enumeration holds that argument while it runs through the
// others, so its vector is kept in a buffer of its own, built once per
// program. Bank rows and the arena never change until reset.
func (s *searcher) firstVec(nt int, i int32) []string {
	if s.firstOK && s.firstNT == nt && s.firstIdx == i {
		return s.firstBuf
	}
	s.firstNT, s.firstIdx, s.firstOK = nt, i, true
	return s.fillStrVec(s.firstBuf, nt, i)
}

// fillStrVec writes the strings of program i of nt's bank into dst.
func (s *searcher) fillStrVec(dst []string, nt int, i int32) []string {
	for j, r := range s.banks[nt].strs.row(int(i)) {
		dst[j] = s.arena.str(r)
	}
	return dst
}

// strVec is the string vector of program i of nt's bank, in the next of
// the vecs buffers: apply holds up to three at once.
func (s *searcher) strVec(nt int, i int32) []string {
	v := s.vecs[s.vecN]
	s.vecN = (s.vecN + 1) % len(s.vecs)
	return s.fillStrVec(v, nt, i)
}

func (s *searcher) intVec(nt int, i int32) []int64 {
	return s.banks[nt].ints.row(int(i))
}

func (s *searcher) boolVec(nt int, i int32) []uint64 {
	return s.banks[nt].bools.row(int(i))
}

func (s *searcher) bit(nt int, i int32, j int) bool {
	return s.banks[nt].bools.row(int(i))[j/64]>>(j%64)&1 == 1
}

// budgetCheck is called once per candidate; it looks at the clock and the
// context only every 1024 candidates.
func (s *searcher) budgetCheck() bool {
	*s.candidates++
	if s.maxCand > 0 && *s.candidates >= s.maxCand {
		s.err = errBudget
		return false
	}
	s.tick++
	if s.tick&1023 == 0 {
		if !s.deadline.IsZero() && time.Now().After(s.deadline) {
			s.err = errWall
			return false
		}
		if err := s.ctx.Err(); err != nil {
			s.err = err
			return false
		}
	}
	return true
}

// add stores the candidate in the scratch vector under nt if it is
// observationally new. It returns false when the search must stop.
func (s *searcher) add(nt int, pr int, kids [3]int32) bool {
	if !s.budgetCheck() {
		return false
	}
	b := &s.banks[nt]
	h := s.hashOut(b.sort)
	if b.sort == sygus.SortString && !s.fitsArena() {
		return true // a value too long to store: not a candidate
	}
	table := b.seen.bytes()
	if !b.seen.insert(h, int32(b.size())) {
		return true
	}
	s.memUsed += b.seen.bytes() - table
	if s.bankSize >= s.maxBank || s.memFull() {
		s.err = errBankFull
		return false
	}
	s.bankSize++
	switch b.sort {
	case sygus.SortString:
		before := s.arena.bytes
		row, size := b.strs.next()
		for j, v := range s.outS {
			row[j], _ = s.arena.ref(v)
		}
		s.memUsed += size + s.arena.bytes - before
		if b.first != nil && s.outS[0] != "" {
			s.memUsed += b.first.add(strHash(s.outS[0]), int32(b.size()))
		}
	case sygus.SortInt:
		row, size := b.ints.next()
		copy(row, s.outI)
		s.memUsed += size
	case sygus.SortBool:
		row, size := b.bools.next()
		copy(row, s.outB)
		s.memUsed += size
	}
	row, size := b.nodes.next()
	row[0] = node{prod: int32(pr), kids: kids}
	s.memUsed += size
	if nt == s.g.start {
		idx := int32(b.size() - 1)
		if h == s.tHash && s.matchesAll(nt, idx) {
			s.solution = idx
			return false
		}
		mask := s.satisfied(nt, idx)
		c := cap(s.startMask)
		s.startMask = append(reserve(s.startMask, 1), mask)
		s.memUsed += int64(cap(s.startMask)-c) * 8
		if mask != 0 && !s.seenMasks[mask] {
			s.seenMasks[mask] = true
			s.newPartials = append(s.newPartials, idx)
		}
	}
	return true
}

// reserve makes room for n more elements, doubling the capacity when it
// must grow: append grows a large slice by a quarter, which copies a bank
// about four times over as it grows; doubling copies it about once.
func reserve[T any](v []T, n int) []T {
	if len(v)+n <= cap(v) {
		return v
	}
	w := make([]T, len(v), max(2*cap(v), len(v)+n, 256))
	copy(w, v)
	return w
}

// fitsArena reports whether every string of the scratch vector can be
// stored (arena.go).
func (s *searcher) fitsArena() bool {
	for _, v := range s.outS {
		if len(v) > maxArenaString {
			return false
		}
	}
	return true
}

func (s *searcher) matchesAll(nt int, idx int32) bool {
	return s.satisfiedCount(nt, idx) == s.m
}

func (s *searcher) satisfiedCount(nt int, idx int32) int {
	n := 0
	for j := 0; j < s.m; j++ {
		if s.valueAt(nt, idx, j) == s.target[j] {
			n++
		}
	}
	return n
}

// satisfied is the mask of the first 64 examples the program gets right.
func (s *searcher) satisfied(nt int, idx int32) uint64 {
	var mask uint64
	lim := s.m
	if lim > 64 {
		lim = 64
	}
	for j := 0; j < lim; j++ {
		if s.valueAt(nt, idx, j) == s.target[j] {
			mask |= 1 << j
		}
	}
	return mask
}

func (s *searcher) valueAt(nt int, idx int32, j int) sygus.Value {
	switch s.banks[nt].sort {
	case sygus.SortString:
		return sygus.StrVal(s.arena.str(s.banks[nt].strs.row(int(idx))[j]))
	case sygus.SortInt:
		return sygus.IntVal(s.banks[nt].ints.row(int(idx))[j])
	}
	return sygus.BoolVal(s.bit(nt, idx, j))
}

// runLevel enumerates every program of cost exactly c. It returns false when
// the search stopped (solution, budget or error).
func (s *searcher) runLevel(c int) bool {
	s.indexLevel(c - 1)
	for i := range s.banks {
		s.banks[i].levels = append(s.banks[i].levels, int32(s.banks[i].size()))
	}
	for nt := range s.g.nts {
		b := &s.banks[nt]
		for _, pid := range s.g.nts[nt].prods {
			before := b.size()
			ok := s.runProd(nt, pid, c)
			if b.size() > before {
				b.grp = append(b.grp, group{pid: int32(pid), lo: int32(before), hi: int32(b.size())})
			}
			if !ok {
				return false
			}
		}
	}
	return true
}

// setCosts installs the context costs of weights w.
func (s *searcher) setCosts(w []float64, pr *Prior) {
	s.cx = contextCosts(s.g, w, pr)
	s.costs = s.cx.base
}

// indexLevel files the programs of the completed level lc under the
// effective cost they have in every argument slot that reads their bank.
func (s *searcher) indexLevel(lc int) {
	if lc >= 1 {
		for pid := range s.g.prods {
			ctxs := s.cx.ctxOf[pid]
			for slot, ci := range ctxs {
				d := s.cx.deltas[ci]
				l := s.eff[ci]
				for _, gr := range s.banks[s.g.prods[pid].args[slot]].grp {
					e := lc + int(d[gr.pid])
					for len(l) <= e {
						l = append(l, nil)
					}
					if n := len(l[e]); n > 0 && l[e][n-1].hi == gr.lo {
						l[e][n-1].hi = gr.hi
					} else {
						l[e] = append(l[e], span{gr.lo, gr.hi})
					}
				}
				s.eff[ci] = l
			}
		}
	}
	for i := range s.banks {
		s.banks[i].grp = s.banks[i].grp[:0]
	}
}

// effAt is the runs of programs with effective cost e in context ci.
func (s *searcher) effAt(ci int32, e int) []span {
	if l := s.eff[ci]; e >= 1 && e < len(l) {
		return l[e]
	}
	return nil
}

func (s *searcher) runProd(nt, pid, c int) bool {
	pr := &s.g.prods[pid]
	pc := s.costs[pid]
	if pc > c {
		return true
	}
	var none [3]int32
	switch pr.kind {
	case pkConst, pkVar, pkLib:
		if pc != c {
			return true
		}
		if !s.evalLeaf(pr, pid) {
			return true // undefined on some example: not a candidate
		}
		return s.add(nt, pid, none)
	case pkChain:
		a := pr.args[0]
		lo, hi := s.banks[a].rangeOf(c - pc)
		for i := lo; i < hi; i++ {
			s.copyVec(a, int32(i))
			if !s.add(nt, pid, [3]int32{int32(i)}) {
				return false
			}
		}
		return true
	}
	rem := c - pc
	cx := s.cx.ctxOf[pid]
	switch len(pr.args) {
	case 1:
		for _, r := range s.effAt(cx[0], rem) {
			for i := r.lo; i < r.hi; i++ {
				k := [3]int32{i}
				if s.apply(pr, k) && !s.add(nt, pid, k) {
					return false
				}
			}
		}
	case 2:
		for c1 := 1; c1 < rem; c1++ {
			l1, l2 := s.effAt(cx[0], c1), s.effAt(cx[1], rem-c1)
			if l1 == nil || l2 == nil {
				continue
			}
			for _, r1 := range l1 {
				for i := r1.lo; i < r1.hi; i++ {
					for _, r2 := range l2 {
						for j := r2.lo; j < r2.hi; j++ {
							k := [3]int32{i, j}
							if s.apply(pr, k) && !s.add(nt, pid, k) {
								return false
							}
						}
					}
				}
			}
		}
	case 3:
		for c1 := 1; c1 < rem-1; c1++ {
			l1 := s.effAt(cx[0], c1)
			if l1 == nil {
				continue
			}
			for c2 := 1; c1+c2 < rem; c2++ {
				l2, l3 := s.effAt(cx[1], c2), s.effAt(cx[2], rem-c1-c2)
				if l2 == nil || l3 == nil {
					continue
				}
				for _, r1 := range l1 {
					for i := r1.lo; i < r1.hi; i++ {
						for _, r2 := range l2 {
							for j := r2.lo; j < r2.hi; j++ {
								for _, r3 := range l3 {
									for l := r3.lo; l < r3.hi; l++ {
										k := [3]int32{i, j, l}
										if s.apply(pr, k) && !s.add(nt, pid, k) {
											return false
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return true
}

func (s *searcher) copyVec(nt int, i int32) {
	switch s.banks[nt].sort {
	case sygus.SortString:
		copy(s.outS, s.strVec(nt, i))
	case sygus.SortInt:
		copy(s.outI, s.intVec(nt, i))
	case sygus.SortBool:
		copy(s.outB, s.boolVec(nt, i))
	}
}

func (s *searcher) setValue(j int, v sygus.Value) {
	switch v.Sort {
	case sygus.SortString:
		s.outS[j] = v.Str
	case sygus.SortInt:
		s.outI[j] = v.Int
	case sygus.SortBool:
		if v.Bool {
			s.outB[j/64] |= 1 << (j % 64)
		} else {
			s.outB[j/64] &^= 1 << (j % 64)
		}
	}
}

func (s *searcher) evalLeaf(pr *prod, pid int) bool {
	switch pr.kind {
	case pkConst:
		for j := 0; j < s.m; j++ {
			s.setValue(j, pr.val)
		}
	case pkVar:
		for j := 0; j < s.m; j++ {
			s.setValue(j, s.inputs[pr.varIdx][j])
		}
	case pkLib:
		vals := s.libVals[pid]
		if vals == nil {
			return false
		}
		for j := 0; j < s.m; j++ {
			s.setValue(j, vals[j])
		}
	}
	return true
}

// term rebuilds the program stored at index idx of nt's bank.
func (s *searcher) term(p *sygus.Problem, nt int, idx int32) *sygus.Term {
	n := s.banks[nt].node(idx)
	pr := &s.g.prods[n.prod]
	switch pr.kind {
	case pkConst:
		return &sygus.Term{Kind: sygus.TermConst, Sort: pr.val.Sort, Val: pr.val}
	case pkVar:
		v := p.Fun.Params[pr.varIdx]
		return &sygus.Term{Kind: sygus.TermVar, Sort: v.Sort, Name: v.Name, Index: pr.varIdx}
	case pkLib:
		return pr.lib.term
	case pkChain:
		return s.term(p, pr.args[0], n.kids[0])
	}
	args := make([]*sygus.Term, len(pr.args))
	for i, a := range pr.args {
		args[i] = s.term(p, a, n.kids[i])
	}
	so := s.g.nts[nt].sort
	return &sygus.Term{Kind: sygus.TermApp, Sort: so, Op: pr.op, Spell: pr.spell, Args: args}
}

// prodsUsed appends the productions of the program at idx.
func (s *searcher) prodsUsed(nt int, idx int32, out []int32) []int32 {
	n := s.banks[nt].node(idx)
	out = append(out, n.prod)
	pr := &s.g.prods[n.prod]
	if pr.kind == pkOp || pr.kind == pkChain {
		for i, a := range pr.args {
			out = s.prodsUsed(a, n.kids[i], out)
		}
	}
	return out
}

func popcount(x uint64) int { return bits.OnesCount64(x) }
