package store_test

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// BenchmarkFetch1MiB: B fetches a fresh 1 MiB payload (one raw block) from A
// over bitswap on loopback TCP, already connected.
func BenchmarkFetch1MiB(b *testing.B) {
	a, c := newNode(b), newNode(b)
	link(b, c, a)
	ctx := context.Background()
	b.SetBytes(mib)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		root, err := a.Add(ctx, bytes.NewReader(randBytes(b, mib)), "")
		if err != nil {
			b.Fatal(err)
		}
		fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		b.StartTimer()
		if _, err := c.Get(fctx, root, mib); err != nil {
			b.Fatal(err)
		}
		cancel()
	}
}

// BenchmarkAdd1MiB: import and pin a fresh 1 MiB payload into leveldb.
func BenchmarkAdd1MiB(b *testing.B) {
	n := newNode(b)
	ctx := context.Background()
	b.SetBytes(mib)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		data := randBytes(b, mib)
		b.StartTimer()
		if _, err := n.Add(ctx, bytes.NewReader(data), "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
