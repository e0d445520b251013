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

// bytes is the size of the table.
func (s *oeSet) bytes() int64 { return int64(len(s.table)) * 12 }

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

// firstIndex files programs by the hash of their value on the first
// example, each hash's programs in the order they were stored: an
// open-addressing table of hash → first and last program, and a link from
// each filed program to the next. It holds no pointers, so the collector
// does not scan it (a map of slices did, one object per hash).
type firstIndex struct {
	keys       []uint64
	head, tail []int32
	next       []int32 // by program index; -1 ends a chain
	n          int
}

// add files program i under h; i is larger than every program filed. It
// returns the bytes the index grew by.
func (f *firstIndex) add(h uint64, i int32) int64 {
	if h == 0 {
		h = 1
	}
	before := f.bytes()
	if f.n*2 >= len(f.keys) {
		f.grow()
	}
	for int32(len(f.next)) <= i {
		f.next = append(reserve(f.next, 1), -1)
	}
	mask := uint64(len(f.keys) - 1)
	for k := h & mask; ; k = (k + 1) & mask {
		switch f.keys[k] {
		case 0:
			f.keys[k], f.head[k], f.tail[k] = h, i, i
			f.n++
			return f.bytes() - before
		case h:
			f.next[f.tail[k]] = i
			f.tail[k] = i
			return f.bytes() - before
		}
	}
}

// bytes is the size of the index: 16 bytes a slot, 4 a program.
func (f *firstIndex) bytes() int64 { return int64(len(f.keys))*16 + int64(cap(f.next))*4 }

// first is the first program filed under h, or -1; then's chain follows.
func (f *firstIndex) first(h uint64) int32 {
	if h == 0 {
		h = 1
	}
	if f == nil || len(f.keys) == 0 {
		return -1
	}
	mask := uint64(len(f.keys) - 1)
	for k := h & mask; ; k = (k + 1) & mask {
		switch f.keys[k] {
		case 0:
			return -1
		case h:
			return f.head[k]
		}
	}
}

// then is the program filed after i under the same hash, or -1.
func (f *firstIndex) then(i int32) int32 { return f.next[i] }

func (f *firstIndex) grow() {
	oldK, oldH, oldT := f.keys, f.head, f.tail
	size := 1024
	if len(oldK) > 0 {
		size = len(oldK) * 2
	}
	f.keys, f.head, f.tail = make([]uint64, size), make([]int32, size), make([]int32, size)
	mask := uint64(size - 1)
	for k, h := range oldK {
		if h == 0 {
			continue
		}
		i := h & mask
		for f.keys[i] != 0 {
			i = (i + 1) & mask
		}
		f.keys[i], f.head[i], f.tail[i] = h, oldH[k], oldT[k]
	}
}
