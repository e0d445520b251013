// Package store keeps the worker's artifact payloads in IPFS: it adds them
// as UnixFS files, fetches other workers' payloads by CID to verify them,
// and pins what must survive garbage collection.
//
// Two implementations satisfy [Store]:
//
//   - [Embedded] runs a boxo node inside the worker (leveldb datastore,
//     libp2p host, bitswap, pinner). It is the default because a validator
//     should not have to operate a second daemon to take part.
//   - [Kubo] talks to an operator's existing Kubo daemon over its RPC API,
//     with a handful of hand-written requests so the worker does not link
//     the Kubo module.
//
// Why the embedded node looks the way it does:
//
//   - The libp2p identity is the worker's on-chain node key. A producer
//     registers its peer ID and multiaddrs in x/identity, so a peer ID seen on
//     the wire can be checked against the chain, and no separate key has to be
//     backed up or announced.
//   - The chain's identity registry is the routing table. The worker feeds the
//     registered multiaddrs to [Embedded.SetPeers], which keeps those
//     connections up; bitswap then asks the connected producers directly. No
//     public bootstrap peers and no public DHT are used: the payloads are only
//     of interest to H3LIX workers, and a public DHT would add seconds of
//     lookup latency and a dependency on infrastructure nobody here runs. An
//     optional private DHT (protocol prefix /h3lix) covers peers that are not
//     registered yet.
//   - Every import uses the IPIP-499 unixfs-v1-2025 profile (CIDv1, sha2-256,
//     raw leaves, 1 MiB chunks, 1024 links per node), so the same bytes give
//     the same CID whether a worker runs the embedded node or Kubo; the CID is
//     what goes on chain.
//   - Fetched data is verified block by block against the CID (see
//     [Embedded.Get]) and capped in size before it is read, because payloads
//     come from other, untrusted producers.
//   - Metrics go to a registry of their own ([Embedded.Registry]): go-libp2p
//     and the boxo gateway otherwise register on prometheus.DefaultRegisterer,
//     which the Cosmos SDK and CometBFT telemetry share, and duplicate names
//     there panic or silently mix two subsystems.
//   - The gateway ([Embedded.Gateway]) is trustless and serves local blocks
//     only, so exposing it does not turn the worker into an open IPFS proxy.
//
// This package must not import any x/ module of the repository: it moves
// bytes, and what the bytes mean is the engine's business.
package store
