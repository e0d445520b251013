// Package sim_test is the randomized protocol simulation: many rounds on the
// real app (real msg servers, real blocks with random block hashes), with
// honest, lazy, colluding, poisoning and offline nodes, and the protocol's
// invariants checked after every block. A failing run prints its seed;
// `make sim SEED=N ROUNDS=M` replays it exactly.
package sim_test

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/testutil/roundtest"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	identitykeeper "github.com/h3lix/h3lix/x/identity/keeper"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
	reputationtypes "github.com/h3lix/h3lix/x/reputation/types"
)

var (
	flagRounds    = flag.Int("sim.rounds", 40, "rounds to simulate")
	flagSeed      = flag.Uint64("sim.seed", 1, "seed of the run (a failure prints it)")
	flagNodes     = flag.Int("sim.nodes", 20, "registered nodes")
	flagByzantine = flag.Float64("sim.byzantine", 0.25, "share of Byzantine nodes")
)

// behaviour is how a simulated node acts.
type behaviour int

const (
	honest    behaviour = iota
	lazy                // attests VALID to everything, never checks
	colluding           // publishes poison; approves its ring's artifacts, judges the rest truthfully
	poisoning           // publishes poison; verifies honestly
	offline             // drops out at random: misses reveals and attestations
)

func (b behaviour) String() string {
	return [...]string{"honest", "lazy", "colluding", "poisoning", "offline"}[b]
}

type sim struct {
	t      *testing.T
	n      *roundtest.Net
	rng    *rand.Rand
	role   []behaviour
	poison map[string]bool // CIDs whose payload would fail verification
	nonce  int
	blocks int
	ids    identitytypes.MsgServer

	// tallies for the report
	published, poisoned, poisonRejected, poisonInField, honestArtifacts, honestAccepted int
	refused                                                                             map[string]int
	fields                                                                              int
	undisclosed                                                                         int
}

func TestProtocolSim(t *testing.T) {
	rounds, seed := *flagRounds, *flagSeed
	t.Logf("seed %d, %d rounds, %d nodes, %.0f%% Byzantine; replay: make sim SEED=%d ROUNDS=%d", seed, rounds, *flagNodes, 100**flagByzantine, seed, rounds)
	start := time.Now()
	s := newSim(t, *flagNodes, *flagByzantine, seed)
	for i := 0; i < rounds; i++ {
		s.round()
	}
	s.report(rounds, time.Since(start))
	require.Zero(t, s.poisonInField, "a poisoned artifact entered a field (seed %d)", seed)
	require.Positive(t, s.poisoned, "the run published no poison: it tested nothing")
	require.Positive(t, s.fields, "no round produced a field")
}

func newSim(t *testing.T, nodes int, byzantine float64, seed uint64) *sim {
	n := roundtest.New(t, nodes)
	s := &sim{
		t: t, n: n, rng: rand.New(rand.NewPCG(seed, 0x68336c6978)), poison: map[string]bool{},
		ids: identitykeeper.NewMsgServerImpl(n.App.IdentityKeeper), refused: map[string]int{},
	}
	// Short phases keep a thousand rounds within minutes; the rules do not
	// depend on their length.
	p, err := n.App.CCFKeeper.Params.Get(n.Ctx)
	require.NoError(t, err)
	p.CommitBlocks, p.RevealBlocks, p.AttestBlocks = 2, 2, 2
	require.NoError(t, p.Validate())
	require.NoError(t, n.App.CCFKeeper.Params.Set(n.Ctx, p))

	s.role = make([]behaviour, nodes)
	bad := int(float64(nodes)*byzantine + 0.5)
	// Colluders come first and in pairs: a ring of one approves nothing.
	kinds := []behaviour{colluding, colluding, lazy, poisoning, offline}
	perm := s.rng.Perm(nodes)
	for i := 0; i < bad; i++ {
		s.role[perm[i]] = kinds[i%len(kinds)]
	}
	// Round 1 was laid out with the default phases; let it pass empty.
	s.finalize(n.Round(t).Id)
	return s
}

