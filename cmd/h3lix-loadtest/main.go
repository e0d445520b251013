// Command h3lix-loadtest measures committed transaction throughput of a
// running H3LIX validator for the round messages (commit, reveal, attest)
// against plain bank sends in the same run. It funds and registers its own
// worker accounts from a funded key in the node's test keyring, then sends
// each kind of transaction as fast as the node accepts them and times until
// the mempool has drained into blocks. Run it with `make bench-chain`.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	dbm "github.com/cosmos/cosmos-db"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"cosmossdk.io/log/v2"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/crypto"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/h3lix/h3lix/app"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	"github.com/h3lix/h3lix/x/identity/client/nodekey"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
)

type account struct {
	priv cryptotypes.PrivKey
	addr sdk.AccAddress
	num  uint64
	seq  uint64
}

type bench struct {
	ctx     context.Context
	rpc     *rpchttp.HTTP
	conn    *grpc.ClientConn
	txCfg   client.TxConfig
	chainID string
	rng     *rand.Rand
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
	app.SetConfig()
	tempApp := app.New(log.NewNopLogger(), dbm.NewMemDB(), simtestutil.EmptyAppOptions{})
	rpc, err := rpchttp.New(node, "/websocket")
	if err != nil {
		return err
	}
	conn, err := grpc.NewClient(grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	b := &bench{ctx: context.Background(), rpc: rpc, conn: conn, txCfg: tempApp.TxConfig(), chainID: chainID, rng: rand.New(rand.NewSource(1))}

	kb, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, home, nil, tempApp.AppCodec())
	if err != nil {
		return err
	}
	armor, err := kb.ExportPrivKeyArmor(funder, "loadtest")
	if err != nil {
		return fmt.Errorf("key %q in %s: %w", funder, home, err)
	}
	fpriv, _, err := crypto.UnarmorDecryptPrivKey(armor, "loadtest")
	if err != nil {
		return err
	}
	fund := &account{priv: fpriv, addr: sdk.AccAddress(fpriv.PubKey().Address())}
	if err := b.loadAccount(fund); err != nil {
		return err
	}

	accts := make([]*account, n)
	outputs := make([]banktypes.Output, n)
	each := sdk.NewCoins(sdk.NewCoin(app.BondDenom, sdkmath.NewInt(1_000_000_000)))
	for i := range accts {
		seed := sha256.Sum256([]byte(fmt.Sprintf("h3lix-loadtest-%d", i)))
		p := secp256k1.GenPrivKeyFromSecret(seed[:])
		accts[i] = &account{priv: p, addr: sdk.AccAddress(p.PubKey().Address())}
		outputs[i] = banktypes.Output{Address: accts[i].addr.String(), Coins: each}
	}
	total := sdk.NewCoins()
	for range accts {
		total = total.Add(each...)
	}
	fmt.Printf("funding %d accounts from %s\n", n, funder)
	hash, err := b.send(fund, &banktypes.MsgMultiSend{Inputs: []banktypes.Input{{Address: fund.addr.String(), Coins: total}}, Outputs: outputs})
	if err != nil {
		return err
	}
	if err := b.waitTx(hash); err != nil {
		return fmt.Errorf("funding: %w", err)
	}
	for _, a := range accts {
		if err := b.loadAccount(a); err != nil {
			return err
		}
	}
	fmt.Printf("registering %d nodes\n", n)
	regs := make([]sdk.Msg, n)
	for i, a := range accts {
		if regs[i], err = registerMsg(chainID, a.addr, i); err != nil {
			return err
		}
	}
	if _, err := b.burst("register", accts, 1, func(i, _ int) sdk.Msg { return regs[i] }); err != nil {
		return err
	}

	results := []result{}
	r, err := b.burst("bank send", accts, per, func(i, _ int) sdk.Msg {
		return banktypes.NewMsgSend(accts[i].addr, fund.addr, sdk.NewCoins(sdk.NewCoin(app.BondDenom, sdkmath.NewInt(1))))
	})
	if err != nil {
		return err
	}
	results = append(results, r)

	round, err := b.waitPhase(ccftypes.PHASE_COMMIT, 8)
	if err != nil {
		return err
	}
	type opened struct {
		cid  string
		salt []byte
	}
	cids := make([][]opened, n)
	r, err = b.burst("commit", accts, per, func(i, j int) sdk.Msg {
		data := []byte(fmt.Sprintf("loadtest artifact %d/%d round %d", i, j, round.Id))
		c, _ := artifacttypes.RawCID(data)
		salt := sha256.Sum256(data)
		cids[i] = append(cids[i], opened{c, salt[:]})
		cidBytes := mustCIDBytes(c)
		return &artifacttypes.MsgCommitArtifact{Producer: accts[i].addr.String(), Round: round.Id, Commitment: artifacttypes.Commitment(cidBytes, salt[:], accts[i].addr)}
	})
	if err != nil {
		return err
	}
	results = append(results, r)

	ids, err := b.artifactIDs(accts)
	if err != nil {
		return err
	}
	if _, err := b.waitPhase(ccftypes.PHASE_REVEAL, 4); err != nil {
		return err
	}
	r, err = b.burst("reveal", accts, per, func(i, j int) sdk.Msg {
		emb := make([]byte, 64)
		for k := range emb {
			emb[k] = byte(10 + (i+k)%3)
		}
		return &artifacttypes.MsgRevealArtifact{Producer: accts[i].addr.String(), ArtifactId: ids[i][j], Cid: cids[i][j].cid, Salt: cids[i][j].salt,
			Manifest: artifacttypes.Manifest{Kind: "pbe.program", Domain: "strings", Embedding: emb, ConfidencePpm: 900_000, PayloadSize: 64}}
	})
	if err != nil {
		return err
	}
	results = append(results, r)

	if _, err := b.waitPhase(ccftypes.PHASE_ATTEST, 4); err != nil {
		return err
	}
	assigned, err := b.assignments(round.Id, accts)
	if err != nil {
		return err
	}
	perAttest := per * 3
	for _, a := range assigned {
		perAttest = min(perAttest, len(a))
	}
	r, err = b.burst("attest", accts, perAttest, func(i, j int) sdk.Msg {
		return &artifacttypes.MsgAttest{Verifier: accts[i].addr.String(), Attestations: []artifacttypes.AttestationInput{
			{ArtifactId: assigned[i][j], Verdict: artifacttypes.VERDICT_VALID, QualityPpm: 800_000}}}
	})
	if err != nil {
		return err
	}
	results = append(results, r)
	report(results)
	return nil
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
func (b *bench) burst(kind string, accts []*account, per int, mk func(i, j int) sdk.Msg) (result, error) {
	var txs [][]byte
	for j := 0; j < per; j++ {
		for i, a := range accts {
			bz, err := b.sign(a, mk(i, j))
			if err != nil {
				return result{}, err
			}
			txs = append(txs, bz)
		}
	}
	start := time.Now()
	var hashes [][]byte
	for _, bz := range txs {
		res, err := b.rpc.BroadcastTxSync(b.ctx, bz)
		if err != nil {
			return result{}, err
		}
		if res.Code != 0 {
			return result{}, fmt.Errorf("%s: CheckTx code %d: %s", kind, res.Code, res.Log)
		}
		hashes = append(hashes, res.Hash)
	}
	if err := b.drain(); err != nil {
		return result{}, err
	}
	elapsed := time.Since(start).Seconds()
	ok := 0
	var firstErr string
	for _, h := range hashes {
		// The tx indexer runs after the commit: retry briefly.
		res, err := b.rpc.Tx(b.ctx, h, false)
		for try := 0; err != nil && try < 100; try++ {
			time.Sleep(50 * time.Millisecond)
			res, err = b.rpc.Tx(b.ctx, h, false)
		}
		if err != nil {
			return result{}, err
		}
		if res.TxResult.Code == 0 {
			ok++
		} else if firstErr == "" {
			firstErr = res.TxResult.Log
		}
	}
	fmt.Printf("%-10s %5d txs, %5d ok in %.2fs: %.1f tx/s\n", kind, len(txs), ok, elapsed, float64(ok)/elapsed)
	if firstErr != "" {
		fmt.Printf("           first failure: %s\n", firstErr)
	}
	return result{kind: kind, txs: len(txs), ok: ok, seconds: elapsed}, nil
}

func (b *bench) send(a *account, msg sdk.Msg) ([]byte, error) {
	bz, err := b.sign(a, msg)
	if err != nil {
		return nil, err
	}
	res, err := b.rpc.BroadcastTxSync(b.ctx, bz)
	if err != nil {
		return nil, err
	}
	if res.Code != 0 {
		return nil, fmt.Errorf("CheckTx code %d: %s", res.Code, res.Log)
	}
	return res.Hash, nil
}

func (b *bench) sign(a *account, msg sdk.Msg) ([]byte, error) {
	gas := uint64(400_000)
	if ms, ok := msg.(*banktypes.MsgMultiSend); ok {
		gas += uint64(len(ms.Outputs)) * 60_000
	}
	tx, err := simtestutil.GenSignedMockTx(b.rng, b.txCfg, []sdk.Msg{msg}, sdk.NewCoins(), gas, b.chainID, []uint64{a.num}, []uint64{a.seq}, a.priv)
	if err != nil {
		return nil, err
	}
	a.seq++
	return b.txCfg.TxEncoder()(tx)
}

// waitTx waits until the tx is in a block and succeeded.
func (b *bench) waitTx(hash []byte) error {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		res, err := b.rpc.Tx(b.ctx, hash, false)
		if err == nil {
			if res.TxResult.Code != 0 {
				return fmt.Errorf("tx failed: %s", res.TxResult.Log)
			}
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("tx %X not in a block after a minute", hash)
}

// drain waits until the node's mempool is empty: every accepted tx is in a block.
func (b *bench) drain() error {
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		res, err := b.rpc.NumUnconfirmedTxs(b.ctx)
		if err != nil {
			return err
		}
		if res.Total == 0 {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("mempool did not drain in 5 minutes")
}

func (b *bench) loadAccount(a *account) error {
	res, err := authtypes.NewQueryClient(b.conn).AccountInfo(b.ctx, &authtypes.QueryAccountInfoRequest{Address: a.addr.String()})
	if err != nil {
		return fmt.Errorf("account %s: %w", a.addr, err)
	}
	a.num, a.seq = res.Info.AccountNumber, res.Info.Sequence
	return nil
}

// waitPhase waits for the given phase of a round with at least room blocks left in it.
func (b *bench) waitPhase(phase ccftypes.Phase, room int64) (ccftypes.Round, error) {
	q := ccftypes.NewQueryClient(b.conn)
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		res, err := q.CurrentRound(b.ctx, &ccftypes.QueryCurrentRoundRequest{})
		if err == nil && res.Phase == phase {
			end := map[ccftypes.Phase]int64{ccftypes.PHASE_COMMIT: res.Round.RevealStart, ccftypes.PHASE_REVEAL: res.Round.AttestStart, ccftypes.PHASE_ATTEST: res.Round.FinalizeStart}[phase]
			if end-res.Height > room {
				return res.Round, nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return ccftypes.Round{}, fmt.Errorf("no %s phase with %d blocks to spare within 10 minutes", phase, room)
}

func (b *bench) artifactIDs(accts []*account) ([][]uint64, error) {
	q := artifacttypes.NewQueryClient(b.conn)
	out := make([][]uint64, len(accts))
	for i, a := range accts {
		res, err := q.ArtifactsByNode(b.ctx, &artifacttypes.QueryArtifactsByNodeRequest{Producer: a.addr.String()})
		if err != nil {
			return nil, err
		}
		for _, art := range res.Artifacts {
			out[i] = append(out[i], art.Id)
		}
	}
	return out, nil
}

func (b *bench) assignments(round uint64, accts []*account) ([][]uint64, error) {
	q := artifacttypes.NewQueryClient(b.conn)
	out := make([][]uint64, len(accts))
	for i, a := range accts {
		res, err := q.Assignments(b.ctx, &artifacttypes.QueryAssignmentsRequest{Round: round, Verifier: a.addr.String()})
		if err != nil {
			return nil, err
		}
		out[i] = res.ArtifactIds
	}
	return out, nil
}

func mustCIDBytes(c string) []byte {
	cc, _, err := artifacttypes.ParseCID(c, []uint64{artifacttypes.CodecRaw})
	if err != nil {
		panic(err)
	}
	return cc.Bytes()
}

// registerMsg registers account i's node with a deterministic node key.
func registerMsg(chainID string, operator sdk.AccAddress, i int) (*identitytypes.MsgRegisterNode, error) {
	seed := sha256.Sum256([]byte(fmt.Sprintf("h3lix-loadtest-node-%d", i)))
	key, err := nodekey.FromPrivate(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		return nil, err
	}
	return &identitytypes.MsgRegisterNode{
		Operator: operator.String(), NodePubkey: key.Public(), KeySignature: key.SignPoP(chainID, operator),
		Roles:  []identitytypes.Role{identitytypes.ROLE_WORKER, identitytypes.ROLE_VERIFIER},
		Engine: identitytypes.EngineDescriptor{Kind: "pbe"}, Bond: sdk.NewCoin(app.BondDenom, sdkmath.NewInt(10_000_000)),
	}, nil
}
