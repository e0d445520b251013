// Package chain is the worker's one bridge to the H3LIX chain: the only
// package under worker/ (with the simulation) that imports x/*/types. It
// queries over gRPC, builds, simulates, signs and broadcasts transactions with
// keys from the Cosmos keyring, waits for them to be included, follows new
// blocks, and maps the engine's artifacts and verdicts to the chain's types.
//
// Everything the round loop needs from the chain goes through here, so the
// loop, the engine and the store stay free of Cosmos SDK types.
package chain

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	nodeservice "github.com/cosmos/cosmos-sdk/client/grpc/node"
	clienttx "github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/gogoproto/proto"
)

// Config says where the chain is and how to pay for transactions.
type Config struct {
	ChainID string
	// GRPC is the node's gRPC address, host:port.
	GRPC string
	// RPC is the CometBFT RPC address (tcp://host:26657); it is used for the
	// new-block websocket and PendingTxs. Empty means poll over gRPC only.
	RPC string
	// GasAdjustment multiplies the simulated gas (default 1.5).
	GasAdjustment float64
	// GasPrices overrides the node's minimum gas price, e.g. "0.025uhlx".
	GasPrices string
	// TxTimeout bounds the wait for a broadcast tx to be included (default 60 s).
	TxTimeout time.Duration
	// MaxRetries bounds the retries on a sequence mismatch, a full mempool or
	// an unavailable node (default 6).
	MaxRetries int
}

func (c *Config) defaults() {
	if c.GasAdjustment == 0 {
		c.GasAdjustment = 1.5
	}
	if c.TxTimeout == 0 {
		c.TxTimeout = time.Minute
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 6
	}
}

// Client is a connection to one node. It is safe for concurrent use; each
// signing account has its own Signer.
type Client struct {
	cfg  Config
	conn *grpc.ClientConn
	enc  encodingConfig

	mu        sync.Mutex
	gasPrices sdk.DecCoins
	pricesSet bool
	rpc       *rpchttp.HTTP
}

type encodingConfig struct {
	cdc   codec.Codec
	txCfg client.TxConfig
}

// Dial connects to the node's gRPC endpoint. The connection is lazy: an
// unreachable node shows up as an error of the first call, which the
// callers retry.
func Dial(cfg Config) (*Client, error) {
	cfg.defaults()
	if cfg.ChainID == "" {
		return nil, errors.New("chain id is empty: set chain.id in the config (or --chain-id)")
	}
	if cfg.GRPC == "" {
		return nil, errors.New("gRPC address is empty: set chain.grpc in the config (or --grpc), e.g. 127.0.0.1:9090")
	}
	conn, err := grpc.NewClient(cfg.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("gRPC %s: %w", cfg.GRPC, err)
	}
	enc := Encoding()
	c := &Client{cfg: cfg, conn: conn, enc: encodingConfig{cdc: enc.Codec, txCfg: enc.TxConfig}}
	if cfg.GasPrices != "" {
		gp, err := sdk.ParseDecCoins(cfg.GasPrices)
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("gas prices %q: %w", cfg.GasPrices, err)
		}
		c.gasPrices, c.pricesSet = gp, true
	}
	return c, nil
}

// Close closes the gRPC connection.
func (c *Client) Close() error { return c.conn.Close() }

// Conn is the underlying gRPC connection, for queries this package does not wrap.
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// ChainID is the configured chain id.
func (c *Client) ChainID() string { return c.cfg.ChainID }

// TxConfig is the transaction encoding the client signs with.
func (c *Client) TxConfig() client.TxConfig { return c.enc.txCfg }

// Codec is the codec that knows the H3LIX, auth and bank types.
func (c *Client) Codec() codec.Codec { return c.enc.cdc }

// CheckChainID compares the configured chain id with the node's, so a
// worker pointed at the wrong network fails at start rather than with a
// signature error on its first transaction.
func (c *Client) CheckChainID(ctx context.Context) error {
	res, err := cmtservice.NewServiceClient(c.conn).GetNodeInfo(ctx, &cmtservice.GetNodeInfoRequest{})
	if err != nil {
		return fmt.Errorf("node info over gRPC %s: %w", c.cfg.GRPC, err)
	}
	if got := res.DefaultNodeInfo.GetNetwork(); got != c.cfg.ChainID {
		return fmt.Errorf("the node at %s runs chain %q, the config says %q", c.cfg.GRPC, got, c.cfg.ChainID)
	}
	return nil
}

