package store

import (
	"context"
	"crypto/ed25519"
	"crypto/subtle"
	"errors"
	"fmt"
	"sync"
	"time"

	bsnetwork "github.com/ipfs/boxo/bitswap/network"
	"github.com/ipfs/boxo/bitswap/network/bsnet"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/routing"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"
)

type contentDiscovery = routing.ContentDiscovery

const (
	// dhtProtocolPrefix keeps our DHT apart from the public Amino DHT (/ipfs).
	dhtProtocolPrefix = "/h3lix"

	// Connection manager watermarks, as Kubo picked for its own defaults. The
	// peers that matter (registered producers) are protected by the peering
	// service and never trimmed; the rest is a budget for everyone else.
	connLow   = 32
	connHigh  = 96
	connGrace = time.Minute

	// Resource manager budget; see newResourceManager.
	rcmgrMemory = 256 << 20
	rcmgrFDs    = 512

	provideTimeout    = 30 * time.Second
	reprovideInterval = 12 * time.Hour
)

// libp2pIdentity converts the on-chain node key. The 64-byte Go key carries
// its public half; it is checked against the seed so a corrupted key file
// cannot give a peer ID that differs from the registered public key.
func libp2pIdentity(k ed25519.PrivateKey) (crypto.PrivKey, error) {
	if len(k) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("store: identity must be a %d-byte ed25519 private key, got %d bytes", ed25519.PrivateKeySize, len(k))
	}
	if subtle.ConstantTimeCompare(ed25519.NewKeyFromSeed(k.Seed()), k) != 1 {
		return nil, errors.New("store: identity: public half does not match the seed")
	}
	priv, err := crypto.UnmarshalEd25519PrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("store: identity: %w", err)
	}
	return priv, nil
}

func newHost(priv crypto.PrivKey, listen []string, reg prometheus.Registerer) (host.Host, error) {
	for _, s := range listen {
		if _, err := ma.NewMultiaddr(s); err != nil {
			return nil, fmt.Errorf("store: listen address %q: %w", s, err)
		}
	}
	cm, err := connmgr.NewConnManager(connLow, connHigh, connmgr.WithGracePeriod(connGrace))
	if err != nil {
		return nil, fmt.Errorf("store: conn manager: %w", err)
	}
	rm, err := newResourceManager()
	if err != nil {
		return nil, err
	}
	h, err := libp2p.New(
		libp2p.Identity(priv),
		libp2p.ListenAddrStrings(listen...),
		// TCP and QUIC only: those are what producers register on chain.
		// The default set adds WebTransport and WebRTC listeners (and their
		// goroutines and memory) that nobody would dial.
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Transport(quic.NewTransport),
		// Workers dial each other directly; a relay would be someone else's
		// infrastructure in the data path.
		libp2p.DisableRelay(),
		libp2p.ConnectionManager(cm),
		libp2p.ResourceManager(rm),
		libp2p.PrometheusRegisterer(reg),
		libp2p.UserAgent("h3lix-worker"),
	)
	if err != nil {
		// libp2p.New closes rm itself when it fails.
		return nil, fmt.Errorf("store: libp2p host: %w", err)
	}
	return h, nil
}

// newResourceManager uses fixed limits: rcmgr.DefaultLimits (plus libp2p's
// per-service limits) scaled to a 256 MiB / 512 fd budget. libp2p's default
// autoscales to 1/8 of the machine's RAM and half of the fd limit, which on a
// validator host ignores the CometBFT node sharing the box and makes the
// worker's limits (and so when transfers stall on "resource limit exceeded")
// differ from machine to machine. The peer set is small — registered
// producers — so the scaled system limits (160 conns, ~384 MiB of stream
// buffers) leave room above the conn manager's high watermark (96).
func newResourceManager() (network.ResourceManager, error) {
	limits := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&limits)
	str, err := rcmgr.NewStatsTraceReporter()
	if err != nil {
		return nil, fmt.Errorf("store: resource manager: %w", err)
	}
	rm, err := rcmgr.NewResourceManager(
		rcmgr.NewFixedLimiter(limits.Scale(rcmgrMemory, rcmgrFDs)),
		rcmgr.WithTraceReporter(str),
	)
	if err != nil {
		return nil, fmt.Errorf("store: resource manager: %w", err)
	}
	return rm, nil
}

func newDHT(h host.Host, bootstrap func() []peer.AddrInfo) (*dht.IpfsDHT, error) {
	// Server mode: ModeAuto would stay a client on loopback and behind NAT,
	// and a private network with few nodes needs every node to answer.
	kad, err := dht.New(h,
		dht.Mode(dht.ModeServer),
		dht.ProtocolPrefix(dhtProtocolPrefix),
		dht.BootstrapPeersFunc(bootstrap),
	)
	if err != nil {
		return nil, fmt.Errorf("store: dht: %w", err)
	}
	return kad, nil
}

