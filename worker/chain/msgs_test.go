package chain_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/app"
	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/engine"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
)

func bond() sdk.Coin { return sdk.NewInt64Coin(app.BondDenom, 10_000_000) }

func TestRegister(t *testing.T) {
	t.Parallel()
	tc := startChain(t)
	ctx := context.Background()
	s := tc.signer(t, keyRegistrant)
	keyFile := filepath.Join(t.TempDir(), "node_key.json")
	key, created, err := chain.LoadOrCreateNodeKey(keyFile)
	require.NoError(t, err)
	require.True(t, created)
	again, created, err := chain.LoadOrCreateNodeKey(keyFile)
	require.NoError(t, err)
	require.False(t, created, "the second call reads the file")
	require.Equal(t, key.PeerID, again.PeerID)

	_, err = tc.client.Node(ctx, s.Address().String())
	require.True(t, errors.Is(err, chain.ErrNotFound), "an unregistered operator is ErrNotFound: %v", err)

	reg := chain.Registration{Key: key, Multiaddrs: []string{"/ip4/127.0.0.1/tcp/4001"}, Worker: true,
		EngineKind: "pbe", Version: "v1", GridZone: "DE", Bond: bond()}
	res, err := s.Register(ctx, reg)
	require.NoError(t, err)
	require.Len(t, res.MsgResponses, 1)
	var regRes identitytypes.MsgRegisterNodeResponse
	require.NoError(t, res.Response(0, &regRes))

	node, err := tc.client.Node(ctx, s.Address().String())
	require.NoError(t, err)
	require.Equal(t, key.PeerID, node.PeerId)
	require.Equal(t, identitytypes.NODE_STATUS_ACTIVE, node.Status)
	require.Equal(t, []identitytypes.Role{identitytypes.ROLE_WORKER}, node.Roles)
	require.Equal(t, reg.Multiaddrs, node.Multiaddrs)
	require.Equal(t, "DE", node.GridZone)
	require.Equal(t, "pbe", node.Engine.Kind)
	nodes, err := tc.client.ActiveNodes(ctx)
	require.NoError(t, err)
	require.Contains(t, operators(nodes), s.Address().String())

	// Registering again, even with a new node key, is refused before
	// anything is signed, and the registry keeps the first node.
	seq := tc.sequence(t, s.Address())
	other, _, err := chain.LoadOrCreateNodeKey(filepath.Join(t.TempDir(), "other.json"))
	require.NoError(t, err)
	reg.Key = other
	_, err = s.Register(ctx, reg)
	te := txError(t, err)
	require.Equal(t, "simulate", te.Stage)
	require.Contains(t, te.Log, "node already registered")
	require.Contains(t, te.Log, "use update-node")
	require.Equal(t, seq, tc.sequence(t, s.Address()), "the refused registration changed nothing")
	node, err = tc.client.Node(ctx, s.Address().String())
	require.NoError(t, err)
	require.Equal(t, key.PeerID, node.PeerId)

	_, err = s.UpdateMultiaddrs(ctx, []string{"/ip4/10.0.0.7/tcp/4001"})
	require.NoError(t, err)
	node, err = tc.client.Node(ctx, s.Address().String())
	require.NoError(t, err)
	require.Equal(t, []string{"/ip4/10.0.0.7/tcp/4001"}, node.Multiaddrs)
}

func operators(nodes []chain.Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Operator
	}
	return out
}

// register registers s's node with a fresh node key.
func register(t *testing.T, s *chain.Signer, worker, verifier bool) {
	t.Helper()
	key, _, err := chain.LoadOrCreateNodeKey(filepath.Join(t.TempDir(), s.Name()+".json"))
	require.NoError(t, err)
	_, err = s.Register(context.Background(), chain.Registration{Key: key, Worker: worker, Verifier: verifier, EngineKind: "pbe", Bond: bond()})
	require.NoError(t, err)
}

