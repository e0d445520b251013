package pbe

import "unsafe"

// rows stores fixed-width rows (a program's node, or its m values) in
// chunks of rowsPerChunk rows. A row never moves: a growing bank copies
// nothing and leaves no garbage behind (memory.go).
type rows[T any] struct {
	width  int
	chunks [][]T
	n      int // rows stored
}

const (
	rowBits      = 12
	rowsPerChunk = 1 << rowBits
)

// row is row i.
func (r *rows[T]) row(i int) []T {
	c := r.chunks[i>>rowBits]
	o := (i & (rowsPerChunk - 1)) * r.width
	return c[o : o+r.width : o+r.width]
}

// next appends a row and returns it for the caller to fill, with its size
// in bytes. A chunk's pages become resident as its rows are written, so
// the rows written, not the chunks allocated, are what the bank costs.
func (r *rows[T]) next() ([]T, int64) {
	if r.n>>rowBits == len(r.chunks) {
		r.chunks = append(r.chunks, make([]T, rowsPerChunk*r.width))
	}
	r.n++
	var zero T
	return r.row(r.n - 1), int64(r.width) * int64(unsafe.Sizeof(zero))
}
