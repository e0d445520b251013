package keeper_test

import (
	"bytes"
	"testing"

	sdkmath "cosmossdk.io/math"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/h3lix/h3lix/testutil/apptest"
	"github.com/h3lix/h3lix/testutil/identitytest"
	identitykeeper "github.com/h3lix/h3lix/x/identity/keeper"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
	"github.com/h3lix/h3lix/x/reputation/keeper"
	"github.com/h3lix/h3lix/x/reputation/types"
)

type suite struct {
	*apptest.Fixture
	k keeper.Keeper
	q types.QueryServer
}

func newSuite(t *testing.T, registered int) *suite {
	f := apptest.New(t, 5, nil)
	msgs := identitykeeper.NewMsgServerImpl(f.App.IdentityKeeper)
	for i := 0; i < registered; i++ {
		_, err := msgs.RegisterNode(f.Ctx, identitytest.RegisterMsg(t, apptest.ChainID, f.Accounts[i], i))
		require.NoError(t, err)
	}
	return &suite{Fixture: f, k: f.App.ReputationKeeper, q: keeper.NewQueryServerImpl(f.App.ReputationKeeper)}
}

func TestEMA(t *testing.T) {
	for _, tc := range []struct{ score, signal, alpha, want uint32 }{
		{500_000, 1_000_000, 200_000, 600_000},
		{500_000, 0, 200_000, 400_000},
		{1_000_000, 1_000_000, 1_000_000, 1_000_000},
		{0, 0, 1, 0},
		{333_333, 1_000_000, 1, 333_333}, // (999_999*333_333 + 1_000_000)/1e6 rounds down
		{1, 0, 500_000, 0},
	} {
		require.Equal(t, tc.want, types.EMA(tc.score, tc.signal, tc.alpha), "%+v", tc)
	}
}

func TestApplyOutcomeAndJail(t *testing.T) {
	s := newSuite(t, 2)
	op := s.Accounts[0]

	r, err := s.k.Get(s.Ctx, op)
	require.NoError(t, err)
	require.Equal(t, uint32(250_000), r.ScorePpm, "a node without history has the initial score")

	r, err = s.k.ApplyOutcome(s.Ctx, op, types.Outcome{Round: 1, SignalPPM: 1_000_000, Accepted: 1, Attestations: 2, Agreed: 2})
	require.NoError(t, err)
	require.Equal(t, uint32(400_000), r.ScorePpm)

	// A round moves a score once: a second outcome for it (or an earlier one) is refused.
	_, err = s.k.ApplyOutcome(s.Ctx, op, types.Outcome{Round: 1, SignalPPM: 1_000_000})
	require.ErrorIs(t, err, types.ErrInvalidSignal)
	got, err := s.k.Get(s.Ctx, op)
	require.NoError(t, err)
	require.Equal(t, r, got, "a refused outcome changes nothing")
	require.Equal(t, uint64(1), r.Rounds)
	require.Equal(t, uint64(1), r.ArtifactsAccepted)
	require.Equal(t, uint64(2), r.AttestationsAgreed)

	// Zero signals drive the score down; below the 0.1 floor the node is jailed for 10 rounds.
	var jailedAt uint64
	for round := uint64(2); round < 20 && jailedAt == 0; round++ {
		r, err = s.k.ApplyOutcome(s.Ctx, op, types.Outcome{Round: round, SignalPPM: 0, Rejected: 1})
		require.NoError(t, err)
		if r.JailedUntilRound > 0 {
			jailedAt = round
		}
	}
	require.NotZero(t, jailedAt, "never jailed")
	require.Less(t, r.ScorePpm, uint32(100_000))
	require.Equal(t, jailedAt+11, r.JailedUntilRound)
	jailed, err := s.k.IsJailed(s.Ctx, op, jailedAt+10)
	require.NoError(t, err)
	require.True(t, jailed)
	require.ErrorIs(t, s.k.CheckNotJailed(s.Ctx, op, jailedAt+1), types.ErrNodeJailed)
	require.NoError(t, s.k.CheckNotJailed(s.Ctx, op, jailedAt+11), "free again after jail_rounds")

	// Another low outcome while jailed does not extend the sentence.
	r, err = s.k.ApplyOutcome(s.Ctx, op, types.Outcome{Round: jailedAt + 1, SignalPPM: 0})
	require.NoError(t, err)
	require.Equal(t, jailedAt+11, r.JailedUntilRound)

	_, err = s.k.ApplyOutcome(s.Ctx, op, types.Outcome{Round: 99, SignalPPM: 1_000_001})
	require.ErrorIs(t, err, types.ErrInvalidSignal)
}

