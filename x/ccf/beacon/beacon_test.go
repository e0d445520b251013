package beacon_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	"github.com/h3lix/h3lix/testutil/apptest"
	"github.com/h3lix/h3lix/testutil/roundtest"
	"github.com/h3lix/h3lix/x/ccf/beacon"
	"github.com/h3lix/h3lix/x/ccf/types"
)

// fixedKey makes a validator's beacon secrets the same in every run, so that
// runs differing only in what a proposer controls can be compared.
func fixedKey(t *testing.T, n *roundtest.Net) {
	t.Helper()
	path := filepath.Join(n.Home, beacon.SecretFile)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o700))
	require.NoError(t, os.WriteFile(path, []byte(hex.EncodeToString(bytes.Repeat([]byte{7}, 32))), 0o600))
}

func share(t *testing.T, s types.SeedShare) []byte {
	t.Helper()
	bz, err := s.Marshal()
	require.NoError(t, err)
	return bz
}

func TestSeedComesFromTheValidatorsBeacon(t *testing.T) {
	n := roundtest.New(t, 5)
	r := n.Round(t)
	require.Equal(t, n.Ctx.BlockHeight(), r.StartHeight)
	n.Commit(t) // the votes on the round's first block carry commitments
	n.Commit(t) // and the next block carries them into the state
	c, err := n.App.CCFKeeper.Beacon.Get(n.Ctx, collections.Join(r.Id, n.ValidatorAddress()))
	require.NoError(t, err, "the validator's commitment is stored")

	r = n.AdvanceToSeed(t)
	require.Equal(t, types.SEED_SOURCE_VALIDATOR_BEACON, r.SeedSource)
	require.EqualValues(t, 1, r.SeedContributors)

	// The seed is the hash of the one reveal, which opened the commitment.
	secret, err := beacon.NewSecrets(filepath.Join(n.Home, beacon.SecretFile)).Secret(apptest.ChainID, r.Id)
	require.NoError(t, err)
	require.Equal(t, c, types.CommitToSecret(apptest.ChainID, r.Id, secret))
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], r.Id)
	h := sha256.New()
	h.Write([]byte(types.SeedDomain))
	h.Write(id[:])
	h.Write([]byte(types.BeaconDomain))
	h.Write([]byte{byte(len(n.ValidatorAddress()))})
	h.Write(n.ValidatorAddress())
	h.Write(secret)
	require.Equal(t, h.Sum(nil), r.Seed)

	// The seed was drawn at the start of the block after the first attest
	// block, whose votes carried the reveals.
	var drawn bool
	for _, e := range n.LastEvents {
		drawn = drawn || e.Type == "h3lix.ccf.v1.EventSeedDrawn"
	}
	require.True(t, drawn, "EventSeedDrawn in the block that drew the seed")
	require.Equal(t, r.AttestStart+2, n.Ctx.BlockHeight())
	has, err := n.App.CCFKeeper.Beacon.Has(n.Ctx, collections.Join(r.Id, n.ValidatorAddress()))
	require.NoError(t, err)
	require.False(t, has, "commitments are deleted once the seed is drawn")
	p := types.DefaultParams()
	require.Equal(t, p.AttestBlocks+2, r.DiscloseStart-r.AttestStart, "the attest phase keeps its length after the seed is known")
}

