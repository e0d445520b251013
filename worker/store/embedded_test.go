package store_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/boxo/ipld/merkledag"
	"github.com/ipfs/boxo/ipld/unixfs"
	uio "github.com/ipfs/boxo/ipld/unixfs/io"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
	mh "github.com/multiformats/go-multihash"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/store"
)

// TestFetchBetweenNodes: A adds payloads of one block, exactly one chunk and
// several chunks; B, linked to A the way the worker links registered
// producers, does not have them, fetches them over bitswap byte for byte,
// and has them afterwards.
func TestFetchBetweenNodes(t *testing.T) {
	a, b := newNode(t), newNode(t)
	link(t, b, a)

	for _, size := range []int{1 * kib, 1 * mib, 3 * mib} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			data := randBytes(t, size)
			c, err := a.Add(timeout(t, 5*time.Second), bytes.NewReader(data), "p")
			require.NoError(t, err)

			has, err := b.Has(timeout(t, time.Second), c)
			require.NoError(t, err)
			require.False(t, has, "B must not have the payload before fetching")

			start := time.Now()
			got, err := b.Get(timeout(t, 10*time.Second), c, int64(size))
			require.NoError(t, err)
			t.Logf("fetched %d bytes in %s", size, time.Since(start))
			require.True(t, bytes.Equal(data, got), "payload differs")

			has, err = b.Has(timeout(t, time.Second), c)
			require.NoError(t, err)
			require.True(t, has)
		})
	}
}

// TestCIDShape checks what the unixfs-v1-2025 profile must produce, and
// golden CIDs that change if anyone changes the import parameters (those
// CIDs are what producers commit on chain).
func TestCIDShape(t *testing.T) {
	n := newNode(t)
	ctx := timeout(t, 10*time.Second)
	add := func(data []byte) cid.Cid {
		c, err := n.Add(ctx, bytes.NewReader(data), "")
		require.NoError(t, err)
		require.EqualValues(t, 1, c.Version())
		require.EqualValues(t, mh.SHA2_256, c.Prefix().MhType)
		return c
	}

	for _, size := range []int{0, 1, kib, mib} {
		c := add(randBytes(t, size))
		require.EqualValues(t, cid.Raw, c.Type(), "size %d: want a single raw leaf", size)
		require.True(t, strings.HasPrefix(c.String(), "bafkrei"), c.String())
	}
	for _, size := range []int{mib + 1, 3 * mib} {
		c := add(randBytes(t, size))
		require.EqualValues(t, cid.DagProtobuf, c.Type(), "size %d: want a dag-pb root", size)
		require.True(t, strings.HasPrefix(c.String(), "bafybei"), c.String())
	}

	// Golden CIDs, computed once with this profile. A small payload pins
	// CIDv1/raw/sha2-256; a deterministic 2.5 MiB one also pins the chunk
	// size and the balanced layout.
	require.Equal(t, "bafkreibwamhjlojpu5zosvab4prgfjki6cnelt2sx5j7wazb4epjurvpzi",
		add([]byte("H3LIX artifact payload\n")).String())
	big := make([]byte, 5*mib/2)
	for i := range big {
		big[i] = byte(i % 251)
	}
	require.Equal(t, "bafybeifinki7tqtym6homrgnvjpht4b3whugvhtbgejlxvsgdlevzn7b3a", add(big).String())
}

// TestProfileMatchesBoxo: the store spells the profile out as literals (so a
// boxo upgrade cannot move CIDs silently); they must still agree with
// boxo's definition of unixfs-v1-2025.
func TestProfileMatchesBoxo(t *testing.T) {
	p := uio.UnixFS_v1_2025
	require.Equal(t, 1, p.CIDVersion)
	require.EqualValues(t, mh.SHA2_256, p.MhType)
	require.EqualValues(t, mib, p.ChunkSize)
	require.Equal(t, 1024, p.FileDAGWidth)
	require.True(t, p.RawLeaves)
}

