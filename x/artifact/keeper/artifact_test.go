package keeper_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/h3lix/h3lix/testutil/roundtest"
	"github.com/h3lix/h3lix/x/artifact/types"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
	reputationtypes "github.com/h3lix/h3lix/x/reputation/types"
)

var stores = []string{types.StoreKey, banktypes.StoreKey, identitytypes.StoreKey, reputationtypes.StoreKey}

// rejected runs fn, expects want, and checks that no store changed.
func rejected(t *testing.T, n *roundtest.Net, want error, fn func() error) {
	t.Helper()
	before := n.StoreDump(t, stores...)
	err := fn()
	require.ErrorIs(t, err, want)
	require.Equal(t, before, n.StoreDump(t, stores...), "a rejected message changed state")
}

func commitMsg(t *testing.T, n *roundtest.Net, p int, c string, salt []byte) *types.MsgCommitArtifact {
	return &types.MsgCommitArtifact{Producer: n.Nodes[p].String(), Round: n.Round(t).Id, Commitment: roundtest.CommitmentFor(t, c, salt, n.Nodes[p])}
}

func TestCommitRejections(t *testing.T) {
	n := roundtest.New(t, 5)
	_, c := roundtest.Payload(0, 0)
	salt := roundtest.Salt("c")
	_, err := n.Artifact.CommitArtifact(n.Ctx, commitMsg(t, n, 0, c, salt))
	require.NoError(t, err)

	stranger := sdk.AccAddress("unregistered-producer")
	// Node 4 deregisters; node 3 is jailed.
	_, err = identityMsgs(n).DeregisterNode(n.Ctx, &identitytypes.MsgDeregisterNode{Operator: n.Nodes[4].String()})
	require.NoError(t, err)
	jail(t, n, 3)

	cases := []struct {
		name string
		msg  *types.MsgCommitArtifact
		want error
	}{
		{"bad address", &types.MsgCommitArtifact{Producer: "x", Round: 1, Commitment: make([]byte, 32)}, sdkerrors.ErrInvalidAddress},
		{"wrong round", &types.MsgCommitArtifact{Producer: n.Nodes[1].String(), Round: 2, Commitment: make([]byte, 32)}, types.ErrWrongPhase},
		{"short commitment", &types.MsgCommitArtifact{Producer: n.Nodes[1].String(), Round: 1, Commitment: make([]byte, 31)}, types.ErrInvalidCommitment},
		{"same commitment twice", commitMsg(t, n, 0, c, salt), types.ErrDuplicateCommitment},
		{"unregistered node", &types.MsgCommitArtifact{Producer: stranger.String(), Round: 1, Commitment: make([]byte, 32)}, identitytypes.ErrNodeNotFound},
		{"deregistered node", commitMsg(t, n, 4, c, salt), identitytypes.ErrNodeNotActive},
		{"jailed node", commitMsg(t, n, 3, c, salt), reputationtypes.ErrNodeJailed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rejected(t, n, tc.want, func() error { _, err := n.Artifact.CommitArtifact(n.Ctx, tc.msg); return err })
		})
	}

	t.Run("per-node limit", func(t *testing.T) {
		for i := 1; i < 4; i++ {
			n.CommitArtifact(t, 1, i)
		}
		n.CommitArtifact(t, 1, 4)
		_, c5 := roundtest.Payload(1, 5)
		rejected(t, n, types.ErrCommitLimit, func() error {
			_, err := n.Artifact.CommitArtifact(n.Ctx, commitMsg(t, n, 1, c5, roundtest.Salt(c5)))
			return err
		})
	})

	t.Run("reveal in the commit phase", func(t *testing.T) {
		rejected(t, n, types.ErrWrongPhase, func() error {
			_, err := n.Artifact.RevealArtifact(n.Ctx, &types.MsgRevealArtifact{Producer: n.Nodes[0].String(), ArtifactId: 1, Cid: c, Salt: salt, Manifest: roundtest.Manifest(types.DefaultDomain, 0)})
			return err
		})
	})

	t.Run("late commit", func(t *testing.T) {
		n.AdvanceTo(t, n.Round(t).RevealStart)
		_, c9 := roundtest.Payload(2, 9)
		rejected(t, n, types.ErrWrongPhase, func() error {
			_, err := n.Artifact.CommitArtifact(n.Ctx, commitMsg(t, n, 2, c9, roundtest.Salt(c9)))
			return err
		})
	})
}

