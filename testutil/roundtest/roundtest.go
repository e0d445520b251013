// Package roundtest drives whole rounds on the real app in memory: nodes
// register, messages go through the real msg servers at the current height,
// and blocks are finalized and committed (so ccf's EndBlock runs) between
// steps.
package roundtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
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
	// payloads by CID, so that reveals carry real chunk roots and
	// attestations real proofs of retrieval.
	payloads map[string][]byte
	// Openings are the sealed verdicts of each node, by node index, until
	// Disclose opens them.
	Openings map[int][]artifacttypes.AttestationDisclosure
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
	return &Net{
		Fixture: f, Nodes: f.Accounts[:n], Artifact: artifactkeeper.NewMsgServerImpl(f.App.ArtifactKeeper),
		payloads: map[string][]byte{}, Openings: map[int][]artifacttypes.AttestationDisclosure{},
	}
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
	// About 300 bytes: five chunks, so proofs of retrieval have a path.
	data := bytes.Repeat(append([]byte("h3lix test artifact "), b[:]...), 8)
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

var placeholderRoot = sha256.Sum256([]byte("h3lix test chunk root"))

// Manifest is a valid manifest with the given embedding pattern: embedding
// value v + i%3 in every coordinate, confidence 0.9. Its payload size and
// chunk root are placeholders that Reveal replaces with the payload's.
func Manifest(domain string, v int8) artifacttypes.Manifest {
	emb := make([]byte, 64)
	for i := range emb {
		emb[i] = byte(v + int8(i%3))
	}
	return artifacttypes.Manifest{
		Kind: "pbe.program", Domain: domain, Embedding: emb, ConfidencePpm: 900_000, PayloadSize: 2048, ChunkRoot: placeholderRoot[:],
		Energy: artifacttypes.EnergyRecord{Joules: 100, MgCo2E: 20, RenewablePpm: 500_000, Method: artifacttypes.ENERGY_METHOD_RAPL},
	}
}

// CommitArtifact commits payload (i, nonce) of producer p in the current round and
// returns its artifact id, CID and salt.
func (n *Net) CommitArtifact(t testing.TB, p int, nonce int) (uint64, string, []byte) {
	t.Helper()
	data, c := Payload(p, nonce)
	n.payloads[c] = data
	salt := Salt(c)
	resp, err := n.Artifact.CommitArtifact(n.Ctx, &artifacttypes.MsgCommitArtifact{
		Producer: n.Nodes[p].String(), Round: n.Round(t).Id, Commitment: CommitmentFor(t, c, salt, n.Nodes[p]),
	})
	require.NoError(t, err)
	return resp.ArtifactId, c, salt
}

// KeepPayload remembers the payload of CID c for reveals and proofs of
// retrieval, for tests that commit without CommitArtifact.
func (n *Net) KeepPayload(c string, data []byte) { n.payloads[c] = data }

// Reveal reveals an artifact of producer p, with the size and chunk root of
// its payload when the payload is known (committed through CommitArtifact).
func (n *Net) Reveal(t testing.TB, p int, id uint64, c string, salt []byte, m artifacttypes.Manifest) artifacttypes.ArtifactStatus {
	t.Helper()
	if data, ok := n.payloads[c]; ok {
		m.PayloadSize, m.ChunkRoot = uint64(len(data)), artifacttypes.ChunkRoot(data)
	}
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

// Attest seals one verdict of node v, with its proof of retrieval, and keeps
// the opening for Disclose.
func (n *Net) Attest(t testing.TB, v int, id uint64, verdict artifacttypes.Verdict, quality uint32) error {
	t.Helper()
	a, err := n.App.ArtifactKeeper.GetArtifact(n.Ctx, id)
	if err != nil {
		return err
	}
	in, open := n.Seal(t, v, a, verdict, quality)
	_, err = n.Artifact.Attest(n.Ctx, &artifacttypes.MsgAttest{Verifier: n.Nodes[v].String(), Attestations: []artifacttypes.AttestationInput{in}})
	if err == nil {
		n.Openings[v] = append(n.Openings[v], open)
	}
	return err
}

// Seal is node v's sealed verdict on a, with the proof of retrieval when
// the payload is known, and its opening.
func (n *Net) Seal(t testing.TB, v int, a artifacttypes.Artifact, verdict artifacttypes.Verdict, quality uint32) (artifacttypes.AttestationInput, artifacttypes.AttestationDisclosure) {
	t.Helper()
	salt := Salt(fmt.Sprintf("attest/%d/%d", v, a.Id))
	in := artifacttypes.AttestationInput{ArtifactId: a.Id, Seal: artifacttypes.Seal(a.Id, n.Nodes[v], verdict, quality, salt)}
	if data, ok := n.payloads[a.Cid]; ok && a.Manifest != nil {
		idx := artifacttypes.ChunkIndex(n.Round(t).Seed, a.Id, n.Nodes[v], a.Manifest.PayloadSize)
		chunk, proof, err := artifacttypes.ChunkProof(data, idx)
		require.NoError(t, err)
		in.Chunk, in.Proof = chunk, proof
	}
	return in, artifacttypes.AttestationDisclosure{ArtifactId: a.Id, Verdict: verdict, QualityPpm: quality, Salt: salt}
}

// Disclose advances to the disclose phase of the round in progress and
// opens every node's sealed verdicts.
func (n *Net) Disclose(t testing.TB) {
	t.Helper()
	if len(n.Openings) == 0 {
		return
	}
	n.AdvanceTo(t, n.Round(t).DiscloseStart)
	for v := range n.Nodes {
		ds := n.Openings[v]
		if len(ds) == 0 {
			continue
		}
		_, err := n.Artifact.Disclose(n.Ctx, &artifacttypes.MsgDisclose{Verifier: n.Nodes[v].String(), Disclosures: ds})
		require.NoError(t, err)
	}
	n.Openings = map[int][]artifacttypes.AttestationDisclosure{}
}

// FinalizeRound advances until the round in progress is finalized and
// returns its field.
func (n *Net) FinalizeRound(t testing.TB) ccftypes.Field {
	t.Helper()
	n.Disclose(t)
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