// block commits one block with a random hash and checks every invariant.
func (s *sim) block() {
	var hash [32]byte
	for i := range hash {
		hash[i] = byte(s.rng.Uint32())
	}
	s.n.Fixture.CommitWithHash(s.t, hash[:])
	s.blocks++
	s.checkInvariants()
}

func (s *sim) advanceTo(h int64) {
	for s.n.Ctx.BlockHeight() < h {
		s.block()
	}
}

func (s *sim) finalize(round uint64) ccftypes.Field {
	for i := 0; i < 500; i++ {
		if f, err := s.n.App.CCFKeeper.GetField(s.n.Ctx, round); err == nil {
			return f
		}
		s.block()
	}
	s.t.Fatalf("round %d did not finalize within 500 blocks: the chain stalled", round)
	return ccftypes.Field{}
}

type published struct {
	producer int
	id       uint64
	cid      string
	salt     []byte
	poison   bool
	payload  []byte
}

func (s *sim) round() {
	t, n := s.t, s.n
	r := n.Round(t)
	s.advanceTo(r.StartHeight)
	away := make([]bool, len(s.role))
	for p, b := range s.role {
		away[p] = b == offline && s.rng.IntN(2) == 0
	}

	// Commit: one artifact per node and round.
	var arts []published
	for p, b := range s.role {
		if away[p] {
			continue
		}
		s.topUp(p)
		s.nonce++
		data, c := roundtest.Payload(p, s.nonce)
		n.KeepPayload(c, data)
		salt := roundtest.Salt(fmt.Sprint(s.nonce))
		resp, err := n.Artifact.CommitArtifact(n.Ctx, &artifacttypes.MsgCommitArtifact{
			Producer: n.Nodes[p].String(), Round: r.Id, Commitment: roundtest.CommitmentFor(t, c, salt, n.Nodes[p]),
		})
		if s.expectedRefusal("commit", err) {
			continue
		}
		poison := (b == colluding || b == poisoning) && s.rng.IntN(2) == 0
		if poison {
			s.poison[c] = true
		}
		arts = append(arts, published{p, resp.ArtifactId, c, salt, poison, data})
	}

	s.advanceTo(r.RevealStart)
	var revealed []published
	for _, a := range arts {
		if s.role[a.producer] == offline && s.rng.IntN(2) == 0 {
			continue // went offline after committing
		}
		m := roundtest.Manifest(artifacttypes.DefaultDomain, int8(10+s.rng.IntN(3)))
		m.PayloadSize, m.ChunkRoot = uint64(len(a.payload)), artifacttypes.ChunkRoot(a.payload)
		_, err := n.Artifact.RevealArtifact(n.Ctx, &artifacttypes.MsgRevealArtifact{
			Producer: n.Nodes[a.producer].String(), ArtifactId: a.id, Cid: a.cid, Salt: a.salt, Manifest: m,
		})
		if s.expectedRefusal("reveal", err) {
			continue
		}
		revealed = append(revealed, a)
		s.published++
		if a.poison {
			s.poisoned++
		} else if s.role[a.producer] == honest {
			s.honestArtifacts++
		}
	}

	// The validators' beacon draws the seed at the start of AttestStart+1.
	for i := 0; n.Round(t).Seed == nil; i++ {
		require.Less(t, i, 500, "round %d never got a seed: the chain stalled", r.Id)
		s.block()
	}
	require.Equal(t, ccftypes.SEED_SOURCE_VALIDATOR_BEACON, n.Round(t).SeedSource)
	for _, a := range revealed {
		art, err := n.App.ArtifactKeeper.GetArtifact(n.Ctx, a.id)
		require.NoError(t, err)
		if art.Status != artifacttypes.ARTIFACT_STATUS_REVEALED {
			continue
		}
		for _, v := range n.Assigned(t, a.id) {
			verdict, ok := s.vote(v, a, away[v])
			if !ok {
				continue
			}
			q := uint32(0)
			if verdict == artifacttypes.VERDICT_VALID {
				q = 700_000 + uint32(s.rng.IntN(200_000))
			}
			s.expectedRefusal("attest", n.Attest(t, v, a.id, verdict, q))
		}
	}
	// Disclose: an offline node may be gone again, and its sealed verdicts
	// then count as missed assignments.
	s.advanceTo(n.Round(t).DiscloseStart)
	for v := range n.Openings {
		if s.role[v] == offline && s.rng.IntN(2) == 0 {
			s.undisclosed += len(n.Openings[v])
			delete(n.Openings, v)
		}
	}
	n.Disclose(t)

	f := s.finalize(r.Id)
	inField := map[string]bool{}
	for _, e := range f.Entries {
		inField[e.Cid] = true
		if s.poison[e.Cid] {
			s.poisonInField++
			t.Errorf("round %d: poisoned artifact %d (%s, by a %s node) is in the field", r.Id, e.ArtifactId, e.Cid, s.role[n.Index(e.Producer)])
		}
	}
	if len(f.Entries) > 0 {
		s.fields++
	}
	for _, a := range revealed {
		switch {
		case a.poison && !inField[a.cid]:
			s.poisonRejected++
		case !a.poison && s.role[a.producer] == honest && inField[a.cid]:
			s.honestAccepted++
		}
	}
}

