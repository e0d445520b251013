// Command h3lix-loadtest measures committed transaction throughput of a
// running H3LIX validator for the round messages (commit, reveal, attest)
// against plain bank sends in the same run. It funds and registers its own
// worker accounts from a funded key in the node's test keyring, then sends
// each kind of transaction as fast as the node accepts them and times until
// the mempool has drained into blocks. Run it with `make bench-chain`.
//
// It talks to the chain through worker/chain, like the worker: the burst
// transactions are pre-signed with each account's local sequence, so the
// timed part is broadcasting and inclusion only.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/h3lix/h3lix/app/params"
	"github.com/h3lix/h3lix/worker/chain"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	"github.com/h3lix/h3lix/x/identity/client/nodekey"
)

// burstGas is the fixed gas of every pre-signed transaction: well above what
// any of them uses, so none runs out, and without a simulation per tx.
const burstGas = 400_000

type bench struct {
	ctx context.Context
	c   *chain.Client
}

func main() {
	var (
		home     = flag.String("home", "./.localnet/bench/node0", "validator home holding the funded key (test keyring)")
		node     = flag.String("node", "tcp://127.0.0.1:26657", "CometBFT RPC")
		grpcAddr = flag.String("grpc", "127.0.0.1:9090", "gRPC address")
		chainID  = flag.String("chain-id", "h3lix-local", "chain id")
		funder   = flag.String("from", "alice", "funded key in the test keyring")
		n        = flag.Int("accounts", 32, "worker accounts (each registers a node)")
		per      = flag.Int("txs", 8, "transactions per account and kind (commits need max_commits_per_node >= txs)")
	)
	flag.Parse()
	if err := run(*home, *node, *grpcAddr, *chainID, *funder, *n, *per); err != nil {
		fmt.Fprintln(os.Stderr, "h3lix-loadtest:", err)
		os.Exit(1)
	}
}