// LatestHeight is the node's latest committed height.
func (c *Client) LatestHeight(ctx context.Context) (int64, error) {
	res, err := cmtservice.NewServiceClient(c.conn).GetLatestBlock(ctx, &cmtservice.GetLatestBlockRequest{})
	if err != nil {
		return 0, err
	}
	if res.SdkBlock != nil {
		return res.SdkBlock.Header.Height, nil
	}
	return res.Block.Header.Height, nil
}

// PendingTxs is the number of transactions in the node's mempool. The SDK's
// gRPC has no mempool query, so this asks the CometBFT RPC.
func (c *Client) PendingTxs(ctx context.Context) (int, error) {
	c.mu.Lock()
	if c.rpc == nil {
		if c.cfg.RPC == "" {
			c.mu.Unlock()
			return 0, errors.New("the mempool is read over the CometBFT RPC, and no RPC address is set (chain.node, --node), e.g. tcp://127.0.0.1:26657")
		}
		rpc, err := rpchttp.New(c.cfg.RPC, "/websocket")
		if err != nil {
			c.mu.Unlock()
			return 0, fmt.Errorf("CometBFT RPC %s: %w", c.cfg.RPC, err)
		}
		c.rpc = rpc
	}
	rpc := c.rpc
	c.mu.Unlock()
	res, err := rpc.NumUnconfirmedTxs(ctx)
	if err != nil {
		return 0, fmt.Errorf("mempool of %s: %w", c.cfg.RPC, err)
	}
	return res.Total, nil
}

// gasPricesFor returns the configured gas prices or the node's minimum.
func (c *Client) gasPricesFor(ctx context.Context) (sdk.DecCoins, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pricesSet {
		return c.gasPrices, nil
	}
	res, err := nodeservice.NewServiceClient(c.conn).Config(ctx, &nodeservice.ConfigRequest{})
	if err != nil {
		return nil, fmt.Errorf("reading the node's minimum gas price: %w", err)
	}
	gp, err := sdk.ParseDecCoins(res.MinimumGasPrice)
	if err != nil {
		return nil, fmt.Errorf("node minimum gas price %q: %w", res.MinimumGasPrice, err)
	}
	c.gasPrices, c.pricesSet = gp, true
	return gp, nil
}

// fees is gas × price rounded up, per denom.
func fees(gas uint64, prices sdk.DecCoins) sdk.Coins {
	out := sdk.NewCoins()
	g := sdkmath.LegacyNewDecFromInt(sdkmath.NewIntFromUint64(gas))
	for _, p := range prices {
		amt := p.Amount.Mul(g).Ceil().TruncateInt()
		if amt.IsPositive() {
			out = out.Add(sdk.NewCoin(p.Denom, amt))
		}
	}
	return out
}

// TxError is a transaction the chain refused, in CheckTx, simulation or
// the block. Code and Codespace are the ABCI error; Log says why.
type TxError struct {
	Stage     string // "simulate", "check" or "deliver"
	TxHash    string
	Codespace string
	Code      uint32
	Log       string
}

func (e *TxError) Error() string {
	where := map[string]string{"simulate": "simulation", "check": "CheckTx", "deliver": "the block"}[e.Stage]
	if e.TxHash != "" {
		return fmt.Sprintf("tx %s failed in %s (%s code %d): %s", e.TxHash, where, e.Codespace, e.Code, e.Log)
	}
	return fmt.Sprintf("tx failed in %s: %s", where, e.Log)
}

// Is lets callers test for SDK errors: errors.Is(err, sdkerrors.ErrWrongSequence).
func (e *TxError) Is(target error) bool {
	var reg interface {
		Codespace() string
		ABCICode() uint32
	}
	if errors.As(target, &reg) {
		return reg.Codespace() == e.Codespace && reg.ABCICode() == e.Code
	}
	return false
}