// vote is what verifier v attests for artifact a, and whether it attests.
func (s *sim) vote(v int, a published, away bool) (artifacttypes.Verdict, bool) {
	truth := artifacttypes.VERDICT_VALID
	if a.poison {
		truth = artifacttypes.VERDICT_INVALID
	}
	switch s.role[v] {
	case lazy:
		return artifacttypes.VERDICT_VALID, true
	case colluding:
		if s.role[a.producer] == colluding {
			return artifacttypes.VERDICT_VALID, true
		}
		return truth, true
	case offline:
		if away || s.rng.IntN(2) == 0 {
			return 0, false
		}
	}
	return truth, true
}

// topUp restores a slashed node's bond to the minimum, as a determined
// operator would (a Byzantine one pays for every poisoned artifact).
func (s *sim) topUp(p int) {
	node, err := s.n.App.IdentityKeeper.GetNode(s.n.Ctx, s.n.Nodes[p])
	require.NoError(s.t, err)
	ip, err := s.n.App.IdentityKeeper.Params.Get(s.n.Ctx)
	require.NoError(s.t, err)
	if node.Bond.Amount.GTE(ip.MinBond.Amount) || node.Status != identitytypes.NODE_STATUS_ACTIVE {
		return
	}
	add := ip.MinBond.Sub(node.Bond)
	_, err = s.ids.UpdateNode(s.n.Ctx, &identitytypes.MsgUpdateNode{Operator: s.n.Nodes[p].String(), AddBond: &add})
	require.NoError(s.t, err)
}

// expectedRefusal reports whether err is a refusal the protocol makes of a
// misbehaving or punished node (and counts it); any other error fails.
func (s *sim) expectedRefusal(what string, err error) bool {
	if err == nil {
		return false
	}
	for _, want := range []error{reputationtypes.ErrNodeJailed, identitytypes.ErrBondTooLow, identitytypes.ErrNodeNotActive} {
		if errors.Is(err, want) {
			s.refused[what+": "+want.Error()]++
			return true
		}
	}
	s.t.Fatalf("%s refused unexpectedly: %v", what, err)
	return true
}

