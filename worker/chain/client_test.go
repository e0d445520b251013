package chain_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/h3lix/h3lix/app"
	"github.com/h3lix/h3lix/worker/chain"
)

func TestDialErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  chain.Config
		want string
	}{
		{"no chain id", chain.Config{GRPC: "127.0.0.1:9090"}, "chain id is empty"},
		{"no gRPC address", chain.Config{ChainID: "h3lix-local"}, "gRPC address is empty"},
		{"bad gas prices", chain.Config{ChainID: "h3lix-local", GRPC: "127.0.0.1:9090", GasPrices: "cheap"}, `gas prices "cheap"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := chain.Dial(tc.cfg)
			require.Nil(t, c)
			require.ErrorContains(t, err, tc.want)
		})
	}
	c, err := chain.Dial(chain.Config{ChainID: "h3lix-local", GRPC: "127.0.0.1:9090", GasPrices: "0.025uhlx"})
	require.NoError(t, err, "Dial is lazy: no node needed")
	require.Equal(t, "h3lix-local", c.ChainID())
	require.NoError(t, c.Close())
}

func TestCheckChainID(t *testing.T) {
	t.Parallel()
	tc := startChain(t)
	ctx := context.Background()
	require.NoError(t, tc.client.CheckChainID(ctx))

	cfg := tc.cfg
	cfg.ChainID = "h3lix-elsewhere"
	c, err := chain.Dial(cfg)
	require.NoError(t, err)
	defer c.Close()
	err = c.CheckChainID(ctx)
	require.ErrorContains(t, err, `runs chain "`+tc.cfg.ChainID+`"`)
	require.ErrorContains(t, err, `the config says "h3lix-elsewhere"`)

	h, err := tc.client.LatestHeight(ctx)
	require.NoError(t, err)
	require.Positive(t, h)
}

func TestSignerErrors(t *testing.T) {
	t.Parallel()
	tc := startChain(t)
	ctx := context.Background()

	_, err := tc.client.Signer(tc.kr, "nobody")
	require.ErrorContains(t, err, `key "nobody"`)
	require.ErrorContains(t, err, "keys list", "the error says how to find the key")

	// An account the chain has never seen cannot sign: the error says to fund it.
	broke := tc.signer(t, keyBroke)
	_, err = broke.Submit(ctx, banktypes.NewMsgSend(broke.Address(), tc.valAddr, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1))))
	require.ErrorContains(t, err, "does not exist on chain "+tc.cfg.ChainID)
	require.ErrorContains(t, err, "send it some")
	_, err = broke.Sign(ctx, 200_000, banktypes.NewMsgSend(broke.Address(), tc.valAddr, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, 1))))
	require.ErrorContains(t, err, "does not exist on chain")
}

// TestStaleSequence sends from two Signers of the same key that both read
// the sequence before either sent: the second one's first attempt carries a
// used sequence and must go through after re-reading it.
func TestStaleSequence(t *testing.T) {
	t.Parallel()
	tc := startChain(t)
	ctx := context.Background()
	a, err := tc.client.Signer(tc.valKR, tc.valName)
	require.NoError(t, err)
	b, err := tc.client.Signer(tc.valKR, tc.valName)
	require.NoError(t, err)
	require.NoError(t, a.Refresh(ctx))
	require.NoError(t, b.Refresh(ctx))
	seq := tc.sequence(t, tc.valAddr)

	send := func(s *chain.Signer, amt int64) *chain.Result {
		res, err := s.Submit(ctx, banktypes.NewMsgSend(s.Address(), s.Address(), sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, amt))))
		require.NoError(t, err)
		require.NotEmpty(t, res.TxHash)
		require.Positive(t, res.Height)
		require.Positive(t, res.GasUsed)
		require.GreaterOrEqual(t, res.GasWanted, res.GasUsed, "gas is the simulation times the adjustment")
		return res
	}
	first := send(a, 1)
	second := send(b, 2)
	require.NotEqual(t, first.TxHash, second.TxHash)
	require.Equal(t, seq+2, tc.sequence(t, tc.valAddr), "both txs are in blocks")
	require.Equal(t, seq, signedSequence(t, tc, first.TxHash))
	require.Equal(t, seq+1, signedSequence(t, tc, second.TxHash), "the second signer re-read the sequence")
}

// TestSignBroadcastWait pre-signs with the local sequence, as the load tool
// does, and checks what BroadcastSync refuses.
func TestSignBroadcastWait(t *testing.T) {
	t.Parallel()
	tc := startChain(t)
	ctx := context.Background()
	s := tc.signer(t, keySigner)
	seq := tc.sequence(t, s.Address())
	msg := func(amt int64) sdk.Msg {
		return banktypes.NewMsgSend(s.Address(), tc.valAddr, sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, amt)))
	}
	// Two txs signed back to back take consecutive sequences without a query.
	tx1, err := s.Sign(ctx, 200_000, msg(1))
	require.NoError(t, err)
	tx2, err := s.Sign(ctx, 200_000, msg(2))
	require.NoError(t, err)
	h1, err := tc.client.BroadcastSync(ctx, tx1)
	require.NoError(t, err)
	h2, err := tc.client.BroadcastSync(ctx, tx2)
	require.NoError(t, err)
	for _, h := range []string{h1, h2} {
		res, err := tc.client.WaitTx(ctx, h)
		require.NoError(t, err)
		require.Equal(t, h, res.TxHash)
		require.Equal(t, int64(200_000), res.GasWanted, "Sign uses the given gas, no simulation")
	}
	require.Equal(t, seq+2, tc.sequence(t, s.Address()))

	// The same bytes again: CheckTx refuses them and nothing changes.
	_, err = tc.client.BroadcastSync(ctx, tx1)
	te := txError(t, err)
	require.Equal(t, "check", te.Stage)
	require.Equal(t, h1, te.TxHash)
	require.True(t, errors.Is(err, sdkerrors.ErrTxInMempoolCache), "%v", err)
	require.Contains(t, te.Error(), "tx already in mempool", "the mempool's bare code gets its description")

	// A second Signer of the same key still holds the old sequence: CheckTx
	// says so, recognisably, and Refresh repairs it.
	stale, err := tc.client.Signer(tc.kr, keySigner)
	require.NoError(t, err)
	require.NoError(t, stale.Refresh(ctx))
	tx3, err := s.Sign(ctx, 200_000, msg(3)) // s is at seq+2, in step with the chain
	require.NoError(t, err)
	h3, err := tc.client.BroadcastSync(ctx, tx3)
	require.NoError(t, err)
	_, err = tc.client.WaitTx(ctx, h3)
	require.NoError(t, err)
	bad, err := stale.Sign(ctx, 200_000, msg(4))
	require.NoError(t, err)
	_, err = tc.client.BroadcastSync(ctx, bad)
	te = txError(t, err)
	require.Equal(t, "check", te.Stage)
	require.True(t, errors.Is(err, sdkerrors.ErrWrongSequence), "errors.Is finds the SDK error: %v", err)
	require.Contains(t, te.Error(), "account sequence mismatch")
	require.Equal(t, seq+3, tc.sequence(t, s.Address()), "the refused tx changed nothing")

	require.NoError(t, stale.Refresh(ctx))
	good, err := stale.Sign(ctx, 200_000, msg(4))
	require.NoError(t, err)
	h4, err := tc.client.BroadcastSync(ctx, good)
	require.NoError(t, err)
	_, err = tc.client.WaitTx(ctx, h4)
	require.NoError(t, err)
	require.Equal(t, seq+4, tc.sequence(t, s.Address()))
}

// TestSubmitRefusedInSimulation sends a message the chain refuses before it
// is signed: the error carries the chain's reason and nothing is spent.
func TestSubmitRefusedInSimulation(t *testing.T) {
	t.Parallel()
	tc := startChain(t)
	ctx := context.Background()
	s := tc.signer(t, keySpender)
	before := tc.sequence(t, s.Address())
	huge := sdk.NewCoins(sdk.NewCoin(app.BondDenom, sdkmath.NewInt(1_000_000_000_000)))
	_, err := s.Submit(ctx, banktypes.NewMsgSend(s.Address(), tc.valAddr, huge))
	te := txError(t, err)
	require.Equal(t, "simulate", te.Stage)
	require.Contains(t, te.Log, "insufficient funds")
	require.True(t, errors.Is(err, sdkerrors.ErrInsufficientFunds), "%v", err)
	require.Equal(t, before, tc.sequence(t, s.Address()), "a refused simulation changes nothing")
}

// signedSequence reads the sequence a tx was signed with.
func signedSequence(t *testing.T, tc *testChain, hash string) uint64 {
	t.Helper()
	res, err := txtypes.NewServiceClient(tc.client.Conn()).GetTx(context.Background(), &txtypes.GetTxRequest{Hash: hash})
	require.NoError(t, err)
	require.Len(t, res.Tx.AuthInfo.SignerInfos, 1)
	return res.Tx.AuthInfo.SignerInfos[0].Sequence
}

func TestPendingTxs(t *testing.T) {
	t.Parallel()
	tc := startChain(t)
	n, err := tc.client.PendingTxs(context.Background())
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 0)

	cfg := tc.cfg
	cfg.RPC = ""
	c, err := chain.Dial(cfg)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.PendingTxs(context.Background())
	require.ErrorContains(t, err, "no RPC address is set")
}