// Commitment squatting: a node that copies the victim's commitment bytes
// first (seen in the mempool) neither blocks the victim's commit nor can open
// the copy.
func TestCommitmentSquattingBlocksNothing(t *testing.T) {
	n := roundtest.New(t, 3)
	_, c := roundtest.Payload(0, 0)
	salt := roundtest.Salt("victim")
	victim := roundtest.CommitmentFor(t, c, salt, n.Nodes[0])
	squat, err := n.Artifact.CommitArtifact(n.Ctx, &types.MsgCommitArtifact{Producer: n.Nodes[1].String(), Round: 1, Commitment: victim})
	require.NoError(t, err)
	own, err := n.Artifact.CommitArtifact(n.Ctx, &types.MsgCommitArtifact{Producer: n.Nodes[0].String(), Round: 1, Commitment: victim})
	require.NoError(t, err, "the victim commits after the squatter")
	n.AdvanceTo(t, n.Round(t).RevealStart)
	require.Equal(t, types.ARTIFACT_STATUS_REVEALED, n.Reveal(t, 0, own.ArtifactId, c, salt, roundtest.Manifest(types.DefaultDomain, 0)))
	rejected(t, n, types.ErrCommitmentMismatch, func() error {
		_, err := n.Artifact.RevealArtifact(n.Ctx, &types.MsgRevealArtifact{Producer: n.Nodes[1].String(), ArtifactId: squat.ArtifactId, Cid: c, Salt: salt, Manifest: roundtest.Manifest(types.DefaultDomain, 0)})
		return err
	})
}

func TestRevealRejectionsAndDuplicates(t *testing.T) {
	n := roundtest.New(t, 4)
	id0, c0, s0 := n.CommitArtifact(t, 0, 0)
	// Node 1 commits node 0's CID with its own salt (a copy of the payload).
	s1 := roundtest.Salt("copy")
	resp, err := n.Artifact.CommitArtifact(n.Ctx, commitMsg(t, n, 1, c0, s1))
	require.NoError(t, err)
	id1 := resp.ArtifactId
	// Node 2 commits a commitment made for node 0 (it saw it somewhere): it can never open it.
	_, cx := roundtest.Payload(9, 9)
	sx := roundtest.Salt("x")
	resp, err = n.Artifact.CommitArtifact(n.Ctx, &types.MsgCommitArtifact{Producer: n.Nodes[2].String(), Round: 1, Commitment: roundtest.CommitmentFor(t, cx, sx, n.Nodes[0])})
	require.NoError(t, err)
	id2 := resp.ArtifactId
	id3, c3, s3 := n.CommitArtifact(t, 3, 0)
	n.AdvanceTo(t, n.Round(t).RevealStart)

	m := roundtest.Manifest(types.DefaultDomain, 5)
	reveal := func(p int, id uint64, c string, salt []byte, m types.Manifest) func() error {
		return func() error {
			_, err := n.Artifact.RevealArtifact(n.Ctx, &types.MsgRevealArtifact{Producer: n.Nodes[p].String(), ArtifactId: id, Cid: c, Salt: salt, Manifest: m})
			return err
		}
	}
	big := m
	big.Embedding = make([]byte, 65)
	longKind := m
	longKind.Kind = strings.Repeat("k", 65)
	hugePayload := m
	hugePayload.PayloadSize = 1 << 40
	upper := m
	upper.Domain = "Strings"
	conf := m
	conf.ConfidencePpm = 1_000_001
	unregistered := m
	unregistered.Domain = "my-own-domain"
	method := m
	method.Energy.Method = 99
	cidV0 := "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"
	for _, tc := range []struct {
		name string
		fn   func() error
		want error
	}{
		{"copied commitment is bound to its operator", reveal(2, id2, cx, sx, m), types.ErrCommitmentMismatch},
		{"wrong salt", reveal(3, id3, c3, roundtest.Salt("wrong"), m), types.ErrCommitmentMismatch},
		{"other CID", reveal(3, id3, c0, s3, m), types.ErrCommitmentMismatch},
		{"short salt", reveal(3, id3, c3, s3[:16], m), types.ErrCommitmentMismatch},
		{"not the producer", reveal(0, id3, c3, s3, m), types.ErrNotProducer},
		{"unknown artifact", reveal(0, 999, c3, s3, m), types.ErrArtifactNotFound},
		{"malformed CID", reveal(3, id3, "not-a-cid", s3, m), types.ErrInvalidCID},
		{"CIDv0", reveal(3, id3, cidV0, s3, m), types.ErrInvalidCID},
		{"empty CID", reveal(3, id3, "", s3, m), types.ErrInvalidCID},
		{"embedding of the wrong size", reveal(3, id3, c3, s3, big), types.ErrInvalidManifest},
		{"kind too long", reveal(3, id3, c3, s3, longKind), types.ErrInvalidManifest},
		{"payload too large", reveal(3, id3, c3, s3, hugePayload), types.ErrInvalidManifest},
		{"domain with upper case", reveal(3, id3, c3, s3, upper), types.ErrInvalidManifest},
		{"domain not in the registry", reveal(3, id3, c3, s3, unregistered), types.ErrInvalidManifest},
		{"confidence above 1", reveal(3, id3, c3, s3, conf), types.ErrInvalidManifest},
		{"unknown energy method", reveal(3, id3, c3, s3, method), types.ErrInvalidManifest},
	} {
		t.Run(tc.name, func(t *testing.T) { rejected(t, n, tc.want, tc.fn) })
	}

	// Duplicate CID: node 1 reveals first, node 0 (earlier commit) second: node 0 keeps the CID.
	require.Equal(t, types.ARTIFACT_STATUS_REVEALED, n.Reveal(t, 1, id1, c0, s1, m))
	require.Equal(t, types.ARTIFACT_STATUS_REVEALED, n.Reveal(t, 0, id0, c0, s0, m))
	a1, err := n.App.ArtifactKeeper.GetArtifact(n.Ctx, id1)
	require.NoError(t, err)
	require.Equal(t, types.ARTIFACT_STATUS_DUPLICATE, a1.Status, "the later commit loses the CID")

	t.Run("double reveal", func(t *testing.T) { rejected(t, n, types.ErrAlreadyRevealed, reveal(0, id0, c0, s0, m)) })

	n.AdvanceToSeed(t)
	t.Run("late reveal", func(t *testing.T) { rejected(t, n, types.ErrWrongPhase, reveal(3, id3, c3, s3, m)) })
	t.Run("attest to a duplicate", func(t *testing.T) {
		rejected(t, n, types.ErrNotAttestable, func() error { return n.Attest(t, 3, id1, types.VERDICT_VALID, 1) })
	})
	t.Run("attest to an unrevealed artifact", func(t *testing.T) {
		rejected(t, n, types.ErrNotAttestable, func() error { return n.Attest(t, 0, id3, types.VERDICT_VALID, 1) })
	})
}

