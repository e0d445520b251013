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

func balance(t *testing.T, n *roundtest.Net, p int) sdk.Coin {
	t.Helper()
	return n.App.BankKeeper.GetBalance(n.Ctx, n.Nodes[p], "uhlx")
}

// One person with a producer and one fresh verifier account: before, the
// verifier's lone VALID met min_attested_weight and the pair took 8 of the
// round's 10 HLX for a one-entry field. Now a verdict needs two distinct
// verifiers, and the round pays nothing.
func TestSybilPairEarnsNothing(t *testing.T) {
	n := roundtest.New(t, 2)
	fundPool(t, n, 100_000_000)
	before := []sdk.Coin{balance(t, n, 0), balance(t, n, 1)}
	f, _ := runRound(t, n, []int{0}, sameDomain, nil, allValid)
	require.Equal(t, uint64(1), f.Counts.Attestations, "the sybil verifier attested")
	require.Equal(t, uint64(1), f.Counts.NoConsensus, "one attester is no quorum")
	require.Empty(t, f.Entries)
	require.True(t, f.ProducerRewards.IsZero())
	require.True(t, f.VerifierRewards.IsZero())
	require.Equal(t, before, []sdk.Coin{balance(t, n, 0), balance(t, n, 1)})
}

// Three accounts (one producer, two fresh verifiers) reach the quorum, but a
// one-entry field is degenerate: neither producers nor verifiers are paid.
func TestSybilTrioJunkFieldEarnsNothing(t *testing.T) {
	n := roundtest.New(t, 3)
	fundPool(t, n, 100_000_000)
	before := []sdk.Coin{balance(t, n, 0), balance(t, n, 1), balance(t, n, 2)}
	f, _ := runRound(t, n, []int{0}, sameDomain, nil, allValid)
	require.Equal(t, uint64(1), f.Counts.Accepted)
	require.Len(t, f.Entries, 1)
	require.True(t, f.Degenerate)
	require.True(t, f.ProducerRewards.IsZero())
	require.True(t, f.VerifierRewards.IsZero())
	require.Equal(t, before, []sdk.Coin{balance(t, n, 0), balance(t, n, 1), balance(t, n, 2)})
}

// A field from two producers when min_field_producers is 3 pays two thirds.
func TestUncontestedFieldPaysLess(t *testing.T) {
	n := roundtest.New(t, 5)
	fundPool(t, n, 100_000_000)
	f, _ := runRound(t, n, []int{0, 1}, sameDomain, nil, allValid)
	require.Len(t, f.Entries, 2)
	require.False(t, f.Degenerate)
	p := ccftypes.DefaultParams()
	full := p.RewardPerRound.Amount.MulRaw(int64(ccftypes.PPM - p.VerifierRewardSharePpm)).QuoRaw(ccftypes.PPM)
	require.True(t, f.ProducerRewards.Amount.LTE(full.MulRaw(2).QuoRaw(3)), "paid %s of %s", f.ProducerRewards, full)
	require.True(t, f.ProducerRewards.Amount.GT(full.MulRaw(2).QuoRaw(3).SubRaw(10)), "paid %s of %s", f.ProducerRewards, full)
}

// An assigned verifier that never attests loses reputation and its share;
// before, silence cost nothing.
func TestAbstainingVerifierLosesReputation(t *testing.T) {
	n := roundtest.New(t, 8)
	const silent = 7
	runRound(t, n, all(7), sameDomain, nil, func(v, p int) artifacttypes.Verdict {
		if v == silent {
			return abstain
		}
		return artifacttypes.VERDICT_VALID
	})
	rep, err := n.App.ReputationKeeper.Get(n.Ctx, n.Nodes[silent])
	require.NoError(t, err)
	require.Positive(t, rep.AssignmentsMissed, "the silent node was assigned")
	require.Zero(t, rep.Attestations)
	require.Less(t, rep.ScorePpm, reputationtypes.DefaultParams().InitialScorePpm)
	require.Greater(t, score(t, n, 0), reputationtypes.DefaultParams().InitialScorePpm)
}