func TestLeaderboardAndScoreQuery(t *testing.T) {
	s := newSuite(t, 5)
	signals := []uint32{300_000, 900_000, 600_000, 900_000, 0}
	for i, sig := range signals {
		_, err := s.k.ApplyOutcome(s.Ctx, s.Accounts[i], types.Outcome{Round: 1, SignalPPM: sig})
		require.NoError(t, err)
	}
	// Move one node twice: its old leaderboard entry must go away.
	_, err := s.k.ApplyOutcome(s.Ctx, s.Accounts[4], types.Outcome{Round: 2, SignalPPM: 1_000_000})
	require.NoError(t, err)

	resp, err := s.q.Leaderboard(s.Ctx, &types.QueryLeaderboardRequest{})
	require.NoError(t, err)
	require.Len(t, resp.Reputations, 5)
	for i := 1; i < len(resp.Reputations); i++ {
		a, b := resp.Reputations[i-1], resp.Reputations[i]
		tieByAddress := a.ScorePpm == b.ScorePpm &&
			bytes.Compare(sdk.MustAccAddressFromBech32(a.Operator), sdk.MustAccAddressFromBech32(b.Operator)) < 0
		require.True(t, a.ScorePpm > b.ScorePpm || tieByAddress, "not sorted at %d: %v", i, resp.Reputations)
	}
	page, err := s.q.Leaderboard(s.Ctx, &types.QueryLeaderboardRequest{Pagination: &query.PageRequest{Limit: 2}})
	require.NoError(t, err)
	require.Len(t, page.Reputations, 2)
	require.Equal(t, resp.Reputations[:2], page.Reputations)
	rest, err := s.q.Leaderboard(s.Ctx, &types.QueryLeaderboardRequest{Pagination: &query.PageRequest{Key: page.Pagination.NextKey, Limit: 10}})
	require.NoError(t, err)
	require.Equal(t, resp.Reputations[2:], rest.Reputations)

	got, err := s.q.Score(s.Ctx, &types.QueryScoreRequest{Operator: s.Accounts[1].String()})
	require.NoError(t, err)
	require.Equal(t, uint32(380_000), got.Reputation.ScorePpm)

	_, err = s.q.Score(s.Ctx, &types.QueryScoreRequest{Operator: "bad"})
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	_, err = s.q.Score(s.Ctx, &types.QueryScoreRequest{Operator: sdk.AccAddress("not-registered-node-x").String()})
	require.Equal(t, codes.NotFound, status.Code(err))
}

func TestScoreOfNodeWithoutHistory(t *testing.T) {
	s := newSuite(t, 1)
	got, err := s.q.Score(s.Ctx, &types.QueryScoreRequest{Operator: s.Accounts[0].String()})
	require.NoError(t, err)
	require.Equal(t, uint32(250_000), got.Reputation.ScorePpm)
	has, err := s.k.Reputations.Has(s.Ctx, s.Accounts[0])
	require.NoError(t, err)
	require.False(t, has, "a query stores nothing")
}

