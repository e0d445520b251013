package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/testutil/apptest"
	"github.com/h3lix/h3lix/testutil/roundtest"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	identitykeeper "github.com/h3lix/h3lix/x/identity/keeper"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
	reputationtypes "github.com/h3lix/h3lix/x/reputation/types"
)

// runRound commits one artifact per producer (manifest from mk), reveals all
// but those in skipReveal, lets every assigned verifier vote with vote, and
// finalizes.
func runRound(t *testing.T, n *roundtest.Net, producers []int, mk func(p int) artifacttypes.Manifest,
	skipReveal map[int]bool, vote func(v, p int) artifacttypes.Verdict,
) (ccftypes.Field, map[int]uint64) {
	t.Helper()
	return runRoundWith(t, n, producers, mk, skipReveal, nil, vote)
}

// runRoundThen is runRound with beforeDisclose run after every attestation
// is sealed and before the openings are disclosed.
func runRoundThen(t *testing.T, n *roundtest.Net, producers []int, mk func(p int) artifacttypes.Manifest,
	beforeDisclose func(), vote func(v, p int) artifacttypes.Verdict,
) (ccftypes.Field, map[int]uint64) {
	t.Helper()
	return runRoundWith(t, n, producers, mk, nil, beforeDisclose, vote)
}

func runRoundWith(t *testing.T, n *roundtest.Net, producers []int, mk func(p int) artifacttypes.Manifest,
	skipReveal map[int]bool, beforeDisclose func(), vote func(v, p int) artifacttypes.Verdict,
) (ccftypes.Field, map[int]uint64) {
	t.Helper()
	r := n.Round(t)
	n.AdvanceTo(t, r.StartHeight)
	type art struct {
		id   uint64
		cid  string
		salt []byte
	}
	arts := map[int]art{}
	ids := map[int]uint64{}
	for _, p := range producers {
		id, c, salt := n.CommitArtifact(t, p, int(r.Id))
		arts[p] = art{id, c, salt}
		ids[p] = id
	}
	n.AdvanceTo(t, r.RevealStart)
	for _, p := range producers {
		if !skipReveal[p] {
			a := arts[p]
			n.Reveal(t, p, a.id, a.cid, a.salt, mk(p))
		}
	}
	n.AdvanceToSeed(t)
	for _, p := range producers {
		if skipReveal[p] {
			continue
		}
		for _, v := range n.Assigned(t, arts[p].id) {
			verdict := vote(v, p)
			if verdict == abstain {
				continue
			}
			q := uint32(0)
			if verdict == artifacttypes.VERDICT_VALID {
				q = 800_000
			}
			require.NoError(t, n.Attest(t, v, arts[p].id, verdict, q))
		}
	}
	if beforeDisclose != nil {
		beforeDisclose()
	}
	return n.FinalizeRound(t), ids
}

// abstain, returned by a vote function, sends no attestation.
const abstain = artifacttypes.VERDICT_UNSPECIFIED

func allValid(int, int) artifacttypes.Verdict { return artifacttypes.VERDICT_VALID }

func sameDomain(p int) artifacttypes.Manifest {
	return roundtest.Manifest(artifacttypes.DefaultDomain, int8(10+p%2))
}

func score(t *testing.T, n *roundtest.Net, p int) uint32 {
	s, err := n.App.ReputationKeeper.Score(n.Ctx, n.Nodes[p])
	require.NoError(t, err)
	return s
}

