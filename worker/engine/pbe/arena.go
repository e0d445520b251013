package pbe

import (
	"slices"
	"unsafe"
)

// The string values of the banks live in an arena: append-only chunks of
// bytes, addressed by a packed reference. A bank holds references, not Go
// strings, so it has no pointers and the garbage collector neither scans it
// nor sees one object per stored value; a bank that grows copies 8 bytes a
// value instead of a 16-byte header with a write barrier.
//
// A value that already lies in the arena (a substring of a stored value, an
// ite branch, the same value again) is referenced where it is, so str.substr
// and str.at share memory as Go substrings did; anything else (inputs,
// constants, concatenations built in scratch, str.replace results) is copied
// in once, when its vector is stored.

// sref is a reference into the arena: position (chunk index << chunkBits |
// offset) << lenBits | length. The zero sref is the empty string.
type sref uint64

const (
	chunkBits = 22 // 4 MiB chunks
	chunkSize = 1 << chunkBits
	lenBits   = 24
	// maxArenaString is the longest string the arena stores (16 MiB); a
	// candidate with a longer value is treated as undefined.
	maxArenaString = 1<<lenBits - 1
)

type strArena struct {
	chunks [][]byte
	// byAddr lists the chunks by the address of their first byte, to find
	// the chunk a string already lies in.
	byAddr []chunkAddr
	// bytes counts the bytes copied in. A chunk's pages become resident
	// as they are written, so this, not the chunks' capacity, is what the
	// arena costs (memory.go).
	bytes int64
}

type chunkAddr struct {
	lo, hi uintptr
	idx    int
}

// str is the string r refers to. It points into the arena, which only
// grows, so it stays valid as long as anyone holds it.
func (a *strArena) str(r sref) string {
	n := int(r & (1<<lenBits - 1))
	if n == 0 {
		return ""
	}
	pos := uint64(r) >> lenBits
	c := a.chunks[pos>>chunkBits]
	return unsafe.String(&c[pos&(chunkSize-1)], n)
}

// ref returns a reference to v, copying it into the arena unless it lies
// there already. ok is false for a string longer than maxArenaString.
func (a *strArena) ref(v string) (r sref, ok bool) {
	n := len(v)
	if n == 0 {
		return 0, true
	}
	if n > maxArenaString {
		return 0, false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(v)))
	if i, found := a.find(p); found {
		ca := a.byAddr[i]
		if off := p - ca.lo; off < chunkSize && p+uintptr(n) <= ca.hi {
			return pack(ca.idx, int(off), n), true
		}
	}
	return a.put(v), true
}

// find returns the index in byAddr of the chunk that holds address p.
func (a *strArena) find(p uintptr) (int, bool) {
	i, _ := slices.BinarySearchFunc(a.byAddr, p, func(c chunkAddr, p uintptr) int {
		switch {
		case p < c.lo:
			return 1
		case p >= c.hi:
			return -1
		}
		return 0
	})
	return i, i < len(a.byAddr) && p >= a.byAddr[i].lo && p < a.byAddr[i].hi
}

// firstChunk is the size of an arena's first chunk; each next one doubles,
// up to chunkSize. Most searches at a budget of thousands of candidates
// store well under a MiB of strings, and a chunk is zeroed when it is
// made: a first chunk of chunkSize cost every such search 4 MiB of
// clearing, more than its enumeration (measured, docs/pbe-engine.md).
const firstChunk = 64 << 10

// put copies v into the arena: into the last chunk if it fits, else into a
// new one (of its own size when v is longer than a chunk).
func (a *strArena) put(v string) sref {
	last := len(a.chunks) - 1
	if last < 0 || len(a.chunks[last])+len(v) > cap(a.chunks[last]) {
		a.grow(max(len(v), min(chunkSize, firstChunk<<len(a.chunks))))
		last++
	}
	c := a.chunks[last]
	off := len(c)
	a.chunks[last] = append(c, v...)
	a.bytes += int64(len(v))
	return pack(last, off, len(v))
}

func (a *strArena) grow(size int) {
	c := make([]byte, 0, size)
	a.chunks = append(a.chunks, c)
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(c)))
	ca := chunkAddr{lo: lo, hi: lo + uintptr(size), idx: len(a.chunks) - 1}
	i, _ := slices.BinarySearchFunc(a.byAddr, lo, func(c chunkAddr, p uintptr) int {
		switch {
		case c.lo < p:
			return -1
		case c.lo > p:
			return 1
		}
		return 0
	})
	a.byAddr = slices.Insert(a.byAddr, i, ca)
}

func pack(chunk, off, n int) sref {
	return sref((uint64(chunk)<<chunkBits|uint64(off))<<lenBits | uint64(n))
}