func TestSlash(t *testing.T) {
	s := newSuite(t, 1)
	op := s.Accounts[0]
	burned, err := s.k.Slash(s.Ctx, op, 3, sdkmath.ZeroInt())
	require.NoError(t, err)
	require.Equal(t, "100000uhlx", burned.String(), "1% of the 10 HLX bond")
	r, err := s.k.Get(s.Ctx, op)
	require.NoError(t, err)
	require.Equal(t, uint64(1), r.Slashes)
	node, err := s.App.IdentityKeeper.GetNode(s.Ctx, op)
	require.NoError(t, err)
	require.Equal(t, "9900000uhlx", node.Bond.String())
	lb, err := s.q.Leaderboard(s.Ctx, &types.QueryLeaderboardRequest{})
	require.NoError(t, err)
	require.Len(t, lb.Reputations, 1, "a slashed node has history and is listed")

	before := s.StoreDump(t, types.StoreKey, identitytypes.StoreKey, banktypes.StoreKey)
	_, err = s.k.Slash(s.Ctx, s.Accounts[3], 3, sdkmath.ZeroInt())
	require.ErrorIs(t, err, identitytypes.ErrNodeNotFound)
	require.Equal(t, before, s.StoreDump(t, types.StoreKey, identitytypes.StoreKey, banktypes.StoreKey))
}

func TestUpdateParams(t *testing.T) {
	s := newSuite(t, 0)
	msgs := keeper.NewMsgServerImpl(s.k)
	gov := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	good := types.DefaultParams()
	good.EmaAlphaPpm = 100_000

	for name, tc := range map[string]struct {
		msg  *types.MsgUpdateParams
		want error
	}{
		"not gov":         {&types.MsgUpdateParams{Authority: s.Accounts[0].String(), Params: good}, types.ErrInvalidAuthority},
		"alpha zero":      {&types.MsgUpdateParams{Authority: gov, Params: func() types.Params { p := good; p.EmaAlphaPpm = 0; return p }()}, types.ErrInvalidParams},
		"alpha above 1":   {&types.MsgUpdateParams{Authority: gov, Params: func() types.Params { p := good; p.EmaAlphaPpm = 1_000_001; return p }()}, types.ErrInvalidParams},
		"floor above 1":   {&types.MsgUpdateParams{Authority: gov, Params: func() types.Params { p := good; p.JailFloorPpm = 2_000_000; return p }()}, types.ErrInvalidParams},
		"floor > initial": {&types.MsgUpdateParams{Authority: gov, Params: func() types.Params { p := good; p.JailFloorPpm = 600_000; return p }()}, types.ErrInvalidParams},
	} {
		before := s.StoreDump(t, types.StoreKey)
		_, err := msgs.UpdateParams(s.Ctx, tc.msg)
		require.ErrorIs(t, err, tc.want, name)
		require.Equal(t, before, s.StoreDump(t, types.StoreKey), name)
	}
	_, err := msgs.UpdateParams(s.Ctx, &types.MsgUpdateParams{Authority: gov, Params: good})
	require.NoError(t, err)
	p, err := s.q.Params(s.Ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, good, p.Params)
}

