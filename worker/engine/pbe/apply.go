package pbe

import (
	"math"
	"strings"
	"unsafe"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

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
	switch pr.op {
	case sygus.OpConcat:
		if len(a) == 1 {
			copy(out, s.strVec(a[0], k[0]))
			return true
		}
		x := s.firstVec(a[0], k[0])
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
		x, i, n := s.firstVec(a[0], k[0]), s.intVec(a[1], k[1]), s.intVec(a[2], k[2])
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
		x, i := s.firstVec(a[0], k[0]), s.intVec(a[1], k[1])
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
		s.replaceScratch(s.firstVec(a[0], k[0]), s.strVec(a[1], k[1]), s.strVec(a[2], k[2]))
	case sygus.OpReplaceAll:
		x, y, z := s.firstVec(a[0], k[0]), s.strVec(a[1], k[1]), s.strVec(a[2], k[2])
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
		x, y, i := s.firstVec(a[0], k[0]), s.strVec(a[1], k[1]), s.intVec(a[2], k[2])
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
		x, y := s.firstVec(a[0], k[0]), s.strVec(a[1], k[1])
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
// equivalent to a stored program allocates nothing; add copies a new one
// into the arena.
func (s *searcher) concatScratch(x, y []string) {
	n := 0
	for j := range x {
		n += len(x[j]) + len(y[j])
	}
	buf := s.scratchFor(n)
	for j := range x {
		start := len(buf)
		buf = append(buf, x[j]...)
		buf = append(buf, y[j]...)
		s.outS[j] = scratchString(buf, start)
	}
	s.scratch = buf
}

// replaceScratch is str.replace (sygus.Replace) over the vectors, written
// into the scratch buffer as concatScratch writes.
func (s *searcher) replaceScratch(x, y, z []string) {
	n := 0
	for j := range x {
		n += len(x[j]) + len(z[j])
	}
	buf := s.scratchFor(n)
	for j := range x {
		k := 0 // str.replace x "" z is z ++ x
		if y[j] != "" {
			if k = strings.Index(x[j], y[j]); k < 0 {
				s.outS[j] = x[j]
				continue
			}
		}
		start := len(buf)
		buf = append(buf, x[j][:k]...)
		buf = append(buf, z[j]...)
		buf = append(buf, x[j][k+len(y[j]):]...)
		s.outS[j] = scratchString(buf, start)
	}
	s.scratch = buf
}

// scratchFor empties the scratch buffer with room for n bytes, so that
// appending them never moves the strings already pointing into it.
func (s *searcher) scratchFor(n int) []byte {
	if cap(s.scratch) < n {
		s.scratch = make([]byte, 0, max(n, 2*cap(s.scratch)))
	}
	return s.scratch[:0]
}

// scratchString is buf[start:] as a string, without a copy.
func scratchString(buf []byte, start int) string {
	if len(buf) == start {
		return ""
	}
	return unsafe.String(&buf[start], len(buf)-start)
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
