package store

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ipfs/boxo/bitswap"
	"github.com/ipfs/boxo/blockservice"
	"github.com/ipfs/boxo/blockstore"
	chunk "github.com/ipfs/boxo/chunker"
	"github.com/ipfs/boxo/exchange/offline"
	"github.com/ipfs/boxo/gateway"
	"github.com/ipfs/boxo/ipld/merkledag"
	"github.com/ipfs/boxo/ipld/unixfs/importer/balanced"
	"github.com/ipfs/boxo/ipld/unixfs/importer/helpers"
	uio "github.com/ipfs/boxo/ipld/unixfs/io"
	"github.com/ipfs/boxo/peering"
	ipfspinner "github.com/ipfs/boxo/pinning/pinner"
	"github.com/ipfs/boxo/pinning/pinner/dspinner"
	"github.com/ipfs/go-cid"
	leveldb "github.com/ipfs/go-ds-leveldb"
	ipld "github.com/ipfs/go-ipld-format"
	logging "github.com/ipfs/go-log/v2"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/multiformats/go-multihash"
	"github.com/prometheus/client_golang/prometheus"
)

var log = logging.Logger("h3lix/store")

// EmbeddedConfig configures an in-process IPFS node.
type EmbeddedConfig struct {
	// Dir holds the leveldb datastore (blocks and pins). Required.
	Dir string
	// Identity is the worker's on-chain node key; the libp2p peer ID is
	// derived from it. Required.
	Identity ed25519.PrivateKey
	// ListenAddrs are libp2p multiaddrs (TCP or QUIC). Default
	// /ip4/127.0.0.1/tcp/0: a node is reachable from outside only when the
	// operator says so.
	ListenAddrs []string
	// DHT runs a private kad-dht (protocol prefix /h3lix, server mode) seeded
	// with the peers given to SetPeers, used to find providers of CIDs that no
	// connected peer has. Off by default: the chain registry is the routing
	// table.
	DHT bool
	// FetchTimeout bounds Get and Pin when the caller's context has no
	// deadline. Default 2 minutes.
	FetchTimeout time.Duration
}

// Embedded is an IPFS node running inside the worker process.
type Embedded struct {
	cfg EmbeddedConfig

	// life is cancelled by Close. Long-lived components (bitswap, DHT) get it
	// rather than the constructor's context, which may be short.
	life   context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	dstore  *leveldb.Datastore
	bstore  blockstore.Blockstore
	host    host.Host
	bswap   *bitswap.Bitswap
	kad     *dht.IpfsDHT // nil unless cfg.DHT
	dag     ipld.DAGService
	offDAG  ipld.DAGService // local blocks only: Has, GC
	pinner  ipfspinner.Pinner
	peering *peering.PeeringService
	gwBack  *gateway.BlocksBackend

	reg *prometheus.Registry
	m   *metrics

	// gcMu keeps GC from deleting blocks that an Add or Pin has written but
	// not pinned yet: they hold it shared, GC exclusively.
	gcMu sync.RWMutex

	peersMu sync.Mutex
	peers   map[peer.ID]peer.AddrInfo

	closeOnce sync.Once
	closeErr  error
}

var _ Store = (*Embedded)(nil)