func run(home, node, grpcAddr, chainID, funder string, n, per int) error {
	ctx := context.Background()
	c, err := chain.Dial(chain.Config{ChainID: chainID, GRPC: grpcAddr, RPC: node, TxTimeout: time.Minute})
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.CheckChainID(ctx); err != nil {
		return err
	}
	b := &bench{ctx: ctx, c: c}

	kb, err := chain.OpenKeyring("test", home, nil)
	if err != nil {
		return err
	}
	fund, err := c.Signer(kb, funder)
	if err != nil {
		return fmt.Errorf("funder in %s: %w", home, err)
	}
	accts, err := workerAccounts(c, n)
	if err != nil {
		return err
	}

	each := sdk.NewCoins(sdk.NewCoin(params.BondDenom, sdkmath.NewInt(1_000_000_000)))
	outputs := make([]banktypes.Output, n)
	total := sdk.NewCoins()
	for i, a := range accts {
		outputs[i] = banktypes.Output{Address: a.Address().String(), Coins: each}
		total = total.Add(each...)
	}
	fmt.Printf("funding %d accounts from %s\n", n, funder)
	if _, err := fund.Submit(ctx, &banktypes.MsgMultiSend{Inputs: []banktypes.Input{{Address: fund.Address().String(), Coins: total}}, Outputs: outputs}); err != nil {
		return fmt.Errorf("funding: %w", err)
	}

	fmt.Printf("registering %d nodes\n", n)
	regs := make([]sdk.Msg, n)
	for i, a := range accts {
		key, err := nodeKey(i)
		if err != nil {
			return err
		}
		regs[i] = a.RegisterMsg(chain.Registration{Key: key, Worker: true, Verifier: true, EngineKind: "pbe",
			Bond: sdk.NewCoin(params.BondDenom, sdkmath.NewInt(10_000_000))})
	}
	if _, err := b.burst("register", accts, 1, func(i, _ int) sdk.Msg { return regs[i] }); err != nil {
		return err
	}

	results := []result{}
	r, err := b.burst("bank send", accts, per, func(i, _ int) sdk.Msg {
		return banktypes.NewMsgSend(accts[i].Address(), fund.Address(), sdk.NewCoins(sdk.NewCoin(params.BondDenom, sdkmath.NewInt(1))))
	})
	if err != nil {
		return err
	}
	results = append(results, r)

	ap, err := c.ArtifactParams(ctx)
	if err != nil {
		return err
	}
	round, err := b.waitPhase(chain.PhaseCommit, 8)
	if err != nil {
		return err
	}
	type opened struct {
		cid  string
		salt []byte
		data []byte
	}
	cids := make([][]opened, n)
	r, err = b.burst("commit", accts, per, func(i, j int) sdk.Msg {
		data := []byte(fmt.Sprintf("loadtest artifact %d/%d round %d", i, j, round.Id))
		id, _ := artifacttypes.RawCID(data)
		salt := sha256.Sum256(data)
		cids[i] = append(cids[i], opened{id, salt[:], data})
		producer := accts[i].Address()
		return &artifacttypes.MsgCommitArtifact{Producer: producer.String(), Round: round.Id, Commitment: artifacttypes.Commitment(mustCIDBytes(id), salt[:], producer)}
	})
	if err != nil {
		return err
	}
	results = append(results, r)

	ids := make([][]uint64, n)
	for i, a := range accts {
		arts, err := c.ArtifactsOf(ctx, a.Address().String(), round.Id)
		if err != nil {
			return err
		}
		for _, art := range arts {
			ids[i] = append(ids[i], art.Id)
		}
	}
	if _, err := b.waitPhase(chain.PhaseReveal, 4); err != nil {
		return err
	}
	r, err = b.burst("reveal", accts, per, func(i, j int) sdk.Msg {
		emb := make([]byte, ap.EmbeddingDim)
		for k := range emb {
			emb[k] = byte(10 + (i+k)%3)
		}
		o := cids[i][j]
		return &artifacttypes.MsgRevealArtifact{Producer: accts[i].Address().String(), ArtifactId: ids[i][j], Cid: o.cid, Salt: o.salt,
			Manifest: chain.Manifest{Kind: "pbe.program", Domain: artifacttypes.DefaultDomain, Embedding: emb, ConfidencePpm: 900_000,
				PayloadSize: uint64(len(o.data)), ChunkRoot: chain.ChunkRoot(o.data)}}
	})
	if err != nil {
		return err
	}
	results = append(results, r)

	round, err = b.waitPhase(chain.PhaseAttest, 4)
	if err != nil {
		return err
	}
	for round.Seed == nil { // the validators' beacon draws it a block into the phase
		time.Sleep(200 * time.Millisecond)
		rs, err := c.CurrentRound(ctx)
		if err != nil {
			return err
		}
		round = rs.Round
	}
	payloads := map[string][]byte{}
	for _, list := range cids {
		for _, o := range list {
			payloads[o.cid] = o.data
		}
	}
	assigned := make([][]uint64, n)
	for i, a := range accts {
		if assigned[i], err = c.Assignments(ctx, round.Id, a.Address().String()); err != nil {
			return err
		}
	}
	perAttest := per * 3
	for _, a := range assigned {
		perAttest = min(perAttest, len(a))
	}
	// Seal every verdict with its proof of retrieval before the burst, so the
	// burst measures the chain, not the hashing.
	sealed := make([][]chain.Attestation, n)
	opens := make([][]chain.Disclosure, n)
	for i := range accts {
		for _, id := range assigned[i][:perAttest] {
			a, err := c.Artifact(ctx, id)
			if err != nil {
				return err
			}
			in, d, _, err := chain.Seal(a, accts[i].Address(), round.Seed, chain.VerdictValid, 800_000, payloads[a.Cid])
			if err != nil {
				return err
			}
			sealed[i], opens[i] = append(sealed[i], in), append(opens[i], d)
		}
	}
	r, err = b.burst("attest", accts, perAttest, func(i, j int) sdk.Msg {
		return &artifacttypes.MsgAttest{Verifier: accts[i].Address().String(), Attestations: []chain.Attestation{sealed[i][j]}}
	})
	if err != nil {
		return err
	}
	results = append(results, r)

	if _, err := b.waitPhase(chain.PhaseDisclose, 2); err != nil {
		return err
	}
	r, err = b.burst("disclose", accts, perAttest, func(i, j int) sdk.Msg {
		return &artifacttypes.MsgDisclose{Verifier: accts[i].Address().String(), Disclosures: []chain.Disclosure{opens[i][j]}}
	})
	if err != nil {
		return err
	}
	results = append(results, r)
	report(results)
	return nil
}

