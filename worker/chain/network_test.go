package chain_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/h3lix/h3lix/app"
	"github.com/h3lix/h3lix/testutil/network"
	"github.com/h3lix/h3lix/worker/chain"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
)

// The package shares one single-validator network: the SDK allows one per
// process, and starting it is most of the package's run time. It starts on
// the first test that needs it, so `-run Fuzz` and -short never pay for it.
var (
	netOnce sync.Once
	netErr  error
	shared  *testChain
)

// Funded accounts of the memory keyring, one per test that sends, so the
// tests can run in parallel without sharing a sequence.
const (
	keyProducer   = "producer"
	keyVerifier   = "verifier"
	keyRegistrant = "registrant"
	keySigner     = "signer"
	keySpender    = "spender"
	keyBroke      = "broke" // never funded
)

// Phase lengths of the test chain: short enough that a commit, a reveal and
// an attestation fit in one ~10 s round, long enough that a tx sent with two
// blocks to spare lands in the phase it was meant for.
const commitBlocks, revealBlocks, attestBlocks = 6, 5, 5

type testChain struct {
	net     *network.Network
	cfg     chain.Config
	client  *chain.Client
	valKR   keyring.Keyring
	valName string
	valAddr sdk.AccAddress
	kr      keyring.Keyring
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.client.Close()
		shared.net.Cleanup()
		os.RemoveAll(shared.net.BaseDir)
	}
	os.Exit(code)
}

// startChain returns the shared network, starting it on first use.
func startChain(t *testing.T) *testChain {
	t.Helper()
	if testing.Short() {
		t.Skip("starts an in-process validator")
	}
	netOnce.Do(func() { shared, netErr = newTestChain() })
	if netErr != nil {
		t.Fatalf("starting the test network: %v", netErr)
	}
	return shared
}

type quietLogger struct{}

func (quietLogger) Log(...any)          {}
func (quietLogger) Logf(string, ...any) {}

func newTestChain() (*testChain, error) {
	cfg := network.DefaultConfig(1)
	var ccfGen ccftypes.GenesisState
	cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[ccftypes.ModuleName], &ccfGen)
	ccfGen.Params.CommitBlocks, ccfGen.Params.RevealBlocks, ccfGen.Params.AttestBlocks = commitBlocks, revealBlocks, attestBlocks
	if err := ccfGen.Validate(); err != nil {
		return nil, err
	}
	cfg.GenesisState[ccftypes.ModuleName] = cfg.Codec.MustMarshalJSON(&ccfGen)

	dir, err := os.MkdirTemp("", "h3lix-chain-test-")
	if err != nil {
		return nil, err
	}
	net, err := network.New(quietLogger{}, dir, cfg)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	tc := &testChain{net: net}
	ok := false
	defer func() {
		if !ok {
			net.Cleanup()
			os.RemoveAll(dir)
		}
	}()
	if _, err := net.WaitForHeight(2); err != nil {
		return nil, err
	}
	val := net.Validators[0]
	tc.valKR, tc.valName, tc.valAddr = val.ClientCtx.Keyring, val.Moniker, val.Address
	tc.cfg = chain.Config{ChainID: cfg.ChainID, GRPC: val.AppConfig.GRPC.Address, RPC: val.RPCAddress, TxTimeout: 30 * time.Second}
	if tc.client, err = chain.Dial(tc.cfg); err != nil {
		return nil, err
	}

	if tc.kr, err = chain.OpenKeyring("memory", "", nil); err != nil {
		return nil, err
	}
	each := sdk.NewCoins(sdk.NewCoin(app.BondDenom, sdkmath.NewInt(50_000_000)))
	var outputs []banktypes.Output
	total := sdk.NewCoins()
	for _, name := range []string{keyProducer, keyVerifier, keyRegistrant, keySigner, keySpender, keyBroke} {
		rec, _, err := tc.kr.NewMnemonic(name, keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
		if err != nil {
			return nil, err
		}
		if name == keyBroke {
			continue
		}
		addr, err := rec.GetAddress()
		if err != nil {
			return nil, err
		}
		outputs = append(outputs, banktypes.Output{Address: addr.String(), Coins: each})
		total = total.Add(each...)
	}
	funder, err := tc.client.Signer(tc.valKR, tc.valName)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := funder.Submit(ctx, &banktypes.MsgMultiSend{
		Inputs: []banktypes.Input{{Address: tc.valAddr.String(), Coins: total}}, Outputs: outputs,
	}); err != nil {
		return nil, fmt.Errorf("funding the test accounts: %w", err)
	}
	ok = true
	return tc, nil
}

// signer is a signer for one of the funded memory-keyring accounts.
func (tc *testChain) signer(t *testing.T, name string) *chain.Signer {
	t.Helper()
	s, err := tc.client.Signer(tc.kr, name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sequence reads an account's sequence from the chain, not from a Signer.
func (tc *testChain) sequence(t *testing.T, addr sdk.AccAddress) uint64 {
	t.Helper()
	res, err := authtypes.NewQueryClient(tc.client.Conn()).AccountInfo(context.Background(), &authtypes.QueryAccountInfoRequest{Address: addr.String()})
	if err != nil {
		t.Fatalf("account %s: %v", addr, err)
	}
	return res.Info.Sequence
}

// waitPhase waits until a tx sent now lands in phase of round (any round
// when round is 0) with at least room blocks of the phase left after the
// landing block, and returns the round.
func (tc *testChain) waitPhase(t *testing.T, round uint64, phase chain.Phase, room int64) chain.Round {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	for {
		rs, err := tc.client.CurrentRound(ctx)
		if err == nil && rs.Phase == phase && (round == 0 || rs.Round.Id == round) {
			end := chain.PhaseEnd(rs.Round, phase)
			if end-(rs.Height+1) > room {
				return rs.Round
			}
		}
		if err == nil && round != 0 && rs.Round.Id > round {
			t.Fatalf("round %d is over (now round %d, %s) before its %s phase came with %d blocks to spare", round, rs.Round.Id, rs.Phase, phase, room)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no %s phase with %d blocks to spare: %v (last: %v %v)", phase, room, ctx.Err(), rs, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// txError asserts err is a *chain.TxError and returns it.
func txError(t *testing.T, err error) *chain.TxError {
	t.Helper()
	var te *chain.TxError
	if !errors.As(err, &te) {
		t.Fatalf("want a *chain.TxError, got %T: %v", err, err)
	}
	if te.Stage == "" || te.Log == "" {
		t.Fatalf("TxError without stage or log: %+v", te)
	}
	return te
}
