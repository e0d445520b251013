package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"

	"github.com/h3lix/h3lix/testutil/roundtest"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	"github.com/h3lix/h3lix/x/ccf/keeper"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	reputationtypes "github.com/h3lix/h3lix/x/reputation/types"
)

func fundPool(t *testing.T, n *roundtest.Net, amount int64) {
	coins := sdk.NewCoins(sdk.NewCoin("uhlx", sdkmath.NewInt(amount)))
	require.NoError(t, n.App.BankKeeper.MintCoins(n.Ctx, minttypes.ModuleName, coins))
	require.NoError(t, n.App.BankKeeper.SendCoinsFromModuleToModule(n.Ctx, minttypes.ModuleName, ccftypes.ModuleName, coins))
}

// TestFullRound runs one round with 6 nodes: each commits and reveals an
// artifact, every assigned verifier attests VALID, and the round finalizes
// into a field; producers and verifiers are paid and reputations move.
func TestFullRound(t *testing.T) {
	n := roundtest.New(t, 6)
	fundPool(t, n, 1_000_000_000)
	r := n.Round(t)
	require.Equal(t, uint64(1), r.Id)
	require.Equal(t, int64(2), r.StartHeight)

	type art struct {
		id   uint64
		cid  string
		salt []byte
	}
	arts := make([]art, len(n.Nodes))
	for p := range n.Nodes {
		id, c, salt := n.CommitArtifact(t, p, 0)
		arts[p] = art{id, c, salt}
	}
	n.AdvanceTo(t, r.RevealStart)
	for p, a := range arts {
		require.Equal(t, artifacttypes.ARTIFACT_STATUS_REVEALED, n.Reveal(t, p, a.id, a.cid, a.salt, roundtest.Manifest(artifacttypes.DefaultDomain, int8(10+p%2))))
	}
	n.AdvanceToSeed(t)
	require.NotNil(t, n.Round(t).Seed, "seed fixed at the end of the reveal phase")
	var attestations int
	for _, a := range arts {
		vs := n.Assigned(t, a.id)
		// k draws, bounded: with k = 5 of 5 eligible, a draw may miss one.
		require.GreaterOrEqual(t, len(vs), 4)
		require.LessOrEqual(t, len(vs), int(ccftypes.DefaultParams().VerifiersPerArtifact))
		attestations += len(vs)
		for _, v := range vs {
			require.NoError(t, n.Attest(t, v, a.id, artifacttypes.VERDICT_VALID, 800_000))
		}
	}
	before := n.App.BankKeeper.GetBalance(n.Ctx, n.Nodes[0], "uhlx").Amount
	f := n.FinalizeRound(t)

	require.Zero(t, f.Counts.Outliers)
	require.Len(t, f.Entries, 6)
	require.Equal(t, uint64(6), f.Counts.Committed)
	require.Equal(t, uint64(6), f.Counts.Revealed)
	require.Equal(t, uint64(6), f.Counts.Accepted)
	require.Equal(t, uint64(attestations), f.Counts.Attestations)
	require.Len(t, f.MerkleRoot, 32)
	require.Len(t, f.Centroids, 1)
	var sum uint64
	for _, e := range f.Entries {
		sum += uint64(e.WeightPpm)
	}
	require.Equal(t, uint64(1_000_000), sum)
	require.True(t, f.ProducerRewards.IsPositive())
	require.True(t, f.VerifierRewards.IsPositive())
	// The round's energy: six reveals of 100 J (RAPL) and 20 mg CO2e each,
	// all accepted.
	require.Equal(t, ccftypes.EnergyTotals{Joules: 600, MgCo2E: 120, RenewableJoules: 300, MeasuredJoules: 600, UgCo2EPerValidArtifact: 20_000}, f.Energy)
	require.True(t, n.App.BankKeeper.GetBalance(n.Ctx, n.Nodes[0], "uhlx").Amount.GT(before), "node 0 was paid")

	rep, err := n.App.ReputationKeeper.Get(n.Ctx, n.Nodes[0])
	require.NoError(t, err)
	require.Greater(t, rep.ScorePpm, reputationtypes.DefaultParams().InitialScorePpm, "reputation rose")
	require.Equal(t, uint64(1), rep.Rounds, "one score step for the round")

	next := n.Round(t)
	require.Equal(t, uint64(2), next.Id, "the next round started")
	latest, err := n.App.CCFKeeper.LatestField.Get(n.Ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(1), latest)
}