// NewEmbedded opens (or creates) the datastore in cfg.Dir and starts the
// node. ctx bounds start-up only; the node lives until Close.
func NewEmbedded(ctx context.Context, cfg EmbeddedConfig) (_ *Embedded, err error) {
	if cfg.Dir == "" {
		return nil, errors.New("store: EmbeddedConfig.Dir is required")
	}
	if len(cfg.ListenAddrs) == 0 {
		cfg.ListenAddrs = []string{"/ip4/127.0.0.1/tcp/0"}
	}
	if cfg.FetchTimeout <= 0 {
		cfg.FetchTimeout = defaultFetchTimeout
	}
	priv, err := libp2pIdentity(cfg.Identity)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}

	e := &Embedded{cfg: cfg, reg: prometheus.NewRegistry(), peers: map[peer.ID]peer.AddrInfo{}}
	e.life, e.cancel = context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			_ = e.Close()
		}
	}()

	e.dstore, err = leveldb.NewDatastore(filepath.Join(cfg.Dir, "datastore"), nil)
	if err != nil {
		return nil, fmt.Errorf("store: open datastore in %s: %w", cfg.Dir, err)
	}
	// The identity store answers identity-hash CIDs from the CID itself, as
	// Kubo does, so they never hit the datastore or the network. The default
	// check-before-write stays on: Add writes the root twice (importer, then
	// pinner), and the check turns the second, synced write into a read.
	e.bstore = blockstore.NewIdStore(blockstore.NewBlockstore(e.dstore))

	if e.host, err = newHost(priv, cfg.ListenAddrs, e.reg); err != nil {
		return nil, err
	}

	// Bitswap must be listening before the first connection is made, so it
	// is created here, before SetPeers, the peering service or the DHT can
	// dial anyone.
	var bsOpts []bitswap.Option
	var finder contentDiscovery // stays a nil interface without the DHT
	if cfg.DHT {
		if e.kad, err = newDHT(e.host, e.knownPeers); err != nil {
			return nil, err
		}
		finder = e.kad
		// Default is 1 s before bitswap asks the router; our peers are few
		// and a DHT lookup on a small network is cheap.
		bsOpts = append(bsOpts, bitswap.ProviderSearchDelay(50*time.Millisecond))
	}
	e.bswap = bitswap.New(e.life, newBitswapNetwork(e.host), finder, e.bstore, bsOpts...)

	e.peering = peering.NewPeeringService(e.host)
	if err := e.peering.Start(); err != nil {
		return nil, fmt.Errorf("store: start peering: %w", err)
	}

	bserv := blockservice.New(e.bstore, e.bswap)
	e.dag = merkledag.NewDAGService(bserv)
	offServ := blockservice.New(e.bstore, offline.Exchange(e.bstore))
	e.offDAG = merkledag.NewDAGService(offServ)

	if e.pinner, err = dspinner.New(ctx, e.dstore, e.dag); err != nil {
		return nil, fmt.Errorf("store: open pinner: %w", err)
	}
	if e.gwBack, err = gateway.NewBlocksBackend(offServ); err != nil {
		return nil, fmt.Errorf("store: gateway backend: %w", err)
	}

	e.m = newMetrics(e.reg, e.bswap)
	if e.kad != nil {
		e.wg.Add(1)
		go e.reprovideLoop()
	}
	return e, nil
}

// Close stops the node and closes the datastore. It is safe to call twice.
func (e *Embedded) Close() error {
	e.closeOnce.Do(func() {
		e.cancel()
		var errs []error
		if e.peering != nil {
			e.peering.Stop()
		}
		if e.kad != nil {
			errs = append(errs, e.kad.Close())
		}
		if e.bswap != nil {
			errs = append(errs, e.bswap.Close())
		}
		if e.host != nil {
			errs = append(errs, e.host.Close())
		}
		e.wg.Wait()
		// The pinner must be closed before the datastore it writes to.
		if e.pinner != nil {
			errs = append(errs, e.pinner.Close())
		}
		if e.dstore != nil {
			errs = append(errs, e.dstore.Close())
		}
		e.closeErr = errors.Join(errs...)
	})
	return e.closeErr
}

// Add implements Store.
func (e *Embedded) Add(ctx context.Context, r io.Reader, name string) (cid.Cid, error) {
	if r == nil {
		return cid.Undef, errors.New("store: Add: nil reader")
	}
	e.gcMu.RLock()
	defer e.gcMu.RUnlock()

	// Buffer the writes: the blockstore then stores many blocks per leveldb
	// batch (one fsync) instead of one synced write per block.
	buf := ipld.NewBufferedDAG(ctx, countingAdder{DAGService: e.dag, m: e.m})
	params := helpers.DagBuilderParams{
		Maxlinks:   maxFileLinks,
		RawLeaves:  true,
		CidBuilder: cidBuilder,
		Dagserv:    buf,
	}
	db, err := params.New(chunk.NewSizeSplitter(r, chunkSize))
	if err != nil {
		return cid.Undef, fmt.Errorf("store: add: %w", err)
	}
	root, err := balanced.Layout(db)
	if err != nil {
		return cid.Undef, fmt.Errorf("store: add: %w", err)
	}
	if err := buf.Commit(); err != nil {
		return cid.Undef, fmt.Errorf("store: add: %w", err)
	}
	if err := e.pinner.Pin(ctx, root, true, name); err != nil {
		return cid.Undef, fmt.Errorf("store: pin %s: %w", root.Cid(), err)
	}
	e.provide(ctx, root.Cid())
	return root.Cid(), nil
}

