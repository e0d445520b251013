package pbe

import (
	"encoding/binary"
	"unsafe"
)

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
