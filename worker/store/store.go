package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/ipfs/boxo/verifcid"
	"github.com/ipfs/go-cid"
)

// Store is what the worker needs from IPFS.
type Store interface {
	// Add imports data as a UnixFS file with the 2025 profile (CIDv1, raw
	// leaves, 1 MiB chunks, 1024 links per node), pins it recursively under
	// name, and returns the root CID.
	Add(ctx context.Context, r io.Reader, name string) (cid.Cid, error)
	// Get returns the whole file. It fails with ErrTooLarge past maxSize
	// bytes (checked against the UnixFS size before fetching everything, and
	// again while reading) and honours ctx for the fetch timeout.
	Get(ctx context.Context, c cid.Cid, maxSize int64) ([]byte, error)
	// Has reports whether the whole DAG is local, without using the network.
	Has(ctx context.Context, c cid.Cid) (bool, error)
	// Pin pins c recursively under name, fetching what is missing.
	Pin(ctx context.Context, c cid.Cid, name string) error
	// Unpin removes the pin on c; it fails with ErrNotPinned if there is none.
	Unpin(ctx context.Context, c cid.Cid) error
	// Pins lists the pins, sorted by name then CID.
	Pins(ctx context.Context) ([]PinInfo, error)
	// GC deletes every block not reachable from a pin and returns how many
	// blocks were removed.
	GC(ctx context.Context) (int, error)
	Close() error
}

// PinInfo is one pin.
type PinInfo struct {
	CID  cid.Cid
	Name string
}

var (
	// ErrTooLarge means the payload is bigger than the caller's maxSize.
	ErrTooLarge = errors.New("payload too large")
	// ErrNotFound means no connected peer (or, for Kubo, the daemon) produced
	// the payload before the deadline.
	ErrNotFound = errors.New("payload not found")
	// ErrBadCID means the CID is undefined or uses a hash the node refuses.
	ErrBadCID = errors.New("bad cid")
	// ErrNotPinned means Unpin was asked for a CID that has no direct or
	// recursive pin.
	ErrNotPinned = errors.New("not pinned")
	// ErrNotFile means the CID does not point at a UnixFS file.
	ErrNotFile = errors.New("not a unixfs file")
)

// Import profile (IPIP-499 unixfs-v1-2025). Kept as literals, not read from
// boxo's profile value, so a dependency bump cannot silently change the CIDs
// that go on chain; a test pins a golden CID as well.
const (
	chunkSize           = 1 << 20 // 1 MiB
	maxFileLinks        = 1024
	kuboChunker         = "size-1048576"
	defaultFetchTimeout = 2 * time.Minute
)

// validateCID rejects what would otherwise fail deep inside boxo with a less
// useful message (or, for an undefined CID, panic in some paths).
func validateCID(c cid.Cid) error {
	if !c.Defined() {
		return fmt.Errorf("%w: cid is undefined", ErrBadCID)
	}
	if err := verifcid.ValidateCid(verifcid.DefaultAllowlist, c); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrBadCID, c, err)
	}
	return nil
}

func validateGet(c cid.Cid, maxSize int64) error {
	if err := validateCID(c); err != nil {
		return err
	}
	if maxSize <= 0 {
		return fmt.Errorf("store: maxSize must be positive, got %d", maxSize)
	}
	return nil
}

// withDefaultTimeout bounds ctx by d unless the caller already set a
// deadline: a fetch for a CID nobody has never fails on its own (bitswap
// keeps asking), and a worker goroutine stuck forever is worse than an error.
func withDefaultTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// notFoundError builds the error a caller sees when a fetch ran out of time.
// It matches ErrNotFound and unwraps to the cause (a context error).
func notFoundError(ctx context.Context, c cid.Cid, start time.Time, cause error) error {
	within := time.Since(start)
	if dl, ok := ctx.Deadline(); ok {
		within = dl.Sub(start)
	}
	return &notFound{c: c, within: within.Round(time.Millisecond), cause: cause}
}

type notFound struct {
	c      cid.Cid
	within time.Duration
	cause  error
}

func (e *notFound) Error() string {
	msg := fmt.Sprintf("payload %s not found on any connected peer within %s", e.c, e.within)
	// A plain deadline says nothing the sentence does not; anything else
	// (Kubo's own message, say) is worth keeping.
	if !errors.Is(e.cause, context.DeadlineExceeded) {
		msg += ": " + e.cause.Error()
	}
	return msg
}

func (e *notFound) Is(target error) bool { return target == ErrNotFound }
func (e *notFound) Unwrap() error        { return e.cause }

// tooLargeError reports a payload over the cap; size < 0 means the size was
// only discovered while reading.
func tooLargeError(c cid.Cid, size, maxSize int64) error {
	if size < 0 {
		return fmt.Errorf("%w: payload %s exceeds %d bytes", ErrTooLarge, c, maxSize)
	}
	return fmt.Errorf("%w: payload %s is %d bytes, limit %d", ErrTooLarge, c, size, maxSize)
}

// readCapped reads r into a buffer pre-sized to the declared size (already
// known to be <= maxSize) and fails once more than maxSize bytes arrive, so a
// root that lies about its size cannot make us buffer more than the cap.
func readCapped(r io.Reader, c cid.Cid, declared, maxSize int64) ([]byte, error) {
	buf := make([]byte, 0, declared)
	w := sliceWriter{buf: buf}
	n, err := io.Copy(&w, io.LimitReader(r, maxSize+1))
	if err != nil {
		return nil, err
	}
	if n > maxSize {
		return nil, tooLargeError(c, -1, maxSize)
	}
	if n != declared {
		return nil, fmt.Errorf("store: payload %s: read %d bytes, root declares %d", c, n, declared)
	}
	return w.buf, nil
}

// sliceWriter is bytes.Buffer without its growth policy: bytes.Buffer would
// double past the exact capacity we already know.
type sliceWriter struct{ buf []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	return len(p), nil
}

func sortPins(pins []PinInfo) {
	sort.Slice(pins, func(i, j int) bool {
		if pins[i].Name != pins[j].Name {
			return pins[i].Name < pins[j].Name
		}
		return pins[i].CID.String() < pins[j].CID.String()
	})
}
