// Package apptest starts the real H3LIX app in memory, with one validator and
// funded accounts, for keeper and genesis tests. Nothing is mocked: keepers,
// stores, bank and staking are the ones the chain runs.
package apptest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"
	protoio "github.com/cosmos/gogoproto/io"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/bech32"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"

	"github.com/h3lix/h3lix/app"
	"github.com/h3lix/h3lix/x/ccf/beacon"
)

// ChainID is the chain id of test apps.
const ChainID = "h3lix-test"

// InitialBalance is what every test account starts with, in uhlx.
var InitialBalance = sdkmath.NewInt(1_000_000_000_000)

// Fixture is a running app and a context at the next block.
type Fixture struct {
	App      *app.H3lixApp
	Ctx      sdk.Context
	Accounts []sdk.AccAddress
	Genesis  map[string]json.RawMessage
	// Home is the node's home directory (the validator's beacon secret
	// lives under it).
	Home string

	// The validator's consensus key, and its extended vote on the last
	// committed block: Commit plays CometBFT's part, so vote extensions and
	// the proposal handlers run as on a real chain.
	valKey         *ed25519.PrivKey
	lastVote       abci.ExtendedVoteInfo
	voteExtensions bool
	// LastEvents are the block-level events of the last committed block
	// (pre-, begin- and end-block).
	LastEvents []abci.Event
}

// New starts an app with nAccounts funded accounts and commits block 1.
// Extra genesis changes are applied by mutate before InitChain.
func New(t testing.TB, nAccounts int, mutate func(map[string]json.RawMessage)) *Fixture {
	return NewWith(t, nAccounts, mutate, true)
}

// NewWith is New with vote extensions on or off. Off, the chain has no
// validators' beacon and draws round seeds from block hashes, as a chain
// whose genesis does not enable vote extensions would.
func NewWith(t testing.TB, nAccounts int, mutate func(map[string]json.RawMessage), voteExtensions bool) *Fixture {
	t.Helper()
	home := t.TempDir()
	// A fixed beacon key makes the round seeds, and so every verifier draw,
	// the same in every run (a real validator draws its key at random).
	key := sha256.Sum256([]byte("apptest-beacon"))
	keyPath := filepath.Join(home, beacon.SecretFile)
	require.NoError(t, os.MkdirAll(filepath.Dir(keyPath), 0o700))
	require.NoError(t, os.WriteFile(keyPath, []byte(hex.EncodeToString(key[:])), 0o600))
	a := app.New(log.NewNopLogger(), dbm.NewMemDB(), simtestutil.NewAppOptionsWithFlagHome(home), baseapp.SetChainID(ChainID))

	valKey := ed25519.GenPrivKeyFromSecret([]byte("apptest-validator"))
	cmtPub, err := cryptocodec.ToCmtPubKeyInterface(valKey.PubKey())
	require.NoError(t, err)
	valSet := cmttypes.NewValidatorSet([]*cmttypes.Validator{cmttypes.NewValidator(cmtPub, 1)})

	accounts := make([]sdk.AccAddress, nAccounts+1)
	genAccs := make([]authtypes.GenesisAccount, len(accounts))
	balances := make([]banktypes.Balance, len(accounts))
	for i := range accounts {
		addr := sdk.AccAddress(secp256k1.GenPrivKeyFromSecret([]byte{byte(i), 'a', 'c', 'c'}).PubKey().Address())
		accounts[i] = addr
		genAccs[i] = authtypes.NewBaseAccount(addr, nil, uint64(i), 0)
		balances[i] = banktypes.Balance{Address: addr.String(), Coins: sdk.NewCoins(sdk.NewCoin(app.BondDenom, InitialBalance))}
	}
	genesis, err := simtestutil.GenesisStateWithValSet(a.AppCodec(), a.DefaultGenesis(), valSet, genAccs, balances...)
	require.NoError(t, err)
	// Slashing tracks the validator's votes from the decided last commits
	// Commit passes; a real genesis gets this record from its gentx.
	consAddr, err := bech32.ConvertAndEncode(app.Bech32PrefixConsAddr, valKey.PubKey().Address())
	require.NoError(t, err)
	var slashGen slashingtypes.GenesisState
	a.AppCodec().MustUnmarshalJSON(genesis[slashingtypes.ModuleName], &slashGen)
	slashGen.SigningInfos = append(slashGen.SigningInfos, slashingtypes.SigningInfo{
		Address:              consAddr,
		ValidatorSigningInfo: slashingtypes.ValidatorSigningInfo{Address: consAddr},
	})
	genesis[slashingtypes.ModuleName] = a.AppCodec().MustMarshalJSON(&slashGen)
	if mutate != nil {
		mutate(genesis)
	}
	stateBytes, err := json.Marshal(genesis)
	require.NoError(t, err)

	// Vote extensions from the first block, as every genesis h3lixd writes
	// has them (the validators' seed beacon).
	cp := *simtestutil.DefaultConsensusParams
	cp.Abci = &cmtproto.ABCIParams{}
	if voteExtensions {
		cp.Abci.VoteExtensionsEnableHeight = 1
	}
	genTime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = a.InitChain(&abci.RequestInitChain{
		ChainId:         ChainID,
		Time:            genTime,
		Validators:      []abci.ValidatorUpdate{},
		ConsensusParams: &cp,
		AppStateBytes:   stateBytes,
		InitialHeight:   1,
	})
	require.NoError(t, err)
	f := &Fixture{App: a, Accounts: accounts[1:], Genesis: genesis, Home: home, valKey: valKey, voteExtensions: voteExtensions}
	f.extendVote(t, 1, nil)
	_, err = a.FinalizeBlock(&abci.RequestFinalizeBlock{Height: 1, Time: genTime, NextValidatorsHash: valSet.Hash()})
	require.NoError(t, err)
	_, err = a.Commit()
	require.NoError(t, err)

	f.Ctx = a.NewNextBlockContext(cmtproto.Header{Height: 2, ChainID: ChainID, Time: genTime.Add(time.Second)})
	// accounts[0] holds the validator's delegation; tests get the others.
	return f
}