// A colluding majority that rejects an honest minority's artifacts can slash
// them, but reputations move once per round: one EMA step, not one per
// attestation, so the minority is not jailed in one round (before, scores
// stepped per outcome and a verifier went 0.5 → 0.795 in one round).
func TestReputationMovesOncePerRound(t *testing.T) {
	n := roundtest.New(t, 6)
	honest := map[int]bool{0: true, 1: true}
	runRound(t, n, all(6), sameDomain, nil, func(v, p int) artifacttypes.Verdict {
		if !honest[v] && honest[p] {
			return artifacttypes.VERDICT_INVALID
		}
		return artifacttypes.VERDICT_VALID
	})
	rp := reputationtypes.DefaultParams()
	for p := range 6 {
		rep, err := n.App.ReputationKeeper.Get(n.Ctx, n.Nodes[p])
		require.NoError(t, err)
		require.Equal(t, uint64(1), rep.Rounds, "node %d", p)
		// One step of alpha from the initial score, whatever the signal.
		lo := reputationtypes.EMA(rp.InitialScorePpm, 0, rp.EmaAlphaPpm)
		hi := reputationtypes.EMA(rp.InitialScorePpm, ccftypes.PPM, rp.EmaAlphaPpm)
		require.GreaterOrEqual(t, rep.ScorePpm, lo, "node %d", p)
		require.LessOrEqual(t, rep.ScorePpm, hi, "node %d", p)
		jailed, err := n.App.ReputationKeeper.IsJailed(n.Ctx, n.Nodes[p], n.Round(t).Id)
		require.NoError(t, err)
		require.False(t, jailed, "node %d jailed after one round", p)
	}
}

// A poisoner that verifies honestly still ends its round at signal 0: an
// INVALID artifact costs the whole round (before, ten honest attestations
// outweighed it and poisoners ended above honest nodes).
func TestPoisonerThatVerifiesHonestlyStillFalls(t *testing.T) {
	n := roundtest.New(t, 6)
	for round := 0; round < 3; round++ {
		topUp(t, n, 0)
		runRound(t, n, all(6), sameDomain, nil, func(v, p int) artifacttypes.Verdict {
			if p == 0 {
				return artifacttypes.VERDICT_INVALID
			}
			return artifacttypes.VERDICT_VALID
		})
	}
	rep, err := n.App.ReputationKeeper.Get(n.Ctx, n.Nodes[0])
	require.NoError(t, err)
	require.Positive(t, rep.AttestationsAgreed, "the poisoner verified honestly")
	for p := 1; p < 6; p++ {
		require.Less(t, rep.ScorePpm, score(t, n, p), "poisoner below honest node %d", p)
	}
	require.Less(t, rep.ScorePpm, reputationtypes.DefaultParams().InitialScorePpm)
}

// Republishing a CID revealed in an earlier round is refused and changes
// nothing (before, the replay was accepted as REVEALED and could be paid
// again).
func TestCIDReplayRejected(t *testing.T) {
	n := roundtest.New(t, 4)
	runRound(t, n, all(4), sameDomain, nil, allValid)
	r := n.Round(t)
	n.AdvanceTo(t, r.StartHeight)
	id, c, salt := n.CommitArtifact(t, 0, 1) // the payload of round 1 again (runRound uses the round id as nonce)
	n.AdvanceTo(t, r.RevealStart)
	before := n.StoreDump(t, artifacttypes.StoreKey)
	m := sameDomain(0)
	data, _ := roundtest.Payload(0, 1)
	m.PayloadSize, m.ChunkRoot = uint64(len(data)), artifacttypes.ChunkRoot(data)
	_, err := n.Artifact.RevealArtifact(n.Ctx, &artifacttypes.MsgRevealArtifact{
		Producer: n.Nodes[0].String(), ArtifactId: id, Cid: c, Salt: salt, Manifest: m,
	})
	require.ErrorIs(t, err, artifacttypes.ErrCIDReplay)
	require.Equal(t, before, n.StoreDump(t, artifacttypes.StoreKey))
}