// Seed grinding: the proposer of the last reveal block (or of any block)
// controls its block's hash through the transactions it picks. Sixteen runs
// that differ in every block hash draw the same beacon seed; with vote
// extensions off, the block-hash seed differs in every run, which is the
// attack this closes.
func TestProposerCannotGrindTheSeed(t *testing.T) {
	draw := func(voteExtensions bool, try int) []byte {
		n := roundtest.NewWith(t, 5, voteExtensions)
		fixedKey(t, n)
		for n.Round(t).Seed == nil {
			hash := sha256.Sum256([]byte{byte(try), byte(n.Ctx.BlockHeight())})
			n.CommitWithHash(t, hash[:])
		}
		want := types.SEED_SOURCE_BLOCK_HASH
		if voteExtensions {
			want = types.SEED_SOURCE_VALIDATOR_BEACON
		}
		require.Equal(t, want, n.Round(t).SeedSource)
		return n.Round(t).Seed
	}
	beaconSeeds, hashSeeds := map[string]bool{}, map[string]bool{}
	for try := 0; try < 16; try++ {
		beaconSeeds[string(draw(true, try))] = true
		hashSeeds[string(draw(false, try))] = true
	}
	require.Len(t, beaconSeeds, 1, "no block hash moves the beacon seed")
	require.Len(t, hashSeeds, 16, "every block hash moves the fallback seed")
}

func TestProcessProposalGuardsTheBeacon(t *testing.T) {
	n := roundtest.New(t, 5)
	r := n.Round(t)
	n.Commit(t) // votes on the round's first block carry commitments
	good := n.Proposal(t)
	require.NotEmpty(t, good)
	require.True(t, beacon.IsTx(good[0]), "the proposer puts the beacon first")
	ec, err := beacon.DecodeTx(good[0])
	require.NoError(t, err)

	encode := func(ec abci.ExtendedCommitInfo) []byte {
		bz, err := beacon.EncodeTx(ec)
		require.NoError(t, err)
		return bz
	}
	altered := func(fn func(v *abci.ExtendedVoteInfo)) []byte {
		c := ec
		c.Votes = append([]abci.ExtendedVoteInfo{}, ec.Votes...)
		fn(&c.Votes[0])
		return encode(c)
	}
	other := share(t, types.SeedShare{Round: r.Id, Commitment: bytes.Repeat([]byte{1}, 32)})
	h := n.Ctx.BlockHeight()
	for _, tc := range []struct {
		name string
		txs  [][]byte
	}{
		{"beacon left out", nil},
		{"extension swapped under the validator's signature", [][]byte{altered(func(v *abci.ExtendedVoteInfo) { v.VoteExtension = other })}},
		{"vote marked absent", [][]byte{altered(func(v *abci.ExtendedVoteInfo) { v.BlockIdFlag = cmtproto.BlockIDFlagAbsent })}},
		{"signed extension that is not a share", [][]byte{encode(abci.ExtendedCommitInfo{Votes: []abci.ExtendedVoteInfo{n.SignedVote(t, h-1, []byte("junk"))}})}},
		{"beacon twice", [][]byte{good[0], good[0]}},
		{"garbage after the prefix", [][]byte{append(append([]byte{}, good[0][:18]...), 0xff, 0xff)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, abci.ResponseProcessProposal_REJECT, n.ProcessProposal(t, tc.txs))
		})
	}
	require.Equal(t, abci.ResponseProcessProposal_ACCEPT, n.ProcessProposal(t, good))
	n.FinalizeWithTxs(t, nil, good)

	// The next block owes no beacon: one there is refused.
	require.Equal(t, abci.ResponseProcessProposal_REJECT, n.ProcessProposal(t, good[:1]))
	require.Empty(t, n.Proposal(t))
	require.Equal(t, abci.ResponseProcessProposal_ACCEPT, n.ProcessProposal(t, nil))
}