func TestAttestRejections(t *testing.T) {
	n := roundtest.New(t, 8)
	id, c, salt := n.CommitArtifact(t, 0, 0)
	n.AdvanceTo(t, n.Round(t).RevealStart)
	n.Reveal(t, 0, id, c, salt, roundtest.Manifest(types.DefaultDomain, 1))
	t.Run("attest in the reveal phase", func(t *testing.T) {
		rejected(t, n, types.ErrWrongPhase, func() error { return n.Attest(t, 1, id, types.VERDICT_VALID, 1) })
	})
	n.AdvanceToSeed(t)
	a, err := n.App.ArtifactKeeper.GetArtifact(n.Ctx, id)
	require.NoError(t, err)
	require.Greater(t, types.ChunkCount(a.Manifest.PayloadSize), uint64(2), "the test payload has a proof path")

	assigned := n.Assigned(t, id)
	require.Len(t, assigned, int(ccftypes.DefaultParams().VerifiersPerArtifact))
	require.NotContains(t, assigned, 0, "a producer is never its own verifier")
	var unassigned int
	for v := 1; v < len(n.Nodes); v++ {
		if !contains(assigned, v) {
			unassigned = v
			break
		}
	}
	v := assigned[0]
	msg := func(v int, ins ...types.AttestationInput) func() error {
		return func() error {
			_, err := n.Artifact.Attest(n.Ctx, &types.MsgAttest{Verifier: n.Nodes[v].String(), Attestations: ins})
			return err
		}
	}
	seal := func(v int, verdict types.Verdict, q uint32) types.AttestationInput {
		in, _ := n.Seal(t, v, a, verdict, q)
		return in
	}
	ok := seal(v, types.VERDICT_VALID, 700_000)
	require.NotEmpty(t, ok.Proof)
	altered := func(fn func(in *types.AttestationInput)) types.AttestationInput {
		in := ok
		in.Chunk = append([]byte{}, ok.Chunk...)
		in.Proof = append([][]byte{}, ok.Proof...)
		fn(&in)
		return in
	}
	// Another verifier's chunk and proof: valid for it, not for v (unless the
	// seed happens to select the same chunk for both).
	var borrowed types.AttestationInput
	for _, w := range assigned[1:] {
		if types.ChunkIndex(n.Round(t).Seed, id, n.Nodes[w], a.Manifest.PayloadSize) != types.ChunkIndex(n.Round(t).Seed, id, n.Nodes[v], a.Manifest.PayloadSize) {
			other := seal(w, types.VERDICT_VALID, 700_000)
			borrowed = altered(func(in *types.AttestationInput) { in.Chunk, in.Proof = other.Chunk, other.Proof })
			break
		}
	}
	require.NotNil(t, borrowed.Seal, "two assigned verifiers with different chunks")
	many := make([]types.AttestationInput, 65)
	for _, tc := range []struct {
		name string
		fn   func() error
		want error
	}{
		{"unassigned verifier", msg(unassigned, seal(unassigned, types.VERDICT_VALID, 1)), types.ErrNotAssigned},
		{"own artifact", msg(0, seal(0, types.VERDICT_VALID, 1)), types.ErrSelfAttestation},
		{"no seal", msg(v, types.AttestationInput{ArtifactId: id}), types.ErrInvalidAttestation},
		{"short seal", msg(v, altered(func(in *types.AttestationInput) { in.Seal = in.Seal[:31] })), types.ErrInvalidAttestation},
		{"another verifier's chunk", msg(v, borrowed), types.ErrBadChunkProof},
		{"altered chunk", msg(v, altered(func(in *types.AttestationInput) { in.Chunk[0] ^= 1 })), types.ErrBadChunkProof},
		{"short chunk", msg(v, altered(func(in *types.AttestationInput) { in.Chunk = in.Chunk[:10] })), types.ErrBadChunkProof},
		{"truncated proof", msg(v, altered(func(in *types.AttestationInput) { in.Proof = in.Proof[1:] })), types.ErrBadChunkProof},
		{"extra proof hash", msg(v, altered(func(in *types.AttestationInput) { in.Proof = append(in.Proof, make([]byte, 32)) })), types.ErrBadChunkProof},
		{"chunk without proof", msg(v, altered(func(in *types.AttestationInput) { in.Proof = nil })), types.ErrBadChunkProof},
		{"proof without chunk", msg(v, altered(func(in *types.AttestationInput) { in.Chunk = nil })), types.ErrBadChunkProof},
		{"twice in one message", msg(v, ok, ok), types.ErrAlreadyAttested},
		{"empty message", msg(v), types.ErrInvalidAttestation},
		{"too many in one message", msg(v, many...), types.ErrInvalidAttestation},
		{"unknown artifact", msg(v, types.AttestationInput{ArtifactId: 77, Seal: ok.Seal}), types.ErrArtifactNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) { rejected(t, n, tc.want, tc.fn) })
	}
	require.NoError(t, msg(v, ok)())
	t.Run("double attestation", func(t *testing.T) { rejected(t, n, types.ErrAlreadyAttested, msg(v, ok)) })
	// A verifier that never fetched the payload may seal, but not approve.
	lazy := assigned[1]
	lazyIn, lazyOpen := n.Seal(t, lazy, a, types.VERDICT_VALID, 900_000)
	lazyIn.Chunk, lazyIn.Proof = nil, nil
	require.NoError(t, msg(lazy, lazyIn)())
	honestUnavailable := assigned[2]
	unIn, unOpen := n.Seal(t, honestUnavailable, a, types.VERDICT_UNAVAILABLE, 0)
	unIn.Chunk, unIn.Proof = nil, nil
	require.NoError(t, msg(honestUnavailable, unIn)())

	// The verdicts stay hidden until the disclose phase.
	atts, err := n.App.ArtifactKeeper.AttestationsOf(n.Ctx, id)
	require.NoError(t, err)
	for _, at := range atts {
		require.Equal(t, types.VERDICT_UNSPECIFIED, at.Verdict, "sealed verdicts are not readable")
	}

	_, open := n.Seal(t, v, a, types.VERDICT_VALID, 700_000)
	disclose := func(v int, ds ...types.AttestationDisclosure) func() error {
		return func() error {
			_, err := n.Artifact.Disclose(n.Ctx, &types.MsgDisclose{Verifier: n.Nodes[v].String(), Disclosures: ds})
			return err
		}
	}
	t.Run("disclose in the attest phase", func(t *testing.T) { rejected(t, n, types.ErrWrongPhase, disclose(v, open)) })
	n.AdvanceTo(t, n.Round(t).DiscloseStart)
	t.Run("attest in the disclose phase", func(t *testing.T) {
		rejected(t, n, types.ErrWrongPhase, msg(assigned[3], seal(assigned[3], types.VERDICT_VALID, 1)))
	})
	with := func(fn func(d *types.AttestationDisclosure)) types.AttestationDisclosure {
		d := open
		fn(&d)
		return d
	}
	for _, tc := range []struct {
		name string
		fn   func() error
		want error
	}{
		{"other verdict", disclose(v, with(func(d *types.AttestationDisclosure) { d.Verdict = types.VERDICT_INVALID })), types.ErrSealMismatch},
		{"other quality", disclose(v, with(func(d *types.AttestationDisclosure) { d.QualityPpm++ })), types.ErrSealMismatch},
		{"other salt", disclose(v, with(func(d *types.AttestationDisclosure) { d.Salt = bytes.Repeat([]byte{1}, 32) })), types.ErrSealMismatch},
		{"short salt", disclose(v, with(func(d *types.AttestationDisclosure) { d.Salt = d.Salt[:8] })), types.ErrInvalidAttestation},
		{"unknown verdict", disclose(v, with(func(d *types.AttestationDisclosure) { d.Verdict = 7 })), types.ErrInvalidAttestation},
		{"quality above 1", disclose(v, with(func(d *types.AttestationDisclosure) { d.QualityPpm = 1_000_001 })), types.ErrInvalidAttestation},
		{"someone else's opening", disclose(assigned[3], open), types.ErrInvalidAttestation},
		{"approving without retrieval", disclose(lazy, lazyOpen), types.ErrNotRetrieved},
		{"twice in one message", disclose(v, open, open), types.ErrAlreadyDisclosed},
		{"empty message", disclose(v), types.ErrInvalidAttestation},
		{"unknown artifact", disclose(v, with(func(d *types.AttestationDisclosure) { d.ArtifactId = 77 })), types.ErrArtifactNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) { rejected(t, n, tc.want, tc.fn) })
	}
	require.NoError(t, disclose(v, open)())
	require.NoError(t, disclose(honestUnavailable, unOpen)(), "UNAVAILABLE needs no retrieval")
	t.Run("double disclosure", func(t *testing.T) { rejected(t, n, types.ErrAlreadyDisclosed, disclose(v, open)) })
	at, err := n.App.ArtifactKeeper.Attestations.Get(n.Ctx, collections.Join(id, n.Nodes[v]))
	require.NoError(t, err)
	require.Equal(t, types.VERDICT_VALID, at.Verdict)
	require.EqualValues(t, 700_000, at.QualityPpm)
	require.True(t, at.Retrieved)

	r := n.Round(t)
	n.AdvanceTo(t, r.FinalizeStart-1)
	n.Fixture.Commit(t) // the round finalizes in the EndBlock of FinalizeStart-1
	t.Run("late disclosure", func(t *testing.T) { rejected(t, n, types.ErrWrongPhase, disclose(lazy, lazyOpen)) })
	t.Run("late attestation", func(t *testing.T) {
		rejected(t, n, types.ErrWrongPhase, func() error { return n.Attest(t, assigned[1], id, types.VERDICT_VALID, 1) })
	})
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func jail(t *testing.T, n *roundtest.Net, p int) {
	// Round 0 comes before any real round, so the finalization of round 1
	// can still apply its outcome to the node.
	r, err := n.App.ReputationKeeper.ApplyOutcome(n.Ctx, n.Nodes[p], reputationtypes.Outcome{Round: 0, SignalPPM: 0})
	require.NoError(t, err)
	r.ScorePpm, r.JailedUntilRound = 0, 11
	require.NoError(t, n.App.ReputationKeeper.Reputations.Set(n.Ctx, n.Nodes[p], r))
	require.Error(t, n.App.ReputationKeeper.CheckNotJailed(n.Ctx, n.Nodes[p], 1))
}