func TestGetSizeCap(t *testing.T) {
	a, b := newNode(t), newNode(t)
	link(t, b, a)
	ctx := timeout(t, 10*time.Second)

	c, err := a.Add(ctx, bytes.NewReader(randBytes(t, 3*mib)), "big")
	require.NoError(t, err)

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = b.Get(ctx, c, mib)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, store.ErrTooLarge)
	t.Logf("error: %v; allocated during Get: %d KiB", err, (after.TotalAlloc-before.TotalAlloc)/kib)
	// Only the root was fetched; nothing near 3 MiB was buffered (the bound
	// leaves room for other goroutines allocating meanwhile).
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(3*mib))

	has, err := b.Has(ctx, c)
	require.NoError(t, err)
	require.False(t, has, "the leaves must not have been fetched")

	// The cap is inclusive.
	c1, err := a.Add(ctx, bytes.NewReader(randBytes(t, mib)), "")
	require.NoError(t, err)
	_, err = b.Get(ctx, c1, mib)
	require.NoError(t, err)
	_, err = b.Get(ctx, c1, mib-1)
	require.ErrorIs(t, err, store.ErrTooLarge)
}

// TestGetSizeCapWhileReading: a producer can put any size in its root. The
// cap must hold while reading, too.
func TestGetSizeCapWhileReading(t *testing.T) {
	a, b := newNode(t), newNode(t)
	link(t, b, a)
	ctx := timeout(t, 10*time.Second)

	leaf := merkledag.NewRawNode(randBytes(t, mib))
	fsn := unixfs.NewFSNode(unixfs.TFile)
	fsn.AddBlockSize(100) // claims 100 bytes, links 1 MiB
	data, err := fsn.GetBytes()
	require.NoError(t, err)
	root := merkledag.NodeWithData(data)
	require.NoError(t, root.SetCidBuilder(cid.V1Builder{Codec: cid.DagProtobuf, MhType: mh.SHA2_256}))
	require.NoError(t, root.AddNodeLink("", leaf))
	require.NoError(t, a.PutNodeForTest(ctx, leaf))
	require.NoError(t, a.PutNodeForTest(ctx, root))

	_, err = b.Get(ctx, root.Cid(), 1000)
	require.ErrorIs(t, err, store.ErrTooLarge)
	// Under a generous cap the lie is still caught.
	_, err = b.Get(ctx, root.Cid(), 2*mib)
	require.Error(t, err)
	require.Contains(t, err.Error(), "declares 100")
}

func TestGetNotFound(t *testing.T) {
	a, b := newNode(t), newNode(t)
	link(t, b, a)

	c := absentCID(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := b.Get(ctx, c, mib)
	elapsed := time.Since(start)
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Contains(t, err.Error(), "not found on any connected peer within 300ms")
	require.Contains(t, err.Error(), c.String())
	require.Less(t, elapsed, time.Second, "Get must give up at the deadline")
	t.Logf("%v after %s", err, elapsed)
}

func TestPersistence(t *testing.T) {
	dir, key := t.TempDir(), testKey(t)
	a := newNodeAt(t, dir, key)
	ctx := timeout(t, 10*time.Second)
	id := a.PeerID()
	data := randBytes(t, 3*mib)
	c, err := a.Add(ctx, bytes.NewReader(data), "artifact-7")
	require.NoError(t, err)
	require.NoError(t, a.Close())

	a = newNodeAt(t, dir, key)
	require.Equal(t, id, a.PeerID())
	has, err := a.Has(ctx, c)
	require.NoError(t, err)
	require.True(t, has)
	pins, err := a.Pins(ctx)
	require.NoError(t, err)
	require.Equal(t, []store.PinInfo{{CID: c, Name: "artifact-7"}}, pins)
	got, err := a.Get(ctx, c, int64(len(data)))
	require.NoError(t, err)
	require.True(t, bytes.Equal(data, got))
}

func TestPinsAndGC(t *testing.T) {
	n := newNode(t)
	ctx := timeout(t, 10*time.Second)

	x, err := n.Add(ctx, bytes.NewReader(randBytes(t, 3*mib)), "x")
	require.NoError(t, err)
	y, err := n.Add(ctx, bytes.NewReader(randBytes(t, 5*mib/2)), "y") // 3 leaves + root
	require.NoError(t, err)
	z, err := n.Add(ctx, bytes.NewReader(randBytes(t, kib)), "a-first")
	require.NoError(t, err)

	pins, err := n.Pins(ctx)
	require.NoError(t, err)
	require.Equal(t, []store.PinInfo{{z, "a-first"}, {x, "x"}, {y, "y"}}, pins)

	// Nothing unpinned yet: GC removes nothing.
	removed, err := n.GC(ctx)
	require.NoError(t, err)
	require.Zero(t, removed)

	require.NoError(t, n.Unpin(ctx, y))
	require.ErrorIs(t, n.Unpin(ctx, y), store.ErrNotPinned)
	removed, err = n.GC(ctx)
	require.NoError(t, err)
	require.Equal(t, 4, removed)

	has, err := n.Has(ctx, y)
	require.NoError(t, err)
	require.False(t, has)
	for _, c := range []cid.Cid{x, z} {
		has, err := n.Has(ctx, c)
		require.NoError(t, err)
		require.True(t, has)
	}

	// Pin under a new name replaces the name; Pin of local data needs no
	// network.
	require.NoError(t, n.Pin(ctx, x, "x2"))
	pins, err = n.Pins(ctx)
	require.NoError(t, err)
	require.Equal(t, []store.PinInfo{{z, "a-first"}, {x, "x2"}}, pins)
}

// TestPinFetches: pinning a CID held by a peer fetches the whole DAG and
// protects it from GC.
func TestPinFetches(t *testing.T) {
	a, b := newNode(t), newNode(t)
	link(t, b, a)
	ctx := timeout(t, 10*time.Second)
	c, err := a.Add(ctx, bytes.NewReader(randBytes(t, 3*mib)), "")
	require.NoError(t, err)

	require.NoError(t, b.Pin(ctx, c, "verified"))
	removed, err := b.GC(ctx)
	require.NoError(t, err)
	require.Zero(t, removed)
	has, err := b.Has(ctx, c)
	require.NoError(t, err)
	require.True(t, has)

	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, b.Pin(short, absentCID(t), "x"), store.ErrNotFound)
}

