// Package roundtest drives whole rounds on the real app in memory: nodes
// register, messages go through the real msg servers at the current height,
// and blocks are finalized and committed (so ccf's EndBlock runs) between
// steps.
package roundtest

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/testutil/apptest"
	"github.com/h3lix/h3lix/testutil/identitytest"
	artifactkeeper "github.com/h3lix/h3lix/x/artifact/keeper"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	identitykeeper "github.com/h3lix/h3lix/x/identity/keeper"
)

// Net is an app with registered nodes (every account a worker and verifier).
type Net struct {
	*apptest.Fixture
	Nodes    []sdk.AccAddress
	Artifact artifacttypes.MsgServer
}

// New starts an app with n registered nodes.
func New(t testing.TB, n int) *Net { return NewWith(t, n, true) }

// NewWith is New with vote extensions (the validators' seed beacon) on or off.
func NewWith(t testing.TB, n int, voteExtensions bool) *Net {
	f := apptest.NewWith(t, n, nil, voteExtensions)
	ids := identitykeeper.NewMsgServerImpl(f.App.IdentityKeeper)
	for i := 0; i < n; i++ {
		_, err := ids.RegisterNode(f.Ctx, identitytest.RegisterMsg(t, apptest.ChainID, f.Accounts[i], i))
		require.NoError(t, err)
	}
	return &Net{Fixture: f, Nodes: f.Accounts[:n], Artifact: artifactkeeper.NewMsgServerImpl(f.App.ArtifactKeeper)}
}

// Round returns the round in progress.
func (n *Net) Round(t testing.TB) ccftypes.Round {
	r, err := n.App.CCFKeeper.CurrentRound.Get(n.Ctx)
	require.NoError(t, err)
	return r
}

// AdvanceTo commits blocks until the context is at height h.
func (n *Net) AdvanceTo(t testing.TB, h int64) {
	for n.Ctx.BlockHeight() < h {
		n.Fixture.Commit(t)
	}
}

// AdvanceToSeed commits blocks until the round in progress has its seed, so
// assignments exist, and returns the round. With the validators' beacon the
// seed is drawn at the start of block AttestStart+1 (ADR-004); this returns
// with the context at the block after it, where workers' attestations land.
func (n *Net) AdvanceToSeed(t testing.TB) ccftypes.Round {
	t.Helper()
	for i := 0; i < 10_000; i++ {
		if r := n.Round(t); r.Seed != nil {
			return r
		}
		n.Fixture.Commit(t)
	}
	t.Fatal("the round in progress never got a seed")
	return ccftypes.Round{}
}

// Payload is a deterministic payload for (producer index, nonce) and its CIDv1 (raw, sha2-256).
func Payload(i, nonce int) ([]byte, string) {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(i))
	binary.BigEndian.PutUint64(b[8:], uint64(nonce))
	data := append([]byte("h3lix test artifact "), b[:]...)
	hash, err := mh.Sum(data, mh.SHA2_256, -1)
	if err != nil {
		panic(err)
	}
	return data, cid.NewCidV1(cid.Raw, hash).String()
}

// Salt is a deterministic salt for a label.
func Salt(label string) []byte {
	s := sha256.Sum256([]byte("salt/" + label))
	return s[:]
}

// CommitmentFor computes the commitment of (cid, salt) by producer.
func CommitmentFor(t testing.TB, cidStr string, salt []byte, producer sdk.AccAddress) []byte {
	c, err := cid.Decode(cidStr)
	require.NoError(t, err)
	return artifacttypes.Commitment(c.Bytes(), salt, producer)
}

// Manifest is a valid manifest with the given embedding pattern: embedding
// value v + i%3 in every coordinate, confidence 0.9.
func Manifest(domain string, v int8) artifacttypes.Manifest {
	emb := make([]byte, 64)
	for i := range emb {
		emb[i] = byte(v + int8(i%3))
	}
	return artifacttypes.Manifest{
		Kind: "pbe.program", Domain: domain, Embedding: emb, ConfidencePpm: 900_000, PayloadSize: 2048,
		Energy: artifacttypes.EnergyRecord{Joules: 100, MgCo2E: 20, RenewablePpm: 500_000},
	}
}

// CommitArtifact commits payload (i, nonce) of producer p in the current round and
// returns its artifact id, CID and salt.
func (n *Net) CommitArtifact(t testing.TB, p int, nonce int) (uint64, string, []byte) {
	t.Helper()
	_, c := Payload(p, nonce)
	salt := Salt(c)
	resp, err := n.Artifact.CommitArtifact(n.Ctx, &artifacttypes.MsgCommitArtifact{
		Producer: n.Nodes[p].String(), Round: n.Round(t).Id, Commitment: CommitmentFor(t, c, salt, n.Nodes[p]),
	})
	require.NoError(t, err)
	return resp.ArtifactId, c, salt
}

// Reveal reveals an artifact of producer p.
func (n *Net) Reveal(t testing.TB, p int, id uint64, c string, salt []byte, m artifacttypes.Manifest) artifacttypes.ArtifactStatus {
	t.Helper()
	resp, err := n.Artifact.RevealArtifact(n.Ctx, &artifacttypes.MsgRevealArtifact{
		Producer: n.Nodes[p].String(), ArtifactId: id, Cid: c, Salt: salt, Manifest: m,
	})
	require.NoError(t, err)
	return resp.Status
}

// Assigned returns the node indexes assigned to artifact id.
func (n *Net) Assigned(t testing.TB, id uint64) []int {
	t.Helper()
	a, err := n.App.ArtifactKeeper.GetArtifact(n.Ctx, id)
	require.NoError(t, err)
	ops, err := n.App.ArtifactKeeper.Assigned(n.Ctx, a)
	require.NoError(t, err)
	var out []int
	for _, op := range ops {
		out = append(out, n.Index(op))
	}
	return out
}

// Index is the node index of an operator address, or -1.
func (n *Net) Index(op string) int {
	for i, a := range n.Nodes {
		if a.String() == op {
			return i
		}
	}
	return -1
}

// Attest sends one verdict of node v.
func (n *Net) Attest(t testing.TB, v int, id uint64, verdict artifacttypes.Verdict, quality uint32) error {
	_, err := n.Artifact.Attest(n.Ctx, &artifacttypes.MsgAttest{
		Verifier: n.Nodes[v].String(), Attestations: []artifacttypes.AttestationInput{{ArtifactId: id, Verdict: verdict, QualityPpm: quality}},
	})
	return err
}

// FinalizeRound advances until the round in progress is finalized and
// returns its field.
func (n *Net) FinalizeRound(t testing.TB) ccftypes.Field {
	t.Helper()
	r := n.Round(t)
	for i := 0; i < 10_000; i++ {
		if f, err := n.App.CCFKeeper.GetField(n.Ctx, r.Id); err == nil {
			return f
		}
		n.Fixture.Commit(t)
	}
	t.Fatalf("round %d never finalized", r.Id)
	return ccftypes.Field{}
}