// cidBuilder is the unixfs-v1-2025 CID prefix (CIDv1, dag-pb for inner
// nodes, sha2-256); raw leaves get codec raw from the importer.
var cidBuilder = cid.Prefix{Version: 1, Codec: cid.DagProtobuf, MhType: multihash.SHA2_256, MhLength: -1}

// Get implements Store.
//
// Verification: every block that arrives over the network is hashed before
// anyone sees it. Bitswap builds received blocks in
// bitswap/message.newMessageFromProto → NewWantlistBlock, which derives the
// CID from the bytes (prefix.Sum), so bytes that do not hash to a wanted CID
// never match a want and are dropped; blockservice.getBlock additionally
// refuses CIDs with weak or unknown hash functions (verifcid). Blocks
// already in our blockstore are trusted: only Add and verified fetches write
// them.
func (e *Embedded) Get(ctx context.Context, c cid.Cid, maxSize int64) ([]byte, error) {
	if err := validateGet(c, maxSize); err != nil {
		return nil, err
	}
	start := time.Now()
	ctx, cancel := withDefaultTimeout(ctx, e.cfg.FetchTimeout)
	defer cancel()

	data, err := e.get(ctx, c, maxSize)
	if err != nil && e.isFetchTimeout(ctx, err) {
		err = notFoundError(ctx, c, start, err)
	}
	e.m.observeGet(start, len(data), err)
	if err != nil {
		return nil, err
	}
	return data, nil
}

func (e *Embedded) get(ctx context.Context, c cid.Cid, maxSize int64) ([]byte, error) {
	// One session for the whole file: bitswap then asks the peers that had
	// the root for the leaves first instead of broadcasting every want.
	ng := merkledag.NewSession(ctx, e.dag)
	root, err := ng.Get(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("store: get %s: %w", c, err)
	}
	// NewDagReader reads the size from the root without fetching children.
	dr, err := uio.NewDagReader(ctx, root, ng)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotFile, c, err)
	}
	defer dr.Close()
	size := int64(dr.Size())
	if size > maxSize || size < 0 {
		return nil, tooLargeError(c, size, maxSize)
	}
	data, err := readCapped(dr, c, size, maxSize)
	if err != nil && !errors.Is(err, ErrTooLarge) {
		return nil, fmt.Errorf("store: get %s: %w", c, err)
	}
	return data, err
}

// isFetchTimeout tells a payload nobody served from other failures. Bitswap
// does not fail a want on its own; it waits until ctx ends.
func (e *Embedded) isFetchTimeout(ctx context.Context, err error) bool {
	if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrNotFile) {
		return false
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded)
}

// Has implements Store. It walks the DAG in the local blockstore only.
func (e *Embedded) Has(ctx context.Context, c cid.Cid) (bool, error) {
	if err := validateCID(c); err != nil {
		return false, err
	}
	err := e.walkLocal(ctx, c, cid.NewSet(), func(cid.Cid) {})
	switch {
	case err == nil:
		return true, nil
	case ipld.IsNotFound(err):
		return false, nil
	default:
		return false, fmt.Errorf("store: has %s: %w", c, err)
	}
}

// walkLocal calls onBlock for every block of the DAG under root, reading only
// the local blockstore, and fails with an ipld.ErrNotFound if one is missing.
// Raw leaves are checked with Has so their (1 MiB) bytes are not read.
func (e *Embedded) walkLocal(ctx context.Context, root cid.Cid, seen *cid.Set, onBlock func(cid.Cid)) error {
	stack := []cid.Cid{root}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !seen.Visit(c) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if c.Type() == cid.Raw {
			ok, err := e.bstore.Has(ctx, c)
			if err != nil {
				return err
			}
			if !ok {
				return ipld.ErrNotFound{Cid: c}
			}
			onBlock(c)
			continue
		}
		nd, err := e.offDAG.Get(ctx, c)
		if err != nil {
			return err
		}
		onBlock(c)
		for _, l := range nd.Links() {
			stack = append(stack, l.Cid)
		}
	}
	return nil
}