func TestInvalidInputs(t *testing.T) {
	n := newNode(t)
	ctx := timeout(t, 5*time.Second)
	good, err := n.Add(ctx, bytes.NewReader([]byte("x")), "")
	require.NoError(t, err)

	md5, err := mh.Sum([]byte("x"), mh.MD5, -1)
	require.NoError(t, err)
	weak := cid.NewCidV1(cid.Raw, md5)

	_, err = n.Add(ctx, nil, "x")
	require.ErrorContains(t, err, "nil reader")

	for _, c := range []cid.Cid{cid.Undef, weak} {
		_, err = n.Get(ctx, c, 10)
		require.ErrorIs(t, err, store.ErrBadCID)
		_, err = n.Has(ctx, c)
		require.ErrorIs(t, err, store.ErrBadCID)
		require.ErrorIs(t, n.Pin(ctx, c, "x"), store.ErrBadCID)
		require.ErrorIs(t, n.Unpin(ctx, c), store.ErrBadCID)
	}
	for _, max := range []int64{0, -1} {
		_, err = n.Get(ctx, good, max)
		require.ErrorContains(t, err, "maxSize must be positive")
	}

	require.ErrorContains(t, n.Connect(ctx, peer.AddrInfo{}), "empty peer ID")
	require.ErrorContains(t, n.Connect(ctx, n.AddrInfo()), "cannot dial self")
	require.ErrorContains(t, n.SetPeers(ctx, []peer.AddrInfo{{}}), "empty peer ID")

	key := testKey(t)
	bad := append(ed25519.PrivateKey(nil), key...)
	bad[63] ^= 1 // public half no longer matches the seed
	for name, cfg := range map[string]store.EmbeddedConfig{
		"Dir is required":         {Identity: key},
		"32 bytes":                {Dir: t.TempDir(), Identity: key[:32]},
		"does not match the seed": {Dir: t.TempDir(), Identity: bad},
		"listen address":          {Dir: t.TempDir(), Identity: key, ListenAddrs: []string{"127.0.0.1:4001"}},
	} {
		_, err := store.NewEmbedded(ctx, cfg)
		require.ErrorContains(t, err, name)
	}
}