func sdkInt(v int64) sdkmath.Int { return sdkmath.NewInt(v) }

func TestRoundQuery(t *testing.T) {
	n := roundtest.New(t, 3)
	q := keeper.NewQueryServerImpl(n.App.CCFKeeper)
	cur, err := q.Round(n.Ctx, &ccftypes.QueryRoundRequest{Id: 1})
	require.NoError(t, err)
	require.False(t, cur.Finalized)
	n.FinalizeRound(t)
	done, err := q.Round(n.Ctx, &ccftypes.QueryRoundRequest{Id: 1})
	require.NoError(t, err)
	require.True(t, done.Finalized)
	require.True(t, done.Round.Finalizing)
	_, err = q.Round(n.Ctx, &ccftypes.QueryRoundRequest{Id: 99})
	require.Equal(t, codes.NotFound, status.Code(err))
	_, err = q.Field(n.Ctx, &ccftypes.QueryFieldRequest{Round: 2})
	require.Equal(t, codes.NotFound, status.Code(err), "round 2 is not finalized")
}

// Energy is self-reported, so it must never weigh an artifact: two rounds
// that differ only in what the producers claim their work cost give the
// same field, weights and rewards, and only the totals differ.
func TestEnergyNeverWeighs(t *testing.T) {
	run := func(energy func(p int) artifacttypes.EnergyRecord) (ccftypes.Field, []sdkmath.Int) {
		n := roundtest.New(t, 5)
		fundPool(t, n, 1_000_000_000)
		r := n.Round(t)
		ids, cids, salts := make([]uint64, 5), make([]string, 5), make([][]byte, 5)
		for p := range n.Nodes {
			ids[p], cids[p], salts[p] = n.CommitArtifact(t, p, 0)
		}
		n.AdvanceTo(t, r.RevealStart)
		for p := range n.Nodes {
			m := roundtest.Manifest(artifacttypes.DefaultDomain, int8(10+p))
			m.Energy = energy(p)
			require.Equal(t, artifacttypes.ARTIFACT_STATUS_REVEALED, n.Reveal(t, p, ids[p], cids[p], salts[p], m))
		}
		n.AdvanceToSeed(t)
		for p := range n.Nodes {
			for _, v := range n.Assigned(t, ids[p]) {
				require.NoError(t, n.Attest(t, v, ids[p], artifacttypes.VERDICT_VALID, 800_000))
			}
		}
		f := n.FinalizeRound(t)
		var bal []sdkmath.Int
		for _, a := range n.Nodes {
			bal = append(bal, n.App.BankKeeper.GetBalance(n.Ctx, a, "uhlx").Amount)
		}
		return f, bal
	}
	green, gb := run(func(p int) artifacttypes.EnergyRecord {
		return artifacttypes.EnergyRecord{Joules: 1, MgCo2E: 0, RenewablePpm: 1_000_000, Method: artifacttypes.ENERGY_METHOD_RAPL}
	})
	dirty, db := run(func(p int) artifacttypes.EnergyRecord {
		if p == 0 {
			return artifacttypes.EnergyRecord{Joules: 1 << 40, MgCo2E: 1 << 40}
		}
		return artifacttypes.EnergyRecord{Joules: uint64(1000 * p), MgCo2E: uint64(900 * p), Method: artifacttypes.ENERGY_METHOD_CPU_TDP}
	})
	require.NotEqual(t, green.Energy, dirty.Energy, "the claims differ")
	require.Equal(t, uint64(1<<40)+9000, dirty.Energy.MgCo2E)
	require.Equal(t, (uint64(1<<40)+9000)*1000/5, dirty.Energy.UgCo2EPerValidArtifact)
	require.Zero(t, dirty.Energy.MeasuredJoules)
	require.Equal(t, green.Entries, dirty.Entries)
	require.Equal(t, green.ProducerRewards, dirty.ProducerRewards)
	require.Equal(t, gb, db)
}