func newBitswapNetwork(h host.Host) bsnetwork.BitSwapNetwork {
	return bsnet.NewFromIpfsHost(h)
}

// PeerID is the node's libp2p peer ID, derived from the on-chain node key.
func (e *Embedded) PeerID() peer.ID { return e.host.ID() }

// Addrs returns the host's addresses without the /p2p/<id> suffix: the
// form that goes into the identity registry next to the peer ID.
func (e *Embedded) Addrs() []ma.Multiaddr { return e.host.Addrs() }

// AddrInfo returns the peer ID with its addresses, the form SetPeers takes.
func (e *Embedded) AddrInfo() peer.AddrInfo {
	return peer.AddrInfo{ID: e.host.ID(), Addrs: e.host.Addrs()}
}

// P2PAddrs returns the addresses with /p2p/<id> appended, ready to dial.
func (e *Embedded) P2PAddrs() ([]ma.Multiaddr, error) {
	ai := e.AddrInfo()
	return peer.AddrInfoToP2pAddrs(&ai)
}

// SetPeers makes peers the exact set of peers the node keeps connected
// (added ones are maintained, dropped ones are released) and dials them all
// once now. In H3LIX the caller passes the multiaddrs producers registered
// on chain.
//
// The immediate dial matters: the peering service waits about 5 s before its
// first attempt, and bitswap only asks peers it is connected to. Dial
// failures are returned joined, but the set is applied regardless; the
// peering service keeps retrying with back-off.
func (e *Embedded) SetPeers(ctx context.Context, peers []peer.AddrInfo) error {
	want := map[peer.ID]peer.AddrInfo{}
	for _, ai := range peers {
		if ai.ID == "" {
			return errors.New("store: SetPeers: empty peer ID")
		}
		if ai.ID == e.host.ID() {
			continue
		}
		prev := want[ai.ID]
		want[ai.ID] = peer.AddrInfo{ID: ai.ID, Addrs: append(prev.Addrs, ai.Addrs...)}
	}

	e.peersMu.Lock()
	for id := range e.peers {
		if _, ok := want[id]; !ok {
			e.peering.RemovePeer(id)
		}
	}
	for _, ai := range want {
		// Also protects the peer in the connection manager.
		e.peering.AddPeer(ai)
	}
	e.peers = want
	e.peersMu.Unlock()

	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for _, ai := range want {
		wg.Add(1)
		go func(ai peer.AddrInfo) {
			defer wg.Done()
			if err := e.host.Connect(ctx, ai); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("dial %s: %w", ai.ID, err))
				mu.Unlock()
			}
		}(ai)
	}
	wg.Wait()
	if e.kad != nil {
		// Refresh the routing table now that its seed peers are reachable.
		_ = e.kad.Bootstrap(e.life)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: SetPeers: %w", err)
	}
	return nil
}

func (e *Embedded) knownPeers() []peer.AddrInfo {
	e.peersMu.Lock()
	defer e.peersMu.Unlock()
	out := make([]peer.AddrInfo, 0, len(e.peers))
	for _, ai := range e.peers {
		out = append(out, ai)
	}
	return out
}

// ConnectedPeers lists the peers with an open connection, for health
// checks (how many registered producers can we reach right now).
func (e *Embedded) ConnectedPeers() []peer.ID { return e.host.Network().Peers() }

// Connect dials a peer once. The connection is not protected or
// maintained; use SetPeers for that.
func (e *Embedded) Connect(ctx context.Context, ai peer.AddrInfo) error {
	if ai.ID == "" {
		return errors.New("store: Connect: empty peer ID")
	}
	if ai.ID == e.host.ID() {
		return errors.New("store: Connect: cannot dial self")
	}
	if err := e.host.Connect(ctx, ai); err != nil {
		return fmt.Errorf("store: connect %s: %w", ai.ID, err)
	}
	return nil
}

// provide announces c on the private DHT, if there is one. It is
// best-effort: the payload is stored and pinned either way, and peers that
// know us from the registry ask us directly.
func (e *Embedded) provide(ctx context.Context, c cid.Cid) {
	if e.kad == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, provideTimeout)
	defer cancel()
	if err := e.kad.Provide(ctx, c, true); err != nil {
		log.Debugw("provide failed", "cid", c, "err", err)
	}
}

// reprovideLoop re-announces the pinned roots: DHT provider records expire
// after 48 h, and the payloads must stay findable as long as they are pinned.
func (e *Embedded) reprovideLoop() {
	defer e.wg.Done()
	t := time.NewTicker(reprovideInterval)
	defer t.Stop()
	for {
		select {
		case <-e.life.Done():
			return
		case <-t.C:
		}
		for sp := range e.pinner.RecursiveKeys(e.life, false) {
			if sp.Err == nil {
				e.provide(e.life, sp.Pin.Key)
			}
		}
	}
}