// An artifact record that makes judging fail is skipped and counted; the
// rest of the round finalizes and the chain moves on.
func TestFailingArtifactIsIsolated(t *testing.T) {
	n := roundtest.New(t, 5)
	r := n.Round(t)
	n.AdvanceTo(t, r.StartHeight)
	type art struct {
		id   uint64
		cid  string
		salt []byte
	}
	var arts []art
	for p := range 5 {
		id, c, salt := n.CommitArtifact(t, p, 0)
		arts = append(arts, art{id, c, salt})
	}
	n.AdvanceTo(t, r.RevealStart)
	for p, a := range arts {
		n.Reveal(t, p, a.id, a.cid, a.salt, sameDomain(p))
	}
	n.AdvanceToSeed(t)
	for _, a := range arts {
		for _, v := range n.Assigned(t, a.id) {
			require.NoError(t, n.Attest(t, v, a.id, artifacttypes.VERDICT_VALID, 800_000))
		}
	}
	// Corrupt one record the way only a bug could.
	bad, err := n.App.ArtifactKeeper.GetArtifact(n.Ctx, arts[2].id)
	require.NoError(t, err)
	bad.Producer = "not-an-address"
	require.NoError(t, n.App.ArtifactKeeper.Artifacts.Set(n.Ctx, bad.Id, bad))

	f := n.FinalizeRound(t)
	require.Equal(t, uint64(1), f.Counts.Failed)
	require.Equal(t, uint64(4), f.Counts.Accepted)
	require.Equal(t, r.Id+1, n.Round(t).Id, "the chain moved on")
}

// Genesis export in the middle of settlement round-trips exactly.
func TestGenesisRoundTripWhileSettling(t *testing.T) {
	n := roundtest.New(t, 5)
	p, err := n.App.CCFKeeper.Params.Get(n.Ctx)
	require.NoError(t, err)
	p.MaxFinalizePerBlock = 1
	require.NoError(t, n.App.CCFKeeper.Params.Set(n.Ctx, p))
	r := n.Round(t)
	n.AdvanceTo(t, r.StartHeight)
	type art struct {
		id   uint64
		cid  string
		salt []byte
	}
	var arts []art
	for q := range 5 {
		id, c, salt := n.CommitArtifact(t, q, 0)
		arts = append(arts, art{id, c, salt})
	}
	n.AdvanceTo(t, r.RevealStart)
	for q, a := range arts {
		n.Reveal(t, q, a.id, a.cid, a.salt, sameDomain(q))
	}
	n.AdvanceToSeed(t)
	for _, a := range arts {
		for _, v := range n.Assigned(t, a.id) {
			require.NoError(t, n.Attest(t, v, a.id, artifacttypes.VERDICT_VALID, 800_000))
		}
	}
	for i := 0; ; i++ {
		require.Less(t, i, 100, "never settling")
		n.Fixture.Commit(t)
		cur := n.Round(t)
		if cur.Settling {
			break
		}
	}
	ccfGen, err := n.App.CCFKeeper.ExportGenesis(n.Ctx)
	require.NoError(t, err)
	require.NotEmpty(t, ccfGen.Tallies)
	require.NotNil(t, ccfGen.PendingField)
	require.NoError(t, ccfGen.Validate())

	fresh := apptest.New(t, 1, nil)
	copyNodes(t, n.Fixture, fresh)
	require.NoError(t, fresh.App.CCFKeeper.InitGenesis(fresh.Ctx, *ccfGen))
	again, err := fresh.App.CCFKeeper.ExportGenesis(fresh.Ctx)
	require.NoError(t, err)
	require.Equal(t, ccfGen, again)

	// A genesis that says "settling" without its pending field is refused.
	broken := *ccfGen
	broken.PendingField = nil
	require.ErrorIs(t, broken.Validate(), ccftypes.ErrInvalidGenesis)
	broken = *ccfGen
	broken.Tallies = append(append([]ccftypes.Tally(nil), ccfGen.Tallies...), ccfGen.Tallies[0])
	require.ErrorIs(t, broken.Validate(), ccftypes.ErrInvalidGenesis)
}

func TestRoundSignal(t *testing.T) {
	for name, tc := range map[string]struct {
		t    ccftypes.Tally
		want uint32
	}{
		"no outcome":               {ccftypes.Tally{}, 0},
		"mean":                     {ccftypes.Tally{SignalSum: 1_500_000, Outcomes: 2}, 750_000},
		"invalid zeroes the round": {ccftypes.Tally{SignalSum: 9_000_000, Outcomes: 10, Invalid: 1}, 0},
		"missed counts as zero":    {ccftypes.Tally{SignalSum: 1_000_000, Outcomes: 2, Missed: 1}, 500_000},
		"approving poison zeroes":  {ccftypes.Tally{SignalSum: 9_000_000, Outcomes: 10, ApprovedInvalid: 1}, 0},
	} {
		require.Equal(t, tc.want, ccftypes.RoundSignal(tc.t), name)
	}
}

