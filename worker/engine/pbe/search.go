package pbe

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"math/bits"
	"strings"
	"time"
	"unsafe"

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
	nodes  []node
	levels []int32 // levels[c] is the index of the first program of cost c
	strs   []string
	ints   []int64
	bools  []uint64 // w words per program
	seen   oeSet
	// grp lists the runs of one production in the level being enumerated;
	// indexLevel files them by effective cost per context.
	grp []group
	// first indexes programs by the hash of their value on the first
	// example; kept for the prefix arguments of concatenations (split.go).
	first map[uint64][]int32
}

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

// oeSet is an open-addressing map from 64-bit value-vector hashes to the
// index of the program that first produced the vector.
type oeSet struct {
	table []uint64
	idx   []int32
	n     int
}

// insert adds h for program i and reports whether it was new. 0 marks an
// empty slot.
func (s *oeSet) insert(h uint64, i int32) bool {
	if h == 0 {
		h = 1
	}
	if s.n*2 >= len(s.table) {
		s.grow()
	}
	mask := uint64(len(s.table) - 1)
	for k := h & mask; ; k = (k + 1) & mask {
		switch s.table[k] {
		case 0:
			s.table[k] = h
			s.idx[k] = i
			s.n++
			return true
		case h:
			return false
		}
	}
}

// lookup returns the program stored under h, or -1.
func (s *oeSet) lookup(h uint64) int32 {
	if h == 0 {
		h = 1
	}
	if len(s.table) == 0 {
		return -1
	}
	mask := uint64(len(s.table) - 1)
	for k := h & mask; ; k = (k + 1) & mask {
		switch s.table[k] {
		case 0:
			return -1
		case h:
			return s.idx[k]
		}
	}
}

func (s *oeSet) grow() {
	old, oldIdx := s.table, s.idx
	size := 1024
	if len(old) > 0 {
		size = len(old) * 2
	}
	s.table = make([]uint64, size)
	s.idx = make([]int32, size)
	mask := uint64(size - 1)
	for k, h := range old {
		if h == 0 {
			continue
		}
		i := h & mask
		for s.table[i] != 0 {
			i = (i + 1) & mask
		}
		s.table[i] = h
		s.idx[i] = oldIdx[k]
	}
}

const (
	mix1   = 0xbf58476d1ce4e5b9
	mix2   = 0x94d049bb133111eb
	golden = 0x9E3779B97F4A7C15
)

func fmix(h uint64) uint64 {
	h ^= h >> 31
	h *= mix1
	h ^= h >> 29
	h *= mix2
	h ^= h >> 32
	return h
}

// strHash is a fixed (seedless) hash so that searches are reproducible.
func strHash(s string) uint64 {
	h := uint64(len(s)) * golden
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	for len(b) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64(b)) * mix1
		h ^= h >> 29
		b = b[8:]
	}
	var t uint64
	for i, c := range b {
		t |= uint64(c) << (8 * i)
	}
	return fmix(h ^ t)
}

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
	outS   []string
	// scratch holds the bytes of concatenations: outS then points into it
	// (scratchOut) until add stores the vector, which copies it once.
	scratch    []byte
	scratchOut bool
	outI       []int64
	outB       []uint64
	libVals    map[int][]sygus.Value // pkLib prod -> values per example (nil entry = undefined)

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
	for i, nt := range s.g.nts {
		s.banks[i] = ntBank{sort: nt.sort, levels: []int32{0}}
	}
	for _, pid := range s.splitProds {
		a := s.g.prods[pid].args[0]
		if s.banks[a].first == nil {
			s.banks[a].first = map[uint64][]int32{}
		}
	}
	if s.cx != nil {
		s.eff = make([][][]span, len(s.cx.deltas))
	}
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

func (s *searcher) strVec(nt int, i int32) []string {
	return s.banks[nt].strs[int(i)*s.m : int(i)*s.m+s.m]
}

func (s *searcher) intVec(nt int, i int32) []int64 {
	return s.banks[nt].ints[int(i)*s.m : int(i)*s.m+s.m]
}

func (s *searcher) boolVec(nt int, i int32) []uint64 {
	return s.banks[nt].bools[int(i)*s.w : int(i)*s.w+s.w]
}