// checkInvariants runs after every block.
func (s *sim) checkInvariants() {
	t, n := s.t, s.n
	ctx := n.Ctx
	// Supply: the balances add up to the total supply.
	total := sdkmath.ZeroInt()
	n.App.BankKeeper.IterateAllBalances(ctx, func(_ sdk.AccAddress, c sdk.Coin) bool {
		if c.Denom == "uhlx" {
			total = total.Add(c.Amount)
		}
		return false
	})
	require.True(t, total.Equal(n.App.BankKeeper.GetSupply(ctx, "uhlx").Amount), "block %d: balances %s != supply", ctx.BlockHeight(), total)

	// Bonds: the identity escrow holds exactly the nodes' bonds.
	bonds := sdkmath.ZeroInt()
	require.NoError(t, n.App.IdentityKeeper.Nodes.Walk(ctx, nil, func(_ sdk.AccAddress, node identitytypes.Node) (bool, error) {
		bonds = bonds.Add(node.Bond.Amount)
		return false, nil
	}))
	escrow := n.App.BankKeeper.GetBalance(ctx, n.App.AccountKeeper.GetModuleAddress(identitytypes.ModuleName), "uhlx").Amount
	require.True(t, bonds.Equal(escrow), "block %d: bonds %s, identity escrow %s", ctx.BlockHeight(), bonds, escrow)

	// Commit fees: the artifact escrow holds the fees of the current
	// round's commitments not yet opened or judged.
	r, err := n.App.CCFKeeper.CurrentRound.Get(ctx)
	require.NoError(t, err)
	fees := sdkmath.ZeroInt()
	judgedUpTo := uint64(0)
	switch {
	case r.Settling:
		judgedUpTo = ^uint64(0)
	case r.Finalizing:
		judgedUpTo = r.FinalizeCursor
	}
	_, _, err = n.App.ArtifactKeeper.IterateRound(ctx, r.Id, 0, ^uint32(0), func(a artifacttypes.Artifact) error {
		if a.Status == artifacttypes.ARTIFACT_STATUS_COMMITTED && (judgedUpTo == 0 || a.Id >= judgedUpTo) {
			fees = fees.Add(a.CommitFee.Amount)
		}
		return nil
	})
	require.NoError(t, err)
	held := n.App.BankKeeper.GetBalance(ctx, n.App.AccountKeeper.GetModuleAddress(artifacttypes.ModuleName), "uhlx").Amount
	require.True(t, fees.Equal(held), "block %d: unopened commit fees %s, artifact escrow %s", ctx.BlockHeight(), fees, held)

	// Tallies exist only while a round finalizes; scores stay in [0, 1].
	if !r.Finalizing {
		it, err := n.App.CCFKeeper.Tallies.Iterate(ctx, nil)
		require.NoError(t, err)
		require.False(t, it.Valid(), "block %d: tallies outside finalization", ctx.BlockHeight())
		it.Close()
	}
	for _, op := range n.Nodes {
		rep, err := n.App.ReputationKeeper.Get(ctx, op)
		require.NoError(t, err)
		require.LessOrEqual(t, rep.ScorePpm, uint32(reputationtypes.PPM))
	}
}

func (s *sim) report(rounds int, took time.Duration) {
	t, n := s.t, s.n
	type agg struct {
		nodes          int
		score          uint64
		slashes, jails uint64
	}
	by := map[behaviour]*agg{}
	for p, b := range s.role {
		rep, err := n.App.ReputationKeeper.Get(n.Ctx, n.Nodes[p])
		require.NoError(t, err)
		a := by[b]
		if a == nil {
			a = &agg{}
			by[b] = a
		}
		a.nodes++
		a.score += uint64(rep.ScorePpm)
		a.slashes += rep.Slashes
		if rep.JailedUntilRound > 0 {
			a.jails++
		}
	}
	t.Logf("%d rounds in %s (%d blocks): %d artifacts revealed, %d poisoned, %d poisoned kept out of the field, %d in a field; honest artifacts in a field: %d of %d; %d rounds with a field; %d sealed verdicts never disclosed",
		rounds, took.Round(time.Millisecond), s.blocks, s.published, s.poisoned, s.poisonRejected, s.poisonInField, s.honestAccepted, s.honestArtifacts, s.fields, s.undisclosed)
	kinds := make([]behaviour, 0, len(by))
	for b := range by {
		kinds = append(kinds, b)
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i] < kinds[j] })
	for _, b := range kinds {
		a := by[b]
		t.Logf("  %-9s %2d nodes: mean score %6d ppm, %3d slashes, %d ever jailed", b, a.nodes, a.score/uint64(a.nodes), a.slashes, a.jails)
	}
	keys := make([]string, 0, len(s.refused))
	for k := range s.refused {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("  refused %-60s %d", k, s.refused[k])
	}
}