// The verifier set is built only from active verifiers, a batch per block:
// 100k node records, nearly all deregistered, cost nothing to skip, and a set
// larger than a block's cap is built over several blocks, extending the
// reveal phase instead of shortening the attest phase.
func TestFreezeIsBoundedWith100kNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 100k node records")
	}
	n := roundtest.New(t, 4)
	ik := n.App.IdentityKeeper
	tmpl, err := ik.GetNode(n.Ctx, n.Nodes[0])
	require.NoError(t, err)
	const total, active = 100_000, 30
	for i := range total {
		op := sdk.AccAddress([]byte{0xfe, byte(i >> 16), byte(i >> 8), byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
		node := tmpl
		node.Operator, node.PeerId = op.String(), ""
		node.Status = identitytypes.NODE_STATUS_DEREGISTERED
		if i < active {
			node.Status = identitytypes.NODE_STATUS_ACTIVE
		}
		node.PeerId = op.String() // unique; never dialled
		require.NoError(t, ik.Nodes.Set(n.Ctx, op, node))
	}
	// 4 + 30 active verifiers at 8 per block: 5 blocks.
	p, err := n.App.CCFKeeper.Params.Get(n.Ctx)
	require.NoError(t, err)
	p.MaxFinalizePerBlock = 8
	p.RevealBlocks = 2
	require.NoError(t, n.App.CCFKeeper.Params.Set(n.Ctx, p))
	n.FinalizeRound(t) // round 1 was laid out with the old params
	r := n.Round(t)
	require.Equal(t, int64(2), r.AttestStart-r.RevealStart)

	var visited uint64
	done, err := n.App.ArtifactKeeper.FreezeStep(n.Ctx, 999, 3, 8)
	require.NoError(t, err)
	require.False(t, done)
	set, err := n.App.ArtifactKeeper.VerifierSets.Get(n.Ctx, 999)
	require.NoError(t, err)
	visited = set.Count
	require.Equal(t, uint64(8), visited, "one call visits at most the cap")

	n.AdvanceTo(t, r.AttestStart)
	r2 := n.Round(t)
	require.Nil(t, r2.Seed, "the set is not complete yet: still revealing")
	require.Greater(t, r2.AttestStart, r.AttestStart, "the reveal phase was extended")
	require.Equal(t, r.FinalizeStart-r.AttestStart, r2.FinalizeStart-r2.AttestStart, "the attest phase keeps its length")
	for n.Round(t).Seed == nil {
		n.Fixture.Commit(t)
	}
	set, err = n.App.ArtifactKeeper.VerifierSets.Get(n.Ctx, r.Id)
	require.NoError(t, err)
	require.Equal(t, uint64(4+active), set.Count, "every active verifier, no deregistered one")
	require.True(t, set.Complete)
}

// Poison costs more than any artifact can earn: at least the producer share
// of a round's reward is burned from the bond, and a node slashed below the
// minimum bond can neither commit nor be drawn as a verifier until it tops
// its bond up.
func TestPoisonCostsMoreThanItCouldEarn(t *testing.T) {
	n := roundtest.New(t, 5)
	before, err := n.App.IdentityKeeper.GetNode(n.Ctx, n.Nodes[0])
	require.NoError(t, err)
	runRound(t, n, all(5), sameDomain, nil, func(v, p int) artifacttypes.Verdict {
		if p == 0 {
			return artifacttypes.VERDICT_INVALID
		}
		return artifacttypes.VERDICT_VALID
	})
	after, err := n.App.IdentityKeeper.GetNode(n.Ctx, n.Nodes[0])
	require.NoError(t, err)
	p := ccftypes.DefaultParams()
	share := p.RewardPerRound.Amount.MulRaw(int64(ccftypes.PPM - p.VerifierRewardSharePpm)).QuoRaw(ccftypes.PPM)
	require.True(t, before.Bond.Amount.Sub(after.Bond.Amount).GTE(share), "burned %s, a round's producer share is %s", before.Bond.Sub(after.Bond), share)

	r := n.Round(t)
	n.AdvanceTo(t, r.StartHeight)
	_, c := roundtest.Payload(0, 77)
	_, err = n.Artifact.CommitArtifact(n.Ctx, &artifacttypes.MsgCommitArtifact{
		Producer: n.Nodes[0].String(), Round: r.Id, Commitment: roundtest.CommitmentFor(t, c, roundtest.Salt(c), n.Nodes[0]),
	})
	require.ErrorIs(t, err, identitytypes.ErrBondTooLow)
	n.AdvanceToSeed(t)
	set, err := n.App.ArtifactKeeper.VerifierSets.Get(n.Ctx, r.Id)
	require.NoError(t, err)
	require.Equal(t, uint64(4), set.Count, "the under-bonded node is not drawn")
	w, err := n.App.ArtifactKeeper.FrozenWeight(n.Ctx, r.Id, n.Nodes[0])
	require.NoError(t, err)
	require.Zero(t, w)
}

// The commit fee is escrowed: refunded on reveal, burned when the
// commitment is never opened.
func TestCommitFeeRefundedOnRevealBurnedOtherwise(t *testing.T) {
	n := roundtest.New(t, 4)
	fee := artifacttypes.DefaultParams().CommitFee
	require.True(t, fee.IsPositive())
	escrow := func() sdk.Coin {
		return n.App.BankKeeper.GetBalance(n.Ctx, n.App.AccountKeeper.GetModuleAddress(artifacttypes.ModuleName), "uhlx")
	}
	r := n.Round(t)
	n.AdvanceTo(t, r.StartHeight)
	b0 := balance(t, n, 0)
	id0, c0, s0 := n.CommitArtifact(t, 0, 1)
	n.CommitArtifact(t, 1, 1)
	require.Equal(t, b0.Sub(fee), balance(t, n, 0))
	require.Equal(t, fee.Add(fee), escrow())
	n.AdvanceTo(t, r.RevealStart)
	n.Reveal(t, 0, id0, c0, s0, sameDomain(0))
	require.Equal(t, b0, balance(t, n, 0), "refunded on reveal")
	require.Equal(t, fee, escrow(), "node 1's fee waits for finalization")
	n.FinalizeRound(t)
	require.True(t, escrow().IsZero(), "the unopened commitment's fee is burned: %s left", escrow())
}

// Deregistering right after publishing poison does not take the bond out of
// reach: even with a one-block unbonding period, the release waits until the
// round is finalized, and the slash comes first.
func TestDeregisterThenSlash(t *testing.T) {
	n := roundtest.New(t, 5)
	ip, err := n.App.IdentityKeeper.Params.Get(n.Ctx)
	require.NoError(t, err)
	ip.UnbondingBlocks = 1
	require.NoError(t, ip.Validate())
	require.NoError(t, n.App.IdentityKeeper.Params.Set(n.Ctx, ip))

	r := n.Round(t)
	n.AdvanceTo(t, r.StartHeight)
	type art struct {
		id   uint64
		cid  string
		salt []byte
	}
	var arts []art
	for q := range 5 {
		id, c, salt := n.CommitArtifact(t, q, 0)
		arts = append(arts, art{id, c, salt})
	}
	n.AdvanceTo(t, r.RevealStart)
	for q, a := range arts {
		n.Reveal(t, q, a.id, a.cid, a.salt, sameDomain(q))
	}
	before := balance(t, n, 0)
	_, err = identitykeeper.NewMsgServerImpl(n.App.IdentityKeeper).DeregisterNode(n.Ctx, &identitytypes.MsgDeregisterNode{Operator: n.Nodes[0].String()})
	require.NoError(t, err)
	n.AdvanceToSeed(t)
	node, err := n.App.IdentityKeeper.GetNode(n.Ctx, n.Nodes[0])
	require.NoError(t, err)
	require.Equal(t, identitytypes.NODE_STATUS_UNBONDING, node.Status, "the release waits for the round")
	require.Equal(t, ip.MinBond, node.Bond)
	for _, a := range arts[1:] {
		for _, v := range n.Assigned(t, a.id) {
			if v == 0 { // frozen into the set before it left; it can no longer attest
				continue
			}
			require.NoError(t, n.Attest(t, v, a.id, artifacttypes.VERDICT_VALID, 800_000))
		}
	}
	for _, v := range n.Assigned(t, arts[0].id) {
		require.NoError(t, n.Attest(t, v, arts[0].id, artifacttypes.VERDICT_INVALID, 0))
	}
	f := n.FinalizeRound(t)
	require.Equal(t, uint64(1), f.Counts.Rejected)
	n.Fixture.Commit(t)
	n.Fixture.Commit(t)
	node, err = n.App.IdentityKeeper.GetNode(n.Ctx, n.Nodes[0])
	require.NoError(t, err)
	require.Equal(t, identitytypes.NODE_STATUS_DEREGISTERED, node.Status, "released once the round is final")
	p := ccftypes.DefaultParams()
	share := p.RewardPerRound.Amount.MulRaw(int64(ccftypes.PPM - p.VerifierRewardSharePpm)).QuoRaw(ccftypes.PPM)
	returned := balance(t, n, 0).Sub(before)
	require.True(t, returned.Amount.LTE(ip.MinBond.Amount.Sub(share)), "got back %s of a %s bond after a slash of at least %s", returned, ip.MinBond, share)
}

// A node whose settlement fails (here: its record already has a later
// round, which only a bug could cause) is skipped and logged; the others
// settle and the chain moves on.
func TestFailingSettlementIsIsolated(t *testing.T) {
	n := roundtest.New(t, 5)
	rk := n.App.ReputationKeeper
	rec, err := rk.ApplyOutcome(n.Ctx, n.Nodes[2], reputationtypes.Outcome{Round: 99, SignalPPM: 500_000})
	require.NoError(t, err)
	f, _ := runRound(t, n, all(5), sameDomain, nil, allValid)
	require.NotEmpty(t, f.Entries)
	after, err := rk.Get(n.Ctx, n.Nodes[2])
	require.NoError(t, err)
	require.Equal(t, rec, after, "the failing node's record is untouched")
	other, err := rk.Get(n.Ctx, n.Nodes[0])
	require.NoError(t, err)
	require.Equal(t, uint64(1), other.Rounds, "the others settled")
	require.Equal(t, uint64(2), n.Round(t).Id)
	it, err := n.App.CCFKeeper.Tallies.Iterate(n.Ctx, nil)
	require.NoError(t, err)
	require.False(t, it.Valid(), "no tally left behind")
	it.Close()
}

// Domain evasion on the real app: an artifact far from the others that
// claims a domain label of its own is filtered as an outlier (before, the
// outlier filter ran per domain and the lone point was its own centre).
func TestDomainEvasionFiltered(t *testing.T) {
	n := roundtest.New(t, 8)
	// The registry refuses unknown labels; a registered domain that few
	// artifacts use is the remaining way to be alone in one.
	registerDomains(t, n, artifacttypes.DefaultDomain, "evasion")
	f, ids := runRound(t, n, all(8), func(p int) artifacttypes.Manifest {
		if p == 7 {
			return roundtest.Manifest("evasion", -100)
		}
		return sameDomain(p)
	}, nil, allValid)
	require.Equal(t, uint64(1), f.Counts.Outliers)
	for _, e := range f.Entries {
		require.NotEqual(t, ids[7], e.ArtifactId, "the evading outlier is not in the field")
	}
}

// EMA centroids of domains that stop appearing are dropped after
// ema_domain_rounds, and at most max_ema_domains are kept: fields no longer
// carry every label ever used.
func TestEMAEvictsStaleDomains(t *testing.T) {
	n := roundtest.New(t, 5)
	registerDomains(t, n, "old", "new", "third")
	p, err := n.App.CCFKeeper.Params.Get(n.Ctx)
	require.NoError(t, err)
	p.EmaDomainRounds = 2
	require.NoError(t, p.Validate())
	require.NoError(t, n.App.CCFKeeper.Params.Set(n.Ctx, p))
	domains := func(f ccftypes.Field) []string {
		var out []string
		for _, v := range f.EmaCentroids {
			out = append(out, v.Domain)
		}
		return out
	}
	label := func(d string) func(int) artifacttypes.Manifest {
		return func(q int) artifacttypes.Manifest { return roundtest.Manifest(d, int8(10+q%2)) }
	}
	f1, _ := runRound(t, n, all(5), label("old"), nil, allValid)
	require.Equal(t, []string{"old"}, domains(f1))
	f2, _ := runRound(t, n, all(5), label("new"), nil, allValid)
	require.Equal(t, []string{"new", "old"}, domains(f2), "seen one round ago: kept")
	require.Equal(t, f1.Round, f2.EmaCentroids[1].LastRound)
	f3, _ := runRound(t, n, all(5), label("new"), nil, allValid)
	require.Equal(t, []string{"new"}, domains(f3), "unseen for ema_domain_rounds: dropped")
	require.Equal(t, f3.Round, f3.EmaCentroids[0].LastRound)

	p.MaxEmaDomains, p.EmaDomainRounds = 1, 100
	require.NoError(t, n.App.CCFKeeper.Params.Set(n.Ctx, p))
	f4, _ := runRound(t, n, all(5), label("third"), nil, allValid)
	require.Equal(t, []string{"third"}, domains(f4), "the most recently seen domain is kept")
}

// Fields and round records older than retain_fields are pruned, a batch
// per block; the latest field always stays.
func TestOldFieldsPruned(t *testing.T) {
	n := roundtest.New(t, 4)
	p, err := n.App.CCFKeeper.Params.Get(n.Ctx)
	require.NoError(t, err)
	p.RetainRounds, p.RetainFields = 1, 2
	require.NoError(t, p.Validate())
	require.NoError(t, n.App.CCFKeeper.Params.Set(n.Ctx, p))
	for range 5 {
		runRound(t, n, all(4), sameDomain, nil, allValid)
	}
	n.Fixture.Commit(t)
	cur := n.Round(t).Id
	for r := uint64(1); r < cur; r++ {
		_, err := n.App.CCFKeeper.GetField(n.Ctx, r)
		has, herr := n.App.CCFKeeper.Rounds.Has(n.Ctx, r)
		require.NoError(t, herr)
		if r+p.RetainFields < cur {
			require.ErrorIs(t, err, ccftypes.ErrFieldNotFound, "round %d of %d", r, cur)
			require.False(t, has)
		} else {
			require.NoError(t, err, "round %d of %d", r, cur)
			require.True(t, has)
		}
	}
	bad := p
	bad.RetainFields = 0
	require.NoError(t, bad.Validate(), "0 keeps every field")
	bad.RetainRounds, bad.RetainFields = 10, 5
	require.ErrorIs(t, bad.Validate(), ccftypes.ErrInvalidParams, "a field may not go before its artifacts")
}

// A verifier that approves an artifact the consensus rejects as INVALID did
// not run its check vectors (they are deterministic): its round scores 0,
// like publishing poison. Before, a lazy verifier lost only that one
// attestation's agreement and kept a near-honest score.
func TestApprovingPoisonZeroesTheRound(t *testing.T) {
	n := roundtest.New(t, 8)
	const lazy = 7
	_, ids := runRound(t, n, all(7), sameDomain, nil, func(v, p int) artifacttypes.Verdict {
		if v == lazy {
			return artifacttypes.VERDICT_VALID
		}
		if p == 0 {
			return artifacttypes.VERDICT_INVALID
		}
		return artifacttypes.VERDICT_VALID
	})
	atts, err := n.App.ArtifactKeeper.AttestationsOf(n.Ctx, ids[0])
	require.NoError(t, err)
	approved := false
	for _, a := range atts {
		approved = approved || n.Index(a.Verifier) == lazy
	}
	require.True(t, approved, "the lazy node was drawn for the poisoned artifact (else the test proves nothing)")
	rep, err := n.App.ReputationKeeper.Get(n.Ctx, n.Nodes[lazy])
	require.NoError(t, err)
	rp := reputationtypes.DefaultParams()
	require.Equal(t, reputationtypes.EMA(rp.InitialScorePpm, 0, rp.EmaAlphaPpm), rep.ScorePpm, "one round at signal 0")
	require.Greater(t, score(t, n, 1), rep.ScorePpm)
}

// registerDomains replaces the artifact module's domain registry, as a
// governance proposal would.
func registerDomains(t *testing.T, n *roundtest.Net, names ...string) {
	t.Helper()
	p, err := n.App.ArtifactKeeper.Params.Get(n.Ctx)
	require.NoError(t, err)
	p.Domains = nil
	for _, d := range names {
		p.Domains = append(p.Domains, artifacttypes.DomainSpec{Name: d, EmbeddingDim: p.EmbeddingDim})
	}
	require.NoError(t, p.Validate())
	require.NoError(t, n.App.ArtifactKeeper.Params.Set(n.Ctx, p))
}

// Lazy verification (point 2). A verifier that seals a verdict and never
// discloses it counts as having missed the assignment, and its hidden
// verdict weighs nothing.
func TestUndisclosedAttestationCountsAsMissed(t *testing.T) {
	n := roundtest.New(t, 8)
	const mute = 7
	r := n.Round(t)
	var sealedByMute int
	f, _ := runRoundThen(t, n, all(7), sameDomain, func() {
		sealedByMute = len(n.Openings[mute])
		delete(n.Openings, mute) // sealed, never disclosed
	}, func(v, p int) artifacttypes.Verdict { return artifacttypes.VERDICT_VALID })
	require.Positive(t, sealedByMute, "the mute node was assigned and sealed")
	require.Len(t, f.Entries, 7)
	rep, err := n.App.ReputationKeeper.Get(n.Ctx, n.Nodes[mute])
	require.NoError(t, err)
	require.EqualValues(t, sealedByMute, rep.AssignmentsMissed)
	require.Zero(t, rep.Attestations)
	require.Less(t, rep.ScorePpm, reputationtypes.DefaultParams().InitialScorePpm)
	done, err := n.App.CCFKeeper.Rounds.Get(n.Ctx, r.Id)
	require.NoError(t, err)
	require.GreaterOrEqual(t, done.Counts.Missed, uint64(sealedByMute))
}

// Copying (point 2). Verdicts are hidden while verifiers attest; a seal
// copied from another verifier is bound to that verifier and cannot be
// opened by the copier, who then counts as having missed the assignment.
func TestCopiedSealCannotBeOpened(t *testing.T) {
	n := roundtest.New(t, 6)
	r := n.Round(t)
	n.AdvanceTo(t, r.StartHeight)
	id, c, salt := n.CommitArtifact(t, 0, 0)
	n.AdvanceTo(t, r.RevealStart)
	n.Reveal(t, 0, id, c, salt, sameDomain(0))
	n.AdvanceToSeed(t)
	vs := n.Assigned(t, id)
	honest, copier := vs[0], vs[1]
	require.NoError(t, n.Attest(t, honest, id, artifacttypes.VERDICT_VALID, 800_000))
	atts, err := n.App.ArtifactKeeper.AttestationsOf(n.Ctx, id)
	require.NoError(t, err)
	require.Len(t, atts, 1)
	require.Equal(t, artifacttypes.VERDICT_UNSPECIFIED, atts[0].Verdict, "nothing to copy: the verdict is sealed")

	// The copier sends the honest seal with its own proof of retrieval.
	a, err := n.App.ArtifactKeeper.GetArtifact(n.Ctx, id)
	require.NoError(t, err)
	own, _ := n.Seal(t, copier, a, artifacttypes.VERDICT_VALID, 800_000)
	own.Seal = atts[0].Seal
	_, err = n.Artifact.Attest(n.Ctx, &artifacttypes.MsgAttest{Verifier: n.Nodes[copier].String(), Attestations: []artifacttypes.AttestationInput{own}})
	require.NoError(t, err)

	n.AdvanceTo(t, n.Round(t).DiscloseStart)
	opening := n.Openings[honest][0]
	_, err = n.Artifact.Disclose(n.Ctx, &artifacttypes.MsgDisclose{Verifier: n.Nodes[copier].String(), Disclosures: []artifacttypes.AttestationDisclosure{opening}})
	require.ErrorIs(t, err, artifacttypes.ErrSealMismatch)
	n.FinalizeRound(t)
	rep, err := n.App.ReputationKeeper.Get(n.Ctx, n.Nodes[copier])
	require.NoError(t, err)
	require.EqualValues(t, 1, rep.AssignmentsMissed)
}
