// Package apptest starts the real H3LIX app in memory, with one validator and
// funded accounts, for keeper and genesis tests. Nothing is mocked: keepers,
// stores, bank and staking are the ones the chain runs.
package apptest

import (
	"encoding/json"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log/v2"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/baseapp"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/h3lix/h3lix/app"
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
}

// New starts an app with nAccounts funded accounts and commits block 1.
// Extra genesis changes are applied by mutate before InitChain.
func New(t testing.TB, nAccounts int, mutate func(map[string]json.RawMessage)) *Fixture {
	t.Helper()
	a := app.New(log.NewNopLogger(), dbm.NewMemDB(), simtestutil.NewAppOptionsWithFlagHome(t.TempDir()), baseapp.SetChainID(ChainID))

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
	if mutate != nil {
		mutate(genesis)
	}
	stateBytes, err := json.Marshal(genesis)
	require.NoError(t, err)

	genTime := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = a.InitChain(&abci.RequestInitChain{
		ChainId:         ChainID,
		Time:            genTime,
		Validators:      []abci.ValidatorUpdate{},
		ConsensusParams: simtestutil.DefaultConsensusParams,
		AppStateBytes:   stateBytes,
		InitialHeight:   1,
	})
	require.NoError(t, err)
	_, err = a.FinalizeBlock(&abci.RequestFinalizeBlock{Height: 1, Time: genTime, NextValidatorsHash: valSet.Hash()})
	require.NoError(t, err)
	_, err = a.Commit()
	require.NoError(t, err)

	ctx := a.NewNextBlockContext(cmtproto.Header{Height: 2, ChainID: ChainID, Time: genTime.Add(time.Second)})
	// accounts[0] holds the validator's delegation; tests get the others.
	return &Fixture{App: a, Ctx: ctx, Accounts: accounts[1:], Genesis: genesis}
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
	h := f.Ctx.BlockHeight()
	_, err := f.App.FinalizeBlock(&abci.RequestFinalizeBlock{Height: h, Time: f.Ctx.BlockTime(), Hash: hash})
	require.NoError(t, err)
	_, err = f.App.Commit()
	require.NoError(t, err)
	f.Ctx = f.App.NewNextBlockContext(cmtproto.Header{Height: h + 1, ChainID: ChainID, Time: f.Ctx.BlockTime().Add(time.Second)})
}