// TestRound takes two engine artifacts through a round: commit, reveal and
// attestation, each in its phase, and each refused out of it.
func TestRound(t *testing.T) {
	t.Parallel()
	tc := startChain(t)
	ctx := context.Background()
	producer := tc.signer(t, keyProducer)
	verifier := tc.signer(t, keyVerifier)
	// The producer is no verifier, so the verifier is the only one there is
	// and is assigned every artifact.
	register(t, producer, true, false)
	register(t, verifier, false, true)

	params, err := tc.client.ArtifactParams(ctx)
	require.NoError(t, err)
	require.EqualValues(t, engine.EmbeddingDim, params.EmbeddingDim)
	arts := engineArtifacts(t)
	reveals := make([]chain.Reveal, len(arts))
	commitments := make([][]byte, len(arts))
	for i, a := range arts {
		m, err := chain.ManifestOf(a, chain.EnergyRecord{Joules: 100, RenewablePpm: 500_000}, params)
		require.NoError(t, err)
		sum, err := mh.Sum(a.Payload, mh.SHA2_256, -1)
		require.NoError(t, err)
		salt := make([]byte, artifacttypes.SaltSize)
		_, _ = rand.Read(salt)
		reveals[i] = chain.Reveal{CID: cid.NewCidV1(cid.Raw, sum), Salt: salt, Manifest: m}
		commitments[i] = chain.Commitment(reveals[i].CID, salt, producer.Address())
	}

	// Commit.
	round := tc.waitPhase(t, 0, chain.PhaseCommit, 2)
	seq := tc.sequence(t, producer.Address())
	_, _, err = producer.CommitArtifacts(ctx, round.Id, [][]byte{[]byte("short")})
	te := txError(t, err)
	require.Equal(t, "simulate", te.Stage)
	require.Contains(t, te.Log, "commitment is 5 bytes, want 32")
	require.Equal(t, seq, tc.sequence(t, producer.Address()), "a refused commit changes nothing")
	none, err := tc.client.ArtifactsOf(ctx, producer.Address().String(), round.Id)
	require.NoError(t, err)
	require.Empty(t, none)

	ids, res, err := producer.CommitArtifacts(ctx, round.Id, commitments)
	require.NoError(t, err)
	require.Len(t, ids, 2)
	require.Equal(t, ids[0]+1, ids[1], "ids are handed out in message order")
	require.ErrorContains(t, res.Response(2, &artifacttypes.MsgCommitArtifactResponse{}), "has 2 message responses, no #2")
	require.ErrorContains(t, res.Response(0, &artifacttypes.MsgRevealArtifactResponse{}), "MsgCommitArtifactResponse, not /h3lix.artifact")
	committed, err := tc.client.ArtifactsOf(ctx, producer.Address().String(), round.Id)
	require.NoError(t, err)
	require.Len(t, committed, 2)
	for i, a := range committed {
		require.Equal(t, ids[i], a.Id)
		require.Equal(t, chain.StatusCommitted, a.Status)
		require.Equal(t, commitments[i], a.Commitment)
		reveals[i].ArtifactID = a.Id
	}

	// Reveal; a commit now is in the wrong phase.
	tc.waitPhase(t, round.Id, chain.PhaseReveal, 2)
	seq = tc.sequence(t, producer.Address())
	late := sha256.Sum256([]byte("late"))
	_, _, err = producer.CommitArtifacts(ctx, round.Id, [][]byte{late[:]})
	te = txError(t, err)
	require.Equal(t, "simulate", te.Stage)
	require.Contains(t, te.Log, fmt.Sprintf("round %d is in its", round.Id))
	require.Contains(t, te.Log, artifacttypes.ErrWrongPhase.Error())
	require.Equal(t, seq, tc.sequence(t, producer.Address()))

	statuses, _, err := producer.RevealArtifacts(ctx, reveals)
	require.NoError(t, err)
	require.Equal(t, []chain.ArtifactStatus{chain.StatusRevealed, chain.StatusRevealed}, statuses)
	for i, r := range reveals {
		a, err := tc.client.Artifact(ctx, r.ArtifactID)
		require.NoError(t, err)
		require.Equal(t, r.CID.String(), a.Cid)
		require.Equal(t, r.Manifest, *a.Manifest, "the chain records the manifest ManifestOf built")
		back, err := chain.EngineArtifact(*a.Manifest, arts[i].Payload)
		require.NoError(t, err)
		require.Equal(t, arts[i], back, "a verifier rebuilds the engine's artifact from the chain")
		// The chain would refuse this CID in any later round, not in this one.
		again, err := tc.client.RevealedBefore(ctx, r.CID.String(), round.Id)
		require.NoError(t, err)
		require.False(t, again)
		later, err := tc.client.RevealedBefore(ctx, r.CID.String(), round.Id+1)
		require.NoError(t, err)
		require.True(t, later)
	}
	fresh, err := tc.client.RevealedBefore(ctx, cid.NewCidV1(cid.Raw, mustHash(t, "never published")).String(), round.Id+1)
	require.NoError(t, err)
	require.False(t, fresh)
	_, err = tc.client.RevealedBefore(ctx, "not-a-cid", round.Id)
	require.ErrorContains(t, err, "looking up CID not-a-cid")

	// Attest: sealed verdicts with proofs of retrieval, once the seed is drawn.
	attestRound := tc.waitPhase(t, round.Id, chain.PhaseAttest, 2)
	for attestRound.Seed == nil {
		time.Sleep(100 * time.Millisecond)
		rs, err := tc.client.CurrentRound(ctx)
		require.NoError(t, err)
		attestRound = rs.Round
	}
	assigned, err := tc.client.Assignments(ctx, round.Id, verifier.Address().String())
	require.NoError(t, err)
	require.ElementsMatch(t, ids, assigned)
	notMine, err := tc.client.Assignments(ctx, round.Id, producer.Address().String())
	require.NoError(t, err)
	require.Empty(t, notMine, "the producer verifies nothing")

	_, err = verifier.Attest(ctx, nil, 0)
	require.ErrorContains(t, err, "no attestations")
	valid, err := chain.VerdictOf(engine.VerdictValid)
	require.NoError(t, err)
	invalid, err := chain.VerdictOf(engine.VerdictInvalid)
	require.NoError(t, err)
	var atts []chain.Attestation
	var opens []chain.Disclosure
	for i, v := range []chain.Verdict{valid, invalid} {
		a, err := tc.client.Artifact(ctx, ids[i])
		require.NoError(t, err)
		in, d, retrieved, err := chain.Seal(a, verifier.Address(), attestRound.Seed, v, 900_000*uint32(1-i), arts[i].Payload)
		require.NoError(t, err)
		require.True(t, retrieved, "the payload matches its manifest's chunk root")
		atts, opens = append(atts, in), append(opens, d)
	}
	res, err = verifier.Attest(ctx, atts, 1)
	require.NoError(t, err)
	require.Len(t, res.MsgResponses, 2, "one message per attestation at maxPerMsg 1")
	for _, id := range ids {
		got, err := tc.client.Attestations(ctx, id)
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, verifier.Address().String(), got[0].Verifier)
		require.Equal(t, artifacttypes.VERDICT_UNSPECIFIED, got[0].Verdict, "the verdict is sealed")
		require.True(t, got[0].Retrieved)
	}
	seq = tc.sequence(t, verifier.Address())
	_, err = verifier.Attest(ctx, atts[:1], 0)
	te = txError(t, err)
	require.Contains(t, te.Log, artifacttypes.ErrAlreadyAttested.Error())
	require.Equal(t, seq, tc.sequence(t, verifier.Address()))

	// Disclose.
	_, err = verifier.Disclose(ctx, nil, 0)
	require.ErrorContains(t, err, "no disclosures")
	tc.waitPhase(t, round.Id, chain.PhaseDisclose, 1)
	_, err = verifier.Disclose(ctx, opens, 1)
	require.NoError(t, err)
	for i, id := range ids {
		got, err := tc.client.Attestations(ctx, id)
		require.NoError(t, err)
		require.Equal(t, opens[i].Verdict, got[0].Verdict)
	}
	seq = tc.sequence(t, verifier.Address())
	_, err = verifier.Disclose(ctx, opens[:1], 0)
	te = txError(t, err)
	require.Contains(t, te.Log, artifacttypes.ErrAlreadyDisclosed.Error())
	require.Equal(t, seq, tc.sequence(t, verifier.Address()))
}

func mustHash(t *testing.T, s string) mh.Multihash {
	t.Helper()
	sum, err := mh.Sum([]byte(s), mh.SHA2_256, -1)
	require.NoError(t, err)
	return sum
}