// Signer signs and submits transactions for one keyring account. It keeps
// the account sequence locally, so consecutive transactions need no query,
// and re-reads it when the chain reports a mismatch.
type Signer struct {
	c    *Client
	kr   keyring.Keyring
	name string
	addr sdk.AccAddress

	mu     sync.Mutex
	num    uint64
	seq    uint64
	loaded bool
}

// Signer returns a signer for the key called name in kr.
func (c *Client) Signer(kr keyring.Keyring, name string) (*Signer, error) {
	rec, err := kr.Key(name)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w (list the keys with 'h3lixd keys list' against the same --keyring-dir and --keyring-backend)", name, err)
	}
	addr, err := rec.GetAddress()
	if err != nil {
		return nil, err
	}
	return &Signer{c: c, kr: kr, name: name, addr: addr}, nil
}

// Address is the signing account.
func (s *Signer) Address() sdk.AccAddress { return s.addr }

// Name is the key name.
func (s *Signer) Name() string { return s.name }

// Keyring is the keyring the key lives in.
func (s *Signer) Keyring() keyring.Keyring { return s.kr }

func (s *Signer) loadLocked(ctx context.Context) error {
	res, err := authtypes.NewQueryClient(s.c.conn).AccountInfo(ctx, &authtypes.QueryAccountInfoRequest{Address: s.addr.String()})
	if err != nil {
		if status.Code(err) == codes.NotFound || strings.Contains(err.Error(), "not found") {
			return fmt.Errorf("account %s (%s) does not exist on chain %s yet: send it some %s first", s.name, s.addr, s.c.cfg.ChainID, "uhlx")
		}
		return fmt.Errorf("account %s: %w", s.addr, err)
	}
	s.num, s.seq, s.loaded = res.Info.AccountNumber, res.Info.Sequence, true
	return nil
}

// Refresh re-reads the account number and sequence from the chain.
func (s *Signer) Refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loadLocked(ctx)
}

func (s *Signer) factory(gas uint64, fee sdk.Coins) clienttx.Factory {
	return clienttx.Factory{}.
		WithTxConfig(s.c.enc.txCfg).
		WithKeybase(s.kr).
		WithFromName(s.name).
		WithChainID(s.c.cfg.ChainID).
		WithAccountNumber(s.num).
		WithSequence(s.seq).
		WithGas(gas).
		WithSimulateAndExecute(true).
		WithSignMode(signing.SignMode_SIGN_MODE_DIRECT).
		WithFees(fee.String())
}

// Sign signs msgs with a fixed gas limit and no simulation, using and
// advancing the local sequence. It is for tools that pre-sign many
// transactions (the load tool); the worker uses Submit.
func (s *Signer) Sign(ctx context.Context, gas uint64, msgs ...sdk.Msg) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded {
		if err := s.loadLocked(ctx); err != nil {
			return nil, err
		}
	}
	prices, err := s.c.gasPricesFor(ctx)
	if err != nil {
		return nil, err
	}
	bz, err := s.signLocked(ctx, gas, fees(gas, prices), msgs)
	if err != nil {
		return nil, err
	}
	s.seq++
	return bz, nil
}

func (s *Signer) signLocked(ctx context.Context, gas uint64, fee sdk.Coins, msgs []sdk.Msg) ([]byte, error) {
	f := s.factory(gas, fee)
	txb, err := f.BuildUnsignedTx(msgs...)
	if err != nil {
		return nil, err
	}
	if err := clienttx.Sign(ctx, f, s.name, txb, true); err != nil {
		return nil, fmt.Errorf("signing with key %q: %w", s.name, err)
	}
	return s.c.enc.txCfg.TxEncoder()(txb.GetTx())
}

// simulateLocked returns the gas the messages use at the current sequence.
func (s *Signer) simulateLocked(ctx context.Context, msgs []sdk.Msg) (uint64, error) {
	bz, err := s.factory(0, nil).BuildSimTx(msgs...)
	if err != nil {
		return 0, err
	}
	res, err := txtypes.NewServiceClient(s.c.conn).Simulate(ctx, &txtypes.SimulateRequest{TxBytes: bz})
	if err != nil {
		return 0, simulateError(err)
	}
	return res.GasInfo.GasUsed, nil
}