func all(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func TestLyingMinorityOfVerifiers(t *testing.T) {
	n := roundtest.New(t, 10)
	liars := map[int]bool{8: true, 9: true}
	f, ids := runRound(t, n, all(8), sameDomain, nil, func(v, p int) artifacttypes.Verdict {
		if liars[v] {
			return artifacttypes.VERDICT_INVALID
		}
		return artifacttypes.VERDICT_VALID
	})
	// Every verifier has the same (initial) weight here. Liars below a third
	// of an artifact's verifiers cannot stop its acceptance; liars below half
	// can never get it rejected (acceptance needs two thirds, rejection a
	// simple majority).
	var underThird, underHalf uint64
	for p := 0; p < 8; p++ {
		atts, err := n.App.ArtifactKeeper.AttestationsOf(n.Ctx, ids[p])
		require.NoError(t, err)
		lying := 0
		for _, a := range atts {
			if liars[n.Index(a.Verifier)] {
				lying++
			}
		}
		if 3*lying < len(atts) {
			underThird++
		}
		if 2*lying < len(atts) {
			underHalf++
		}
	}
	require.Positive(t, underThird)
	require.GreaterOrEqual(t, f.Counts.Accepted, underThird, "a lying third does not block acceptance")
	require.LessOrEqual(t, f.Counts.Rejected, 8-underHalf, "a lying minority never gets an honest artifact rejected")
	initial := reputationtypes.DefaultParams().InitialScorePpm
	for v := range liars {
		rep, err := n.App.ReputationKeeper.Get(n.Ctx, n.Nodes[v])
		require.NoError(t, err)
		// Without this the test would pass when the liars are never drawn.
		require.Positive(t, rep.Attestations, "liar %d was drawn", v)
		require.Less(t, rep.ScorePpm, initial, "liar %d loses reputation", v)
	}
	require.Greater(t, score(t, n, 0), initial)
}

func TestOutlierFiltered(t *testing.T) {
	n := roundtest.New(t, 8)
	f, ids := runRound(t, n, all(8), func(p int) artifacttypes.Manifest {
		if p == 7 {
			return roundtest.Manifest(artifacttypes.DefaultDomain, -100)
		}
		return sameDomain(p)
	}, nil, allValid)
	require.Equal(t, uint64(1), f.Counts.Outliers)
	for _, e := range f.Entries {
		require.NotEqual(t, ids[7], e.ArtifactId, "the outlier is not in the field")
	}
	require.Less(t, score(t, n, 7), score(t, n, 0), "an outlier earns less than a field entry")
}

func TestUnrevealedCommitPenalised(t *testing.T) {
	n := roundtest.New(t, 5)
	f, _ := runRound(t, n, all(5), sameDomain, map[int]bool{4: true}, allValid)
	require.Equal(t, uint64(1), f.Counts.Unrevealed)
	require.Equal(t, uint64(4), f.Counts.Revealed)
	rep, err := n.App.ReputationKeeper.Get(n.Ctx, n.Nodes[4])
	require.NoError(t, err)
	require.Equal(t, uint64(1), rep.ArtifactsUnrevealed)
	// Node 4 verified honestly too, so compare it with a node that revealed.
	require.Less(t, rep.ScorePpm, score(t, n, 0), "the unrevealed commit costs reputation")
}

func TestRepeatedInvalidSlashesAndJails(t *testing.T) {
	n := roundtest.New(t, 6)
	bond0, err := n.App.IdentityKeeper.GetNode(n.Ctx, n.Nodes[0])
	require.NoError(t, err)
	// Node 0 publishes invalid artifacts and, as a verifier, votes against
	// everyone else: a consistently malicious node.
	cheat := func(v, p int) artifacttypes.Verdict {
		if p == 0 || v == 0 {
			return artifacttypes.VERDICT_INVALID
		}
		return artifacttypes.VERDICT_VALID
	}
	var jailedAfter int
	for round := 1; round <= 12; round++ {
		// A determined attacker tops its bond up after every slash (at
		// least 7 HLX a round) to keep publishing.
		topUp(t, n, 0)
		f, _ := runRound(t, n, all(6), sameDomain, nil, cheat)
		require.Equal(t, uint64(1), f.Counts.Rejected, "round %d", round)
		jailed, err := n.App.ReputationKeeper.IsJailed(n.Ctx, n.Nodes[0], n.Round(t).Id)
		require.NoError(t, err)
		if jailed {
			jailedAfter = round
			break
		}
	}
	require.Positive(t, jailedAfter, "never jailed")
	node, err := n.App.IdentityKeeper.GetNode(n.Ctx, n.Nodes[0])
	require.NoError(t, err)
	require.True(t, node.Bond.Amount.LT(bond0.Bond.Amount), "bond slashed")
	rep, err := n.App.ReputationKeeper.Get(n.Ctx, n.Nodes[0])
	require.NoError(t, err)
	// One slash per INVALID artifact, and more for voting against the
	// consensus round after round.
	require.Greater(t, rep.Slashes, uint64(jailedAfter))

	// The jailed node cannot commit in the next round.
	topUp(t, n, 0)
	_, c := roundtest.Payload(0, 99)
	_, err = n.Artifact.CommitArtifact(n.Ctx, &artifacttypes.MsgCommitArtifact{
		Producer: n.Nodes[0].String(), Round: n.Round(t).Id, Commitment: roundtest.CommitmentFor(t, c, roundtest.Salt(c), n.Nodes[0]),
	})
	require.ErrorIs(t, err, reputationtypes.ErrNodeJailed)
}

func TestEmptyRound(t *testing.T) {
	n := roundtest.New(t, 2)
	f := n.FinalizeRound(t)
	require.Empty(t, f.Entries)
	require.True(t, f.Degenerate)
	require.Zero(t, f.Counts.Committed)
	require.Equal(t, uint64(2), n.Round(t).Id)
	require.True(t, f.ProducerRewards.IsZero())
}

func TestRoundLargerThanBlockCap(t *testing.T) {
	n := roundtest.New(t, 7)
	p, err := n.App.CCFKeeper.Params.Get(n.Ctx)
	require.NoError(t, err)
	p.MaxFinalizePerBlock = 2
	require.NoError(t, n.App.CCFKeeper.Params.Set(n.Ctx, p))
	f, _ := runRound(t, n, all(7), sameDomain, nil, allValid)
	r, err := n.App.CCFKeeper.Rounds.Get(n.Ctx, f.Round)
	require.NoError(t, err)
	require.Equal(t, uint64(7), f.Counts.Committed)
	require.Len(t, f.Entries, 7)
	// 7 artifacts at 2 per block: 4 blocks, the first at FinalizeStart-1;
	// then 7 tallies at 2 per block from the block that built the field: 4.
	require.Equal(t, r.FinalizeStart-1+6, f.FinalizedHeight)
}

func TestEmptyPoolPaysWhatItHas(t *testing.T) {
	n := roundtest.New(t, 4)
	fundPool(t, n, 1_000) // far less than reward_per_round
	f, _ := runRound(t, n, all(4), sameDomain, nil, allValid)
	paid := f.ProducerRewards.Add(f.VerifierRewards)
	require.True(t, paid.Amount.LTE(sdkInt(1_000)), "paid %s from a pool of 1000", paid)
	pool := n.App.BankKeeper.GetBalance(n.Ctx, n.App.AccountKeeper.GetModuleAddress(ccftypes.ModuleName), "uhlx")
	require.True(t, sdkInt(1_000).Sub(paid.Amount).Equal(pool.Amount), "pool %s, paid %s", pool, paid)

	// Nothing left at all: the next round still finalizes.
	f2, _ := runRound(t, n, all(4), sameDomain, nil, allValid)
	require.NotEmpty(t, f2.Entries)
}

func TestPruningKeepsFields(t *testing.T) {
	n := roundtest.New(t, 3)
	p, err := n.App.CCFKeeper.Params.Get(n.Ctx)
	require.NoError(t, err)
	p.RetainRounds = 1
	require.NoError(t, n.App.CCFKeeper.Params.Set(n.Ctx, p))
	_, ids := runRound(t, n, all(3), sameDomain, nil, allValid)
	runRound(t, n, all(3), sameDomain, nil, allValid)
	runRound(t, n, all(3), sameDomain, nil, allValid)
	n.Fixture.Commit(t)
	_, err = n.App.ArtifactKeeper.GetArtifact(n.Ctx, ids[0])
	require.ErrorIs(t, err, artifacttypes.ErrArtifactNotFound, "round 1 records are pruned")
	_, err = n.App.CCFKeeper.GetField(n.Ctx, 1)
	require.NoError(t, err, "fields stay")
	has, err := n.App.ArtifactKeeper.VerifierSets.Has(n.Ctx, 1)
	require.NoError(t, err)
	require.False(t, has)
}

func TestGenesisRoundTripMidRound(t *testing.T) {
	n := roundtest.New(t, 4)
	runRound(t, n, all(4), sameDomain, nil, allValid)
	// Leave round 2 in its reveal phase with commits and a reveal.
	id, c, salt := n.CommitArtifact(t, 0, 50)
	n.CommitArtifact(t, 1, 50)
	n.AdvanceTo(t, n.Round(t).RevealStart)
	n.Reveal(t, 0, id, c, salt, sameDomain(0))

	ccfGen, err := n.App.CCFKeeper.ExportGenesis(n.Ctx)
	require.NoError(t, err)
	artGen, err := n.App.ArtifactKeeper.ExportGenesis(n.Ctx)
	require.NoError(t, err)
	require.NoError(t, ccfGen.Validate())
	require.NoError(t, artGen.Validate())

	fresh := apptest.New(t, 1, nil)
	// Without x/identity's records the artifact genesis is refused: a
	// producer the chain does not know would halt finalization later.
	require.ErrorIs(t, fresh.App.ArtifactKeeper.InitGenesis(fresh.Ctx, *artGen), artifacttypes.ErrInvalidGenesis)
	fresh = apptest.New(t, 1, nil)
	copyNodes(t, n.Fixture, fresh)
	require.NoError(t, fresh.App.ArtifactKeeper.InitGenesis(fresh.Ctx, *artGen))
	require.NoError(t, fresh.App.CCFKeeper.InitGenesis(fresh.Ctx, *ccfGen))
	artAgain, err := fresh.App.ArtifactKeeper.ExportGenesis(fresh.Ctx)
	require.NoError(t, err)
	ccfAgain, err := fresh.App.CCFKeeper.ExportGenesis(fresh.Ctx)
	require.NoError(t, err)
	require.Equal(t, artGen, artAgain)
	require.Equal(t, ccfGen, ccfAgain)
}

func TestCandidateSetIsBounded(t *testing.T) {
	n := roundtest.New(t, 6)
	p, err := n.App.CCFKeeper.Params.Get(n.Ctx)
	require.NoError(t, err)
	p.MaxFieldSize, p.MaxFieldCandidates, p.MaxFinalizePerBlock = 2, 3, 2
	require.NoError(t, n.App.CCFKeeper.Params.Set(n.Ctx, p))
	f, _ := runRound(t, n, all(6), sameDomain, nil, allValid)
	require.Equal(t, uint64(6), f.Counts.Accepted)
	require.Len(t, f.Entries, 2, "max_field_size")
	require.Equal(t, uint64(2), f.Counts.InField)
	has, err := n.App.CCFKeeper.Candidates.Iterate(n.Ctx, nil)
	require.NoError(t, err)
	require.False(t, has.Valid(), "candidates are cleared after the round")
	has.Close()
	// Every accepted producer got exactly one outcome for its artifact.
	for i := range n.Nodes {
		rep, err := n.App.ReputationKeeper.Get(n.Ctx, n.Nodes[i])
		require.NoError(t, err)
		require.Equal(t, uint64(1), rep.ArtifactsAccepted, "node %d", i)
	}
}

// Governance changing embedding_dim while a round is open leaves embeddings
// of two sizes in one round: finalization must not halt the chain.
func TestEmbeddingDimChangedMidRound(t *testing.T) {
	n := roundtest.New(t, 5)
	r := n.Round(t)
	type art struct {
		id   uint64
		cid  string
		salt []byte
	}
	var arts []art
	for p := 0; p < 5; p++ {
		id, c, salt := n.CommitArtifact(t, p, 0)
		arts = append(arts, art{id, c, salt})
	}
	n.AdvanceTo(t, r.RevealStart)
	for p := 0; p < 3; p++ {
		n.Reveal(t, p, arts[p].id, arts[p].cid, arts[p].salt, sameDomain(p))
	}
	ap, err := n.App.ArtifactKeeper.Params.Get(n.Ctx)
	require.NoError(t, err)
	ap.EmbeddingDim = 32
	for i := range ap.Domains {
		ap.Domains[i].EmbeddingDim = 32
	}
	require.NoError(t, ap.Validate())
	require.NoError(t, n.App.ArtifactKeeper.Params.Set(n.Ctx, ap))
	for p := 3; p < 5; p++ {
		m := sameDomain(p)
		m.Embedding = m.Embedding[:32]
		n.Reveal(t, p, arts[p].id, arts[p].cid, arts[p].salt, m)
	}
	n.AdvanceToSeed(t)
	for _, a := range arts {
		for _, v := range n.Assigned(t, a.id) {
			require.NoError(t, n.Attest(t, v, a.id, artifacttypes.VERDICT_VALID, 800_000))
		}
	}
	f := n.FinalizeRound(t)
	require.Equal(t, uint64(5), f.Counts.Accepted)
	require.NotEmpty(t, f.Entries)
	require.Less(t, len(f.Entries), 5, "only one embedding size makes it into the field")
	require.Equal(t, uint64(2), n.Round(t).Id, "the chain moved on")
}

// topUp brings node p's bond back to min_bond, as its operator would after a
// slash (a node below it may not act).
func topUp(t *testing.T, n *roundtest.Net, p int) {
	t.Helper()
	node, err := n.App.IdentityKeeper.GetNode(n.Ctx, n.Nodes[p])
	require.NoError(t, err)
	ip, err := n.App.IdentityKeeper.Params.Get(n.Ctx)
	require.NoError(t, err)
	if node.Bond.Amount.GTE(ip.MinBond.Amount) {
		return
	}
	add := ip.MinBond.Sub(node.Bond)
	_, err = identitykeeper.NewMsgServerImpl(n.App.IdentityKeeper).UpdateNode(n.Ctx, &identitytypes.MsgUpdateNode{Operator: n.Nodes[p].String(), AddBond: &add})
	require.NoError(t, err)
}

// copyNodes writes every identity node record of from into to, as
// x/identity's genesis (loaded before the round modules) would.
func copyNodes(t *testing.T, from, to *apptest.Fixture) {
	t.Helper()
	require.NoError(t, from.App.IdentityKeeper.Nodes.Walk(from.Ctx, nil, func(op sdk.AccAddress, node identitytypes.Node) (bool, error) {
		return false, to.App.IdentityKeeper.Nodes.Set(to.Ctx, op, node)
	}))
}