func TestSetPeersReplacesSet(t *testing.T) {
	a, b, c := newNode(t), newNode(t), newNode(t)
	ctx := timeout(t, 5*time.Second)
	link(t, a, b, c)
	require.Len(t, a.AddrInfo().Addrs, 1)
	require.ElementsMatch(t, []peer.ID{b.PeerID(), c.PeerID()}, a.ConnectedPeers())
	// An unreachable peer is reported but does not stop the rest.
	dead := newNode(t)
	deadInfo := dead.AddrInfo()
	require.NoError(t, dead.Close())
	err := a.SetPeers(ctx, []peer.AddrInfo{b.AddrInfo(), deadInfo})
	require.ErrorContains(t, err, deadInfo.ID.String())

	full, err := a.P2PAddrs()
	require.NoError(t, err)
	require.True(t, strings.HasSuffix(full[0].String(), "/p2p/"+a.PeerID().String()), full[0].String())
	require.False(t, strings.Contains(a.Addrs()[0].String(), "/p2p/"))
}

// TestDHTFindsProvider: C knows only B (its registry seed); A, linked to B
// too, adds a payload and provides it. C finds A through the /h3lix DHT
// on B and fetches from A.
func TestDHTFindsProvider(t *testing.T) {
	withDHT := func(c *store.EmbeddedConfig) { c.DHT = true }
	a, b, c := newNode(t, withDHT), newNode(t, withDHT), newNode(t, withDHT)
	link(t, a, b)
	link(t, c, b)
	ctx := timeout(t, 10*time.Second)

	data := randBytes(t, 2*mib)
	root, err := a.Add(ctx, bytes.NewReader(data), "")
	require.NoError(t, err)

	start := time.Now()
	got, err := c.Get(timeout(t, 5*time.Second), root, int64(len(data)))
	require.NoError(t, err)
	require.True(t, bytes.Equal(data, got))
	t.Logf("fetched via DHT in %s", time.Since(start))
}

// TestMetricsStayOffDefaultRegistry: everything the node registers lands in
// its own registry; the process-wide default (shared with the Cosmos SDK and
// CometBFT) gets nothing.
func TestMetricsStayOffDefaultRegistry(t *testing.T) {
	before := familyNames(t, prometheus.DefaultGatherer)
	a, b := newNode(t), newNode(t)
	link(t, b, a)
	ctx := timeout(t, 5*time.Second)
	c, err := a.Add(ctx, bytes.NewReader(randBytes(t, 2*mib)), "")
	require.NoError(t, err)
	_, err = b.Get(ctx, c, 2*mib)
	require.NoError(t, err)
	gw := a.Gateway(store.GatewayConfig{})
	serve(t, gw, "/ipfs/"+c.String()+"?format=car")

	require.Equal(t, before, familyNames(t, prometheus.DefaultGatherer))

	names := familyNames(t, a.Registry())
	for _, want := range []string{
		"h3lix_store_blocks_added_total",
		"h3lix_store_get_duration_seconds",
		"h3lix_store_bitswap_sent_bytes_total",
		"ipfs_http_gw_responses_total",
	} {
		require.Contains(t, names, want)
	}
	require.True(t, hasPrefix(names, "libp2p_"), "libp2p metrics missing: %v", names)

	bnames := familyNames(t, b.Registry())
	require.Contains(t, bnames, "h3lix_store_get_bytes_total")
}

func familyNames(t *testing.T, g prometheus.Gatherer) []string {
	t.Helper()
	mfs, err := g.Gather()
	require.NoError(t, err)
	var out []string
	for _, mf := range mfs {
		out = append(out, mf.GetName())
	}
	return out
}

func hasPrefix(names []string, p string) bool {
	for _, n := range names {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}

// TestIdleRSS logs the resident set of the process with one idle node. Run
// it alone for a meaningful number:
//
//	go test ./worker/store -run TestIdleRSS -v
func TestIdleRSS(t *testing.T) {
	rss := func() string {
		b, err := os.ReadFile("/proc/self/status")
		if err != nil {
			return "unknown"
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "VmRSS:") {
				return strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:"))
			}
		}
		return "unknown"
	}
	runtime.GC()
	base := rss()
	n := newNode(t)
	time.Sleep(2 * time.Second)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("VmRSS before node %s, with one idle node %s; heap in use %d MiB, goroutines %d, peer %s",
		base, rss(), ms.HeapInuse/mib, runtime.NumGoroutine(), n.PeerID())
}