// A validator that reveals anything but its committed secret, or withholds
// it, adds nothing to the seed; with no valid reveal the round falls back to
// the block hash and says so.
func TestRevealThatDoesNotOpenItsCommitmentCountsForNothing(t *testing.T) {
	for name, ext := range map[string]func(round uint64) []byte{
		"other secret": func(round uint64) []byte {
			return share(t, types.SeedShare{Round: round, Reveal: bytes.Repeat([]byte{9}, 32)})
		},
		"other round": func(round uint64) []byte {
			return share(t, types.SeedShare{Round: round + 1, Reveal: bytes.Repeat([]byte{9}, 32)})
		},
		"withheld": func(uint64) []byte { return nil },
	} {
		t.Run(name, func(t *testing.T) {
			n := roundtest.New(t, 5)
			r := n.Round(t)
			for n.Round(t).SeedSource != types.SEED_SOURCE_VALIDATOR_BEACON {
				n.Commit(t)
			}
			r = n.Round(t)
			n.AdvanceTo(t, r.AttestStart+1)
			require.Nil(t, n.Round(t).Seed)
			vote := n.SignedVote(t, r.AttestStart, ext(r.Id))
			tx, err := beacon.EncodeTx(abci.ExtendedCommitInfo{Votes: []abci.ExtendedVoteInfo{vote}})
			require.NoError(t, err)
			hash := sha256.Sum256([]byte("block"))
			n.FinalizeWithTxs(t, hash[:], [][]byte{tx})
			got := n.Round(t)
			require.Equal(t, types.SEED_SOURCE_BLOCK_HASH, got.SeedSource)
			require.Zero(t, got.SeedContributors)
			require.NotNil(t, got.Seed)
		})
	}
}

func TestBeaconBytesAreNotATransaction(t *testing.T) {
	n := roundtest.New(t, 1)
	tx, err := beacon.EncodeTx(abci.ExtendedCommitInfo{})
	require.NoError(t, err)
	res, err := n.App.CheckTx(&abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
	require.NoError(t, err)
	require.NotZero(t, res.Code)
	require.Contains(t, res.Log, "seed beacon")
}

func TestGenesisCarriesCommitmentsMidRound(t *testing.T) {
	n := roundtest.New(t, 5)
	n.Commit(t)
	n.Commit(t)
	gs, err := n.App.CCFKeeper.ExportGenesis(n.Ctx)
	require.NoError(t, err)
	require.Len(t, gs.BeaconCommitments, 1)
	require.NoError(t, gs.Validate())

	for name, mutate := range map[string]func(g *types.GenesisState){
		"listed twice": func(g *types.GenesisState) { g.BeaconCommitments = append(g.BeaconCommitments, g.BeaconCommitments[0]) },
		"short": func(g *types.GenesisState) {
			g.BeaconCommitments[0].Commitment = g.BeaconCommitments[0].Commitment[:31]
		},
		"other round":      func(g *types.GenesisState) { g.BeaconCommitments[0].Round++ },
		"no validator":     func(g *types.GenesisState) { g.BeaconCommitments[0].Validator = nil },
		"seed already set": func(g *types.GenesisState) { g.CurrentRound.Seed = []byte{1} },
		"awaited but empty": func(g *types.GenesisState) {
			g.CurrentRound.SeedSource = types.SEED_SOURCE_VALIDATOR_BEACON
			g.BeaconCommitments = nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			g := *gs
			r := *gs.CurrentRound
			g.CurrentRound = &r
			g.BeaconCommitments = []types.BeaconCommitment{gs.BeaconCommitments[0]}
			c := &g.BeaconCommitments[0]
			c.Commitment = append([]byte{}, c.Commitment...)
			mutate(&g)
			require.ErrorIs(t, g.Validate(), types.ErrInvalidGenesis)
		})
	}
}

func TestSecretsPersistAndSayWhatIsWrong(t *testing.T) {
	path := filepath.Join(t.TempDir(), beacon.SecretFile)
	a, err := beacon.NewSecrets(path).Secret("c", 1)
	require.NoError(t, err)
	st, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	b, err := beacon.NewSecrets(path).Secret("c", 1)
	require.NoError(t, err)
	require.Equal(t, a, b, "a restarted validator reveals what it committed to")
	c, err := beacon.NewSecrets(path).Secret("c", 2)
	require.NoError(t, err)
	require.NotEqual(t, a, c)
	d, err := beacon.NewSecrets(path).Secret("other-chain", 1)
	require.NoError(t, err)
	require.NotEqual(t, a, d)

	require.NoError(t, os.WriteFile(path, []byte("not hex"), 0o600))
	_, err = beacon.NewSecrets(path).Secret("c", 1)
	require.ErrorContains(t, err, "delete it")
}