func TestGenesisRoundTrip(t *testing.T) {
	s := newSuite(t, 3)
	for i := 0; i < 3; i++ {
		_, err := s.k.ApplyOutcome(s.Ctx, s.Accounts[i], types.Outcome{Round: 1, SignalPPM: uint32(i) * 300_000})
		require.NoError(t, err)
	}
	exported, err := s.k.ExportGenesis(s.Ctx)
	require.NoError(t, err)
	require.Len(t, exported.Reputations, 3)

	fresh := apptest.New(t, 1, nil)
	k2 := fresh.App.ReputationKeeper
	require.ErrorIs(t, k2.InitGenesis(fresh.Ctx, *exported), types.ErrInvalidGenesis, "histories of nodes x/identity does not know")
	fresh = apptest.New(t, 1, nil)
	k2 = fresh.App.ReputationKeeper
	require.NoError(t, s.App.IdentityKeeper.Nodes.Walk(s.Ctx, nil, func(op sdk.AccAddress, node identitytypes.Node) (bool, error) {
		return false, fresh.App.IdentityKeeper.Nodes.Set(fresh.Ctx, op, node)
	}))
	require.NoError(t, k2.InitGenesis(fresh.Ctx, *exported))
	again, err := k2.ExportGenesis(fresh.Ctx)
	require.NoError(t, err)
	require.Equal(t, exported, again)
	lb, err := keeper.NewQueryServerImpl(k2).Leaderboard(fresh.Ctx, &types.QueryLeaderboardRequest{})
	require.NoError(t, err)
	require.Len(t, lb.Reputations, 3, "leaderboard index rebuilt")
	require.Equal(t, s.Accounts[2].String(), lb.Reputations[0].Operator)

	bad := *exported
	bad.Reputations = append(append([]types.Reputation(nil), exported.Reputations...), exported.Reputations[0])
	require.ErrorIs(t, bad.Validate(), types.ErrInvalidGenesis)
	bad.Reputations = []types.Reputation{{Operator: s.Accounts[0].String(), ScorePpm: 1_000_001}}
	require.ErrorIs(t, bad.Validate(), types.ErrInvalidGenesis)
}

// A verifier that attests mostly against the consensus three rounds in a row
// loses 1% of its bond; a round of agreement resets the streak.
func TestDissentStreakSlashes(t *testing.T) {
	s := newSuite(t, 2)
	op := s.Accounts[0]
	bond := func() string {
		n, err := s.App.IdentityKeeper.GetNode(s.Ctx, op)
		require.NoError(t, err)
		return n.Bond.String()
	}
	dissent := types.Outcome{SignalPPM: 100_000, Attestations: 4, Agreed: 1}
	agree := types.Outcome{SignalPPM: 900_000, Attestations: 4, Agreed: 3}
	for round, o := range []types.Outcome{dissent, dissent, agree, dissent, dissent} {
		o.Round = uint64(round + 1)
		_, err := s.k.ApplyOutcome(s.Ctx, op, o)
		require.NoError(t, err)
	}
	require.Equal(t, "10000000uhlx", bond(), "the streak was broken by a round of agreement")
	r, err := s.k.Get(s.Ctx, op)
	require.NoError(t, err)
	require.Equal(t, uint32(2), r.DissentStreak)

	// A round without attestations neither breaks nor extends the streak.
	_, err = s.k.ApplyOutcome(s.Ctx, op, types.Outcome{Round: 6, SignalPPM: 500_000, Accepted: 1})
	require.NoError(t, err)
	o := dissent
	o.Round = 7
	r, err = s.k.ApplyOutcome(s.Ctx, op, o)
	require.NoError(t, err)
	require.Equal(t, "9900000uhlx", bond(), "third dissenting round in a row")
	require.Equal(t, uint32(0), r.DissentStreak, "reset after the slash")
	require.Equal(t, uint64(1), r.Slashes)
}

// New nodes weigh at most initial_score_ppm in the verifier draw until they
// have probation_rounds rounds of history.
func TestProbationCapsVerifierWeight(t *testing.T) {
	s := newSuite(t, 1)
	op := s.Accounts[0]
	p := types.DefaultParams()
	for round := uint64(1); round <= p.ProbationRounds; round++ {
		w, err := s.k.VerifierWeight(s.Ctx, op)
		require.NoError(t, err)
		require.Equal(t, uint64(p.InitialScorePpm), w, "round %d: still on probation", round)
		_, err = s.k.ApplyOutcome(s.Ctx, op, types.Outcome{Round: round, SignalPPM: 1_000_000})
		require.NoError(t, err)
	}
	r, err := s.k.Get(s.Ctx, op)
	require.NoError(t, err)
	require.Greater(t, r.ScorePpm, p.InitialScorePpm)
	w, err := s.k.VerifierWeight(s.Ctx, op)
	require.NoError(t, err)
	require.Equal(t, uint64(r.ScorePpm), w, "after probation the weight is the score")
}