// Pin implements Store. Missing blocks are fetched from peers, bounded by
// ctx or FetchTimeout.
func (e *Embedded) Pin(ctx context.Context, c cid.Cid, name string) error {
	if err := validateCID(c); err != nil {
		return err
	}
	start := time.Now()
	ctx, cancel := withDefaultTimeout(ctx, e.cfg.FetchTimeout)
	defer cancel()
	e.gcMu.RLock()
	defer e.gcMu.RUnlock()

	err := func() error {
		root, err := e.dag.Get(ctx, c)
		if err != nil {
			return err
		}
		return e.pinner.Pin(ctx, root, true, name)
	}()
	if err != nil {
		if e.isFetchTimeout(ctx, err) {
			return notFoundError(ctx, c, start, err)
		}
		return fmt.Errorf("store: pin %s: %w", c, err)
	}
	return nil
}

// Unpin implements Store.
func (e *Embedded) Unpin(ctx context.Context, c cid.Cid) error {
	if err := validateCID(c); err != nil {
		return err
	}
	err := e.pinner.Unpin(ctx, c, true)
	if errors.Is(err, ipfspinner.ErrNotPinned) {
		return fmt.Errorf("%w: %s", ErrNotPinned, c)
	}
	if err != nil {
		return fmt.Errorf("store: unpin %s: %w", c, err)
	}
	return nil
}

// Pins implements Store. It lists recursive and direct pins.
func (e *Embedded) Pins(ctx context.Context) ([]PinInfo, error) {
	var out []PinInfo
	for _, ch := range []<-chan ipfspinner.StreamedPin{
		e.pinner.RecursiveKeys(ctx, true),
		e.pinner.DirectKeys(ctx, true),
	} {
		for sp := range ch {
			if sp.Err != nil {
				return nil, fmt.Errorf("store: list pins: %w", sp.Err)
			}
			out = append(out, PinInfo{CID: sp.Pin.Key, Name: sp.Pin.Name})
		}
	}
	sortPins(out)
	return out, nil
}

// GC implements Store. It marks every block reachable from a pin (walking
// local blocks only) and deletes the rest. If a pinned DAG is incomplete GC
// fails without deleting anything: the children of a missing node are
// unknown, so they cannot be told apart from garbage.
func (e *Embedded) GC(ctx context.Context) (int, error) {
	e.gcMu.Lock()
	defer e.gcMu.Unlock()

	// Blockstore keys are multihashes (AllKeysChan returns them as CIDv1
	// raw), so liveness is tracked by multihash, not by CID.
	keep := map[string]struct{}{}
	mark := func(c cid.Cid) { keep[string(c.Hash())] = struct{}{} }
	seen := cid.NewSet()
	for _, ch := range []<-chan ipfspinner.StreamedPin{
		e.pinner.RecursiveKeys(ctx, false),
		e.pinner.DirectKeys(ctx, false),
		e.pinner.InternalPins(ctx, false),
	} {
		for sp := range ch {
			if sp.Err != nil {
				return 0, fmt.Errorf("store: gc: list pins: %w", sp.Err)
			}
			if sp.Pin.Mode == ipfspinner.Direct {
				mark(sp.Pin.Key)
				continue
			}
			if err := e.walkLocal(ctx, sp.Pin.Key, seen, mark); err != nil {
				return 0, fmt.Errorf("store: gc: pinned DAG %s is incomplete, nothing deleted: %w", sp.Pin.Key, err)
			}
		}
	}

	keys, err := e.bstore.AllKeysChan(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: gc: %w", err)
	}
	var dead []cid.Cid
	for k := range keys {
		if _, ok := keep[string(k.Hash())]; !ok {
			dead = append(dead, k)
		}
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("store: gc: %w", err)
	}
	removed := 0
	for _, k := range dead {
		if err := e.bstore.DeleteBlock(ctx, k); err != nil {
			return removed, fmt.Errorf("store: gc: delete %s: %w", k, err)
		}
		removed++
	}
	return removed, nil
}

// countingAdder counts the blocks written by an import.
type countingAdder struct {
	ipld.DAGService
	m *metrics
}

func (a countingAdder) Add(ctx context.Context, nd ipld.Node) error {
	if err := a.DAGService.Add(ctx, nd); err != nil {
		return err
	}
	a.m.blocksAdded.Inc()
	return nil
}

func (a countingAdder) AddMany(ctx context.Context, nds []ipld.Node) error {
	if err := a.DAGService.AddMany(ctx, nds); err != nil {
		return err
	}
	a.m.blocksAdded.Add(float64(len(nds)))
	return nil
}