func (s *searcher) bit(nt int, i int32, j int) bool {
	return s.banks[nt].bools[int(i)*s.w+j/64]>>(j%64)&1 == 1
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
	if !b.seen.insert(h, int32(len(b.nodes))) {
		return true
	}
	if s.bankSize >= s.maxBank || s.memFull() {
		s.err = errBankFull
		return false
	}
	s.bankSize++
	s.memUsed += bytesPerNode
	switch b.sort {
	case sygus.SortString:
		if s.scratchOut {
			s.memUsed += int64(s.ownOut())
		}
		b.strs = append(b.strs, s.outS...)
		s.memUsed += int64(16 * s.m)
		if b.first != nil {
			s.memUsed += bytesPerFirst
		}
	case sygus.SortInt:
		b.ints = append(b.ints, s.outI...)
		s.memUsed += int64(8 * s.m)
	case sygus.SortBool:
		b.bools = append(b.bools, s.outB...)
		s.memUsed += int64(8 * s.w)
	}
	b.nodes = append(b.nodes, node{prod: int32(pr), kids: kids})
	if b.first != nil && s.outS[0] != "" {
		k := strHash(s.outS[0])
		b.first[k] = append(b.first[k], int32(len(b.nodes)-1))
	}
	if nt == s.g.start {
		idx := int32(len(b.nodes) - 1)
		if h == s.tHash && s.matchesAll(nt, idx) {
			s.solution = idx
			return false
		}
		mask := s.satisfied(nt, idx)
		s.startMask = append(s.startMask, mask)
		if mask != 0 && !s.seenMasks[mask] {
			s.seenMasks[mask] = true
			s.newPartials = append(s.newPartials, idx)
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
		return sygus.StrVal(s.banks[nt].strs[int(idx)*s.m+j])
	case sygus.SortInt:
		return sygus.IntVal(s.banks[nt].ints[int(idx)*s.m+j])
	}
	return sygus.BoolVal(s.bit(nt, idx, j))
}

// runLevel enumerates every program of cost exactly c. It returns false when
// the search stopped (solution, budget or error).
func (s *searcher) runLevel(c int) bool {
	s.indexLevel(c - 1)
	for i := range s.banks {
		s.banks[i].levels = append(s.banks[i].levels, int32(len(s.banks[i].nodes)))
	}
	for nt := range s.g.nts {
		b := &s.banks[nt]
		for _, pid := range s.g.nts[nt].prods {
			before := len(b.nodes)
			ok := s.runProd(nt, pid, c)
			if len(b.nodes) > before {
				b.grp = append(b.grp, group{pid: int32(pid), lo: int32(before), hi: int32(len(b.nodes))})
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
	s.scratchOut = false
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
	s.scratchOut = false
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

func clearBits(b []uint64) {
	for i := range b {
		b[i] = 0
	}
}

// apply evaluates an operator production over the children's value vectors
// into the scratch vector. It returns false if the result is undefined on
// some example (integer overflow, division by zero).
func (s *searcher) apply(pr *prod, k [3]int32) bool {
	a := pr.args
	m := s.m
	out := s.outS
	s.scratchOut = false
	switch pr.op {
	case sygus.OpConcat:
		x := s.strVec(a[0], k[0])
		if len(a) == 1 {
			copy(out, x)
			return true
		}
		y := s.strVec(a[1], k[1])
		if len(a) == 2 {
			s.concatScratch(x, y)
			return true
		}
		z := s.strVec(a[2], k[2])
		for j := 0; j < m; j++ {
			out[j] = x[j] + y[j] + z[j]
		}
	case sygus.OpSubstr:
		x, i, n := s.strVec(a[0], k[0]), s.intVec(a[1], k[1]), s.intVec(a[2], k[2])
		if s.ascii {
			for j := 0; j < m; j++ {
				out[j] = substrASCII(x[j], i[j], n[j])
			}
		} else {
			for j := 0; j < m; j++ {
				out[j] = sygus.Substr(x[j], i[j], n[j])
			}
		}
	case sygus.OpAt:
		x, i := s.strVec(a[0], k[0]), s.intVec(a[1], k[1])
		if s.ascii {
			for j := 0; j < m; j++ {
				out[j] = substrASCII(x[j], i[j], 1)
			}
		} else {
			for j := 0; j < m; j++ {
				out[j] = sygus.At(x[j], i[j])
			}
		}
	case sygus.OpReplace:
		x, y, z := s.strVec(a[0], k[0]), s.strVec(a[1], k[1]), s.strVec(a[2], k[2])
		for j := 0; j < m; j++ {
			out[j] = sygus.Replace(x[j], y[j], z[j])
		}
	case sygus.OpReplaceAll:
		x, y, z := s.strVec(a[0], k[0]), s.strVec(a[1], k[1]), s.strVec(a[2], k[2])
		for j := 0; j < m; j++ {
			out[j] = sygus.ReplaceAll(x[j], y[j], z[j])
		}
	case sygus.OpFromInt:
		x := s.intVec(a[0], k[0])
		for j := 0; j < m; j++ {
			out[j] = sygus.FromInt(x[j])
		}
	case sygus.OpFromCode:
		x := s.intVec(a[0], k[0])
		for j := 0; j < m; j++ {
			out[j] = sygus.FromCode(x[j])
		}
	case sygus.OpLen:
		x := s.strVec(a[0], k[0])
		if s.ascii {
			for j := 0; j < m; j++ {
				s.outI[j] = int64(len(x[j]))
			}
		} else {
			for j := 0; j < m; j++ {
				s.outI[j] = sygus.Len(x[j])
			}
		}
	case sygus.OpToInt:
		x := s.strVec(a[0], k[0])
		for j := 0; j < m; j++ {
			v, err := sygus.ToInt(x[j])
			if err != nil {
				return false
			}
			s.outI[j] = v
		}
	case sygus.OpToCode:
		x := s.strVec(a[0], k[0])
		for j := 0; j < m; j++ {
			s.outI[j] = sygus.ToCode(x[j])
		}
	case sygus.OpIndexOf:
		x, y, i := s.strVec(a[0], k[0]), s.strVec(a[1], k[1]), s.intVec(a[2], k[2])
		if s.ascii {
			for j := 0; j < m; j++ {
				s.outI[j] = indexOfASCII(x[j], y[j], i[j])
			}
		} else {
			for j := 0; j < m; j++ {
				s.outI[j] = sygus.IndexOf(x[j], y[j], i[j])
			}
		}
	case sygus.OpAdd, sygus.OpSub, sygus.OpMul, sygus.OpDiv, sygus.OpMod:
		x := s.intVec(a[0], k[0])
		if len(a) == 1 { // unary minus
			if pr.op != sygus.OpSub {
				copy(s.outI, x)
				return true
			}
			for j := 0; j < m; j++ {
				if x[j] == math.MinInt64 {
					return false
				}
				s.outI[j] = -x[j]
			}
			return true
		}
		y := s.intVec(a[1], k[1])
		if len(a) == 3 {
			return s.applyGeneric(pr, k)
		}
		for j := 0; j < m; j++ {
			v, err := sygus.Apply(pr.op, []sygus.Value{sygus.IntVal(x[j]), sygus.IntVal(y[j])})
			if err != nil {
				return false
			}
			s.outI[j] = v.Int
		}
	case sygus.OpAbs:
		x := s.intVec(a[0], k[0])
		for j := 0; j < m; j++ {
			if x[j] == math.MinInt64 {
				return false
			}
			if x[j] < 0 {
				s.outI[j] = -x[j]
			} else {
				s.outI[j] = x[j]
			}
		}
	case sygus.OpPrefixOf, sygus.OpSuffixOf, sygus.OpContains, sygus.OpStrLt, sygus.OpStrLe:
		x, y := s.strVec(a[0], k[0]), s.strVec(a[1], k[1])
		clearBits(s.outB)
		for j := 0; j < m; j++ {
			var r bool
			switch pr.op {
			case sygus.OpPrefixOf:
				r = strings.HasPrefix(y[j], x[j])
			case sygus.OpSuffixOf:
				r = strings.HasSuffix(y[j], x[j])
			case sygus.OpContains:
				r = strings.Contains(x[j], y[j])
			case sygus.OpStrLt:
				r = x[j] < y[j]
			default:
				r = x[j] <= y[j]
			}
			if r {
				s.outB[j/64] |= 1 << (j % 64)
			}
		}
	case sygus.OpIsDigit:
		x := s.strVec(a[0], k[0])
		clearBits(s.outB)
		for j := 0; j < m; j++ {
			if sygus.IsDigit(x[j]) {
				s.outB[j/64] |= 1 << (j % 64)
			}
		}
	case sygus.OpLt, sygus.OpLe, sygus.OpGt, sygus.OpGe:
		x, y := s.intVec(a[0], k[0]), s.intVec(a[1], k[1])
		clearBits(s.outB)
		for j := 0; j < m; j++ {
			var r bool
			switch pr.op {
			case sygus.OpLt:
				r = x[j] < y[j]
			case sygus.OpLe:
				r = x[j] <= y[j]
			case sygus.OpGt:
				r = x[j] > y[j]
			default:
				r = x[j] >= y[j]
			}
			if r {
				s.outB[j/64] |= 1 << (j % 64)
			}
		}
	case sygus.OpEq, sygus.OpDistinct:
		if len(a) != 2 {
			return s.applyGeneric(pr, k)
		}
		clearBits(s.outB)
		for j := 0; j < m; j++ {
			r := s.valueAt(a[0], k[0], j) == s.valueAt(a[1], k[1], j)
			if r == (pr.op == sygus.OpEq) {
				s.outB[j/64] |= 1 << (j % 64)
			}
		}
	case sygus.OpNot:
		x := s.boolVec(a[0], k[0])
		for i := range s.outB {
			s.outB[i] = ^x[i]
		}
		s.maskTail()
	case sygus.OpAnd, sygus.OpOr, sygus.OpXor, sygus.OpImplies:
		if len(a) != 2 {
			return s.applyGeneric(pr, k)
		}
		x, y := s.boolVec(a[0], k[0]), s.boolVec(a[1], k[1])
		for i := range s.outB {
			switch pr.op {
			case sygus.OpAnd:
				s.outB[i] = x[i] & y[i]
			case sygus.OpOr:
				s.outB[i] = x[i] | y[i]
			case sygus.OpXor:
				s.outB[i] = x[i] ^ y[i]
			default:
				s.outB[i] = ^x[i] | y[i]
			}
		}
		s.maskTail()
	case sygus.OpIte:
		cnd := s.boolVec(a[0], k[0])
		switch s.banks[a[1]].sort {
		case sygus.SortString:
			x, y := s.strVec(a[1], k[1]), s.strVec(a[2], k[2])
			for j := 0; j < m; j++ {
				if cnd[j/64]>>(j%64)&1 == 1 {
					out[j] = x[j]
				} else {
					out[j] = y[j]
				}
			}
		case sygus.SortInt:
			x, y := s.intVec(a[1], k[1]), s.intVec(a[2], k[2])
			for j := 0; j < m; j++ {
				if cnd[j/64]>>(j%64)&1 == 1 {
					s.outI[j] = x[j]
				} else {
					s.outI[j] = y[j]
				}
			}
		case sygus.SortBool:
			x, y := s.boolVec(a[1], k[1]), s.boolVec(a[2], k[2])
			for i := range s.outB {
				s.outB[i] = cnd[i]&x[i] | ^cnd[i]&y[i]
			}
		}
	default:
		return s.applyGeneric(pr, k)
	}
	return true
}

// concatScratch writes x[j]+y[j] into the scratch buffer and points outS
// at it, so that a concatenation that turns out to be observationally
// equivalent to a stored program allocates nothing.
func (s *searcher) concatScratch(x, y []string) {
	n := 0
	for j := range x {
		n += len(x[j]) + len(y[j])
	}
	if cap(s.scratch) < n {
		s.scratch = make([]byte, 0, max(n, 2*cap(s.scratch)))
	}
	buf := s.scratch[:0]
	for j := range x {
		start := len(buf)
		buf = append(buf, x[j]...)
		buf = append(buf, y[j]...)
		if len(buf) == start {
			s.outS[j] = ""
		} else {
			s.outS[j] = unsafe.String(&buf[start], len(buf)-start)
		}
	}
	s.scratch = buf
	s.scratchOut = true
}

// ownOut copies a scratch vector into one fresh allocation before it is
// stored.
func (s *searcher) ownOut() int {
	n := 0
	for _, v := range s.outS {
		n += len(v)
	}
	if n > 0 {
		all := string(s.scratch[:n])
		off := 0
		for j, v := range s.outS {
			s.outS[j] = all[off : off+len(v)]
			off += len(v)
		}
	}
	s.scratchOut = false
	return n
}

// maskTail clears the bits past the last example so equal vectors hash equal.
func (s *searcher) maskTail() {
	if r := s.m % 64; r != 0 {
		s.outB[s.w-1] &= 1<<r - 1
	}
}

// applyGeneric is the slow path through sygus.Apply, for rare arities.
func (s *searcher) applyGeneric(pr *prod, k [3]int32) bool {
	args := make([]sygus.Value, len(pr.args))
	for j := 0; j < s.m; j++ {
		for i, a := range pr.args {
			args[i] = s.valueAt(a, k[i], j)
		}
		v, err := sygus.Apply(pr.op, args)
		if err != nil {
			return false
		}
		s.setValue(j, v)
	}
	return true
}

func substrASCII(x string, i, n int64) string {
	l := int64(len(x))
	if i < 0 || i >= l || n <= 0 {
		return ""
	}
	if n > l-i {
		n = l - i
	}
	return x[i : i+n]
}

func indexOfASCII(x, y string, i int64) int64 {
	if i < 0 || i > int64(len(x)) {
		return -1
	}
	r := strings.Index(x[i:], y)
	if r < 0 {
		return -1
	}
	return i + int64(r)
}

// term rebuilds the program stored at index idx of nt's bank.
func (s *searcher) term(p *sygus.Problem, nt int, idx int32) *sygus.Term {
	n := s.banks[nt].nodes[idx]
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
	n := s.banks[nt].nodes[idx]
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