// simulateError turns the gRPC error of a failed simulation into a TxError
// when it carries an ABCI error (the message ends with ": <registered error>").
func simulateError(err error) error {
	st, ok := status.FromError(err)
	if !ok || st.Code() == codes.Unavailable || st.Code() == codes.DeadlineExceeded || st.Code() == codes.Canceled {
		return err
	}
	te := &TxError{Stage: "simulate", Log: st.Message()}
	for _, known := range []*errorsWithCode{
		{sdkerrors.ErrWrongSequence.Codespace(), sdkerrors.ErrWrongSequence.ABCICode(), sdkerrors.ErrWrongSequence.Error()},
		{sdkerrors.ErrInsufficientFunds.Codespace(), sdkerrors.ErrInsufficientFunds.ABCICode(), sdkerrors.ErrInsufficientFunds.Error()},
	} {
		if strings.Contains(st.Message(), known.msg) {
			te.Codespace, te.Code = known.space, known.code
		}
	}
	return te
}

type errorsWithCode struct {
	space string
	code  uint32
	msg   string
}

// Result is an included transaction.
type Result struct {
	TxHash string
	Height int64
	GasUsed,
	GasWanted int64
	// Broadcast is how long simulation, signing and CheckTx took, without
	// the wait for the block.
	Broadcast time.Duration
	// MsgResponses are the responses of the messages, in order; read one
	// with Response.
	MsgResponses []*codectypes.Any
}

// Response decodes the i-th message response into out, checking its type.
func (r *Result) Response(i int, out proto.Message) error {
	if i < 0 || i >= len(r.MsgResponses) {
		return fmt.Errorf("tx %s has %d message responses, no #%d", r.TxHash, len(r.MsgResponses), i)
	}
	a := r.MsgResponses[i]
	if want := "/" + proto.MessageName(out); a.TypeUrl != want {
		return fmt.Errorf("tx %s response #%d is %s, not %s", r.TxHash, i, a.TypeUrl, want)
	}
	return proto.Unmarshal(a.Value, out)
}

// Submit simulates msgs for gas, signs them with the node's gas price,
// broadcasts, and waits until the transaction is in a block. A message the
// chain refuses comes back as a *TxError with the chain's reason, whether it
// failed in simulation, CheckTx or the block. Sequence mismatches, a full
// mempool and an unreachable node are retried with backoff.
func (s *Signer) Submit(ctx context.Context, msgs ...sdk.Msg) (*Result, error) {
	start := time.Now()
	hash, err := s.broadcast(ctx, msgs)
	if err != nil {
		return nil, err
	}
	took := time.Since(start)
	res, err := s.c.WaitTx(ctx, hash)
	if res != nil {
		res.Broadcast = took
	}
	return res, err
}

func (s *Signer) broadcast(ctx context.Context, msgs []sdk.Msg) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	backoff := 250 * time.Millisecond
	var last error
	for attempt := 0; attempt <= s.c.cfg.MaxRetries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 8*time.Second)
		}
		if !s.loaded {
			if err := s.loadLocked(ctx); err != nil {
				if retryable(err) {
					last = err
					continue
				}
				return "", err
			}
		}
		gasUsed, err := s.simulateLocked(ctx, msgs)
		if err != nil {
			if errors.Is(err, sdkerrors.ErrWrongSequence) {
				s.loaded, last = false, err
				continue
			}
			if retryable(err) {
				last = err
				continue
			}
			return "", err
		}
		gas := uint64(math.Ceil(float64(gasUsed) * s.c.cfg.GasAdjustment))
		prices, err := s.c.gasPricesFor(ctx)
		if err != nil {
			if retryable(err) {
				last = err
				continue
			}
			return "", err
		}
		bz, err := s.signLocked(ctx, gas, fees(gas, prices), msgs)
		if err != nil {
			return "", err
		}
		res, err := txtypes.NewServiceClient(s.c.conn).BroadcastTx(ctx, &txtypes.BroadcastTxRequest{TxBytes: bz, Mode: txtypes.BroadcastMode_BROADCAST_MODE_SYNC})
		if err != nil {
			if retryable(err) {
				last = err
				continue
			}
			return "", fmt.Errorf("broadcast: %w", err)
		}
		tr := res.TxResponse
		if tr.Code != 0 {
			te := checkTxError(tr)
			switch {
			case errors.Is(te, sdkerrors.ErrWrongSequence):
				s.loaded, last = false, te
				continue
			case errors.Is(te, sdkerrors.ErrMempoolIsFull):
				last = te
				continue
			case errors.Is(te, sdkerrors.ErrTxInMempoolCache):
				// The same bytes are already pending: that tx is ours.
				s.seq++
				return tr.TxHash, nil
			}
			return "", te
		}
		s.seq++
		return tr.TxHash, nil
	}
	return "", fmt.Errorf("giving up after %d retries: %w", s.c.cfg.MaxRetries, last)
}