// ValidatorAddress is the consensus address of the fixture's validator.
func (f *Fixture) ValidatorAddress() []byte { return f.valKey.PubKey().Address() }

// extendVote asks the app for the validator's extension on block h and signs
// it as CometBFT does, for the next block's proposal to carry.
func (f *Fixture) extendVote(t testing.TB, h int64, hash []byte) {
	t.Helper()
	if !f.voteExtensions {
		f.lastVote = abci.ExtendedVoteInfo{Validator: abci.Validator{Address: f.ValidatorAddress(), Power: 1}, BlockIdFlag: cmtproto.BlockIDFlagCommit}
		return
	}
	resp, err := f.App.ExtendVote(context.Background(), &abci.RequestExtendVote{Height: h, Hash: hash})
	require.NoError(t, err)
	f.lastVote = f.SignedVote(t, h, resp.VoteExtension)
}

// SignedVote is the validator's committed vote on block h with extension
// ext, signed by its consensus key (for tests that forge or alter beacons).
func (f *Fixture) SignedVote(t testing.TB, h int64, ext []byte) abci.ExtendedVoteInfo {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, protoio.NewDelimitedWriter(&buf).WriteMsg(&cmtproto.CanonicalVoteExtension{
		Extension: ext, Height: h, Round: 0, ChainId: ChainID,
	}))
	sig, err := f.valKey.Sign(buf.Bytes())
	require.NoError(t, err)
	return abci.ExtendedVoteInfo{
		Validator:          abci.Validator{Address: f.ValidatorAddress(), Power: 1},
		VoteExtension:      ext,
		ExtensionSignature: sig,
		BlockIdFlag:        cmtproto.BlockIDFlagCommit,
	}
}