// workerAccounts puts n deterministic secp256k1 accounts into a memory
// keyring, so every run funds and registers the same addresses, and returns
// a signer for each.
func workerAccounts(c *chain.Client, n int) ([]*chain.Signer, error) {
	kr, err := chain.OpenKeyring("memory", "", nil)
	if err != nil {
		return nil, err
	}
	out := make([]*chain.Signer, n)
	for i := range out {
		seed := sha256.Sum256([]byte(fmt.Sprintf("h3lix-loadtest-%d", i)))
		name := fmt.Sprintf("worker-%d", i)
		if err := kr.ImportPrivKeyHex(name, hex.EncodeToString(secp256k1.GenPrivKeyFromSecret(seed[:]).Key), string(hd.Secp256k1Type)); err != nil {
			return nil, fmt.Errorf("importing %s: %w", name, err)
		}
		if out[i], err = c.Signer(kr, name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// nodeKey is account i's deterministic node key.
func nodeKey(i int) (chain.NodeKey, error) {
	seed := sha256.Sum256([]byte(fmt.Sprintf("h3lix-loadtest-node-%d", i)))
	return nodekey.FromPrivate(ed25519.NewKeyFromSeed(seed[:]))
}

type result struct {
	kind    string
	txs, ok int
	seconds float64
}

func (r result) tps() float64 { return float64(r.ok) / r.seconds }

func report(rs []result) {
	base := rs[0].tps()
	fmt.Println()
	fmt.Println("| tx kind | txs | committed ok | seconds | committed tx/s | ratio to bank send |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, r := range rs {
		fmt.Printf("| %s | %d | %d | %.2f | %.1f | %.2f× |\n", r.kind, r.txs, r.ok, r.seconds, r.tps(), r.tps()/base)
	}
}

// burst signs per transactions for every account, broadcasts them round-robin
// as fast as CheckTx accepts them, and waits until the mempool is empty.
func (b *bench) burst(kind string, accts []*chain.Signer, per int, mk func(i, j int) sdk.Msg) (result, error) {
	var txs [][]byte
	for j := 0; j < per; j++ {
		for i, a := range accts {
			bz, err := a.Sign(b.ctx, burstGas, mk(i, j))
			if err != nil {
				return result{}, err
			}
			txs = append(txs, bz)
		}
	}
	start := time.Now()
	hashes := make([]string, 0, len(txs))
	for _, bz := range txs {
		h, err := b.c.BroadcastSync(b.ctx, bz)
		if err != nil {
			return result{}, fmt.Errorf("%s: %w", kind, err)
		}
		hashes = append(hashes, h)
	}
	if err := b.drain(); err != nil {
		return result{}, err
	}
	elapsed := time.Since(start).Seconds()
	ok := 0
	var firstErr string
	for _, h := range hashes {
		// The tx indexer runs after the commit: WaitTx covers the gap.
		_, err := b.c.WaitTx(b.ctx, h)
		var te *chain.TxError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &te) && te.Stage == "deliver":
			if firstErr == "" {
				firstErr = te.Log
			}
		default:
			return result{}, err
		}
	}
	fmt.Printf("%-10s %5d txs, %5d ok in %.2fs: %.1f tx/s\n", kind, len(txs), ok, elapsed, float64(ok)/elapsed)
	if firstErr != "" {
		fmt.Printf("           first failure: %s\n", firstErr)
	}
	return result{kind: kind, txs: len(txs), ok: ok, seconds: elapsed}, nil
}

// drain waits until the node's mempool is empty: every accepted tx is in a block.
func (b *bench) drain() error {
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		n, err := b.c.PendingTxs(b.ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("mempool did not drain in 5 minutes")
}

// waitPhase waits for the given phase of a round with at least room blocks left in it.
func (b *bench) waitPhase(phase chain.Phase, room int64) (chain.Round, error) {
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		rs, err := b.c.CurrentRound(b.ctx)
		if err == nil && rs.Phase == phase {
			end := chain.PhaseEnd(rs.Round, phase)
			if end-rs.Height > room {
				return rs.Round, nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return chain.Round{}, fmt.Errorf("no %s phase with %d blocks to spare within 10 minutes", phase, room)
}

func mustCIDBytes(c string) []byte {
	cc, _, err := artifacttypes.ParseCID(c, []uint64{artifacttypes.CodecRaw})
	if err != nil {
		panic(err)
	}
	return cc.Bytes()
}