// retryable reports errors worth trying again: the node is down or busy.
func retryable(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.ResourceExhausted, codes.Aborted:
		return true
	}
	return false
}

// BroadcastSync sends signed bytes and returns the hash once CheckTx accepted
// them (a *TxError otherwise).
func (c *Client) BroadcastSync(ctx context.Context, tx []byte) (string, error) {
	res, err := txtypes.NewServiceClient(c.conn).BroadcastTx(ctx, &txtypes.BroadcastTxRequest{TxBytes: tx, Mode: txtypes.BroadcastMode_BROADCAST_MODE_SYNC})
	if err != nil {
		return "", err
	}
	if tr := res.TxResponse; tr.Code != 0 {
		return "", checkTxError(tr)
	}
	return res.TxResponse.TxHash, nil
}

// checkTxError is the TxError of a transaction CheckTx refused. The SDK
// reports the mempool's own refusals (client.CheckCometError) as a bare code
// with no log; the registered description stands in for it, so the error
// says why.
func checkTxError(tr *sdk.TxResponse) *TxError {
	te := &TxError{Stage: "check", TxHash: tr.TxHash, Codespace: tr.Codespace, Code: tr.Code, Log: tr.RawLog}
	if te.Log == "" {
		for _, e := range []*errorsmod.Error{sdkerrors.ErrTxInMempoolCache, sdkerrors.ErrMempoolIsFull, sdkerrors.ErrTxTooLarge} {
			if te.Is(e) {
				te.Log = e.Error()
			}
		}
	}
	return te
}

// WaitTx waits until the transaction is in a block (at most the configured
// TxTimeout) and returns its result, or a *TxError when it failed there.
func (c *Client) WaitTx(ctx context.Context, hash string) (*Result, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.TxTimeout)
	defer cancel()
	svc := txtypes.NewServiceClient(c.conn)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		res, err := svc.GetTx(ctx, &txtypes.GetTxRequest{Hash: hash})
		if err == nil && res.TxResponse != nil {
			return c.result(res.TxResponse)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("tx %s was not included within %s: %w", hash, c.cfg.TxTimeout, ctx.Err())
		case <-tick.C:
		}
	}
}

func (c *Client) result(tr *sdk.TxResponse) (*Result, error) {
	if tr.Code != 0 {
		return nil, &TxError{Stage: "deliver", TxHash: tr.TxHash, Codespace: tr.Codespace, Code: tr.Code, Log: tr.RawLog}
	}
	out := &Result{TxHash: tr.TxHash, Height: tr.Height, GasUsed: tr.GasUsed, GasWanted: tr.GasWanted}
	if tr.Data == "" {
		return out, nil
	}
	raw, err := hex.DecodeString(tr.Data)
	if err != nil {
		return out, fmt.Errorf("tx %s: result data: %w", tr.TxHash, err)
	}
	var data sdk.TxMsgData
	if err := c.enc.cdc.Unmarshal(raw, &data); err != nil {
		return out, fmt.Errorf("tx %s: result data: %w", tr.TxHash, err)
	}
	out.MsgResponses = data.MsgResponses
	return out, nil
}