// LastVote is the validator's extended vote on the last committed block.
func (f *Fixture) LastVote() abci.ExtendedVoteInfo { return f.lastVote }

// LastCommit is the commit info a block at the next height carries.
func (f *Fixture) LastCommit() abci.CommitInfo {
	return abci.CommitInfo{Votes: []abci.VoteInfo{{Validator: f.lastVote.Validator, BlockIdFlag: f.lastVote.BlockIdFlag}}}
}

// StoreDump returns every key and value of the named KV stores, to assert
// that a rejected message changed nothing.
func (f *Fixture) StoreDump(t testing.TB, storeNames ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range storeNames {
		key := f.App.GetKey(name)
		require.NotNil(t, key, "store %s", name)
		it := f.Ctx.KVStore(key).Iterator(nil, nil)
		for ; it.Valid(); it.Next() {
			out[name+"/"+string(it.Key())] = string(it.Value())
		}
		require.NoError(t, it.Close())
	}
	return out
}

// Commit finalizes and commits the block of f.Ctx (keeping the writes made
// through it) and moves f.Ctx to the next height.
func (f *Fixture) Commit(t testing.TB) { f.CommitWithHash(t, nil) }

// CommitWithHash is Commit for a block with the given hash, as CometBFT
// would pass it: the round seed is drawn from it, so tests of the seed and
// simulations feed real-looking hashes instead of none.
func (f *Fixture) CommitWithHash(t testing.TB, hash []byte) {
	t.Helper()
	f.FinalizeWithTxs(t, hash, f.Proposal(t))
}

// FinalizeWithTxs is CommitWithHash for a block with the given transactions
// instead of the ones PrepareProposal chose.
func (f *Fixture) FinalizeWithTxs(t testing.TB, hash []byte, txs [][]byte) {
	t.Helper()
	h := f.Ctx.BlockHeight()
	lastCommit := f.LastCommit()
	f.extendVote(t, h, hash)
	res, err := f.App.FinalizeBlock(&abci.RequestFinalizeBlock{
		Height: h, Time: f.Ctx.BlockTime(), Hash: hash, Txs: txs,
		DecidedLastCommit: lastCommit, ProposerAddress: f.ValidatorAddress(),
	})
	require.NoError(t, err)
	f.LastEvents = res.Events
	_, err = f.App.Commit()
	require.NoError(t, err)
	f.Ctx = f.App.NewNextBlockContext(cmtproto.Header{Height: h + 1, ChainID: ChainID, Time: f.Ctx.BlockTime().Add(time.Second)})
}

// ProcessProposal asks the app to judge a proposal of txs at the context's
// height, as a validator receiving it would. ProcessProposal discards the
// uncommitted state of that height, so f.Ctx starts afresh.
func (f *Fixture) ProcessProposal(t testing.TB, txs [][]byte) abci.ResponseProcessProposal_ProposalStatus {
	t.Helper()
	header := f.Ctx.BlockHeader()
	resp, err := f.App.ProcessProposal(&abci.RequestProcessProposal{
		Txs: txs, Height: header.Height, Time: header.Time, ProposedLastCommit: f.LastCommit(),
		ProposerAddress: f.ValidatorAddress(),
	})
	require.NoError(t, err)
	f.Ctx = f.App.NewNextBlockContext(cmtproto.Header{Height: header.Height, ChainID: ChainID, Time: header.Time})
	return resp.Status
}

// Proposal is what PrepareProposal makes for the context's height.
func (f *Fixture) Proposal(t testing.TB) [][]byte {
	t.Helper()
	prop, err := f.App.PrepareProposal(&abci.RequestPrepareProposal{
		MaxTxBytes: 1 << 20, Height: f.Ctx.BlockHeight(), Time: f.Ctx.BlockTime(), ProposerAddress: f.ValidatorAddress(),
		LocalLastCommit: abci.ExtendedCommitInfo{Votes: []abci.ExtendedVoteInfo{f.lastVote}},
	})
	require.NoError(t, err)
	return prop.Txs
}
