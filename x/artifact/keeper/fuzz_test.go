package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/testutil/roundtest"
	"github.com/h3lix/h3lix/x/artifact/types"
)

// FuzzRevealArtifact decodes arbitrary bytes as MsgRevealArtifact and runs
// it in a reveal phase: no panic, and a rejected reveal changes no store.
func FuzzRevealArtifact(f *testing.F) {
	n := roundtest.New(f, 3)
	id, c, salt := n.CommitArtifact(f, 0, 0)
	n.AdvanceTo(f, n.Round(f).RevealStart)
	m := roundtest.Manifest(types.DefaultDomain, 1)
	data, _ := roundtest.Payload(0, 0)
	m.PayloadSize, m.ChunkRoot = uint64(len(data)), types.ChunkRoot(data)
	valid := &types.MsgRevealArtifact{Producer: n.Nodes[0].String(), ArtifactId: id, Cid: c, Salt: salt, Manifest: m}
	for _, mut := range []func(*types.MsgRevealArtifact){
		func(*types.MsgRevealArtifact) {},
		func(m *types.MsgRevealArtifact) { m.Cid = "bafy" },
		func(m *types.MsgRevealArtifact) { m.Salt = nil },
		func(m *types.MsgRevealArtifact) { m.Manifest.Embedding = make([]byte, 4096) },
		func(m *types.MsgRevealArtifact) { m.ArtifactId = 1 << 62 },
	} {
		m := *valid
		mut(&m)
		bz, err := m.Marshal()
		require.NoError(f, err)
		f.Add(bz)
	}
	f.Fuzz(func(t *testing.T, bz []byte) {
		var msg types.MsgRevealArtifact
		if msg.Unmarshal(bz) != nil {
			return
		}
		unchangedOnError(t, n, func(ctx sdk.Context) error { _, err := n.Artifact.RevealArtifact(ctx, &msg); return err })
	})
}

// FuzzAttest decodes arbitrary bytes as MsgAttest and runs it in an attest
// phase: no panic, and a rejected message changes no store.
func FuzzAttest(f *testing.F) {
	n := roundtest.New(f, 5)
	id, c, salt := n.CommitArtifact(f, 0, 0)
	n.AdvanceTo(f, n.Round(f).RevealStart)
	n.Reveal(f, 0, id, c, salt, roundtest.Manifest(types.DefaultDomain, 1))
	n.AdvanceToSeed(f)
	v := n.Assigned(f, id)[0]
	a, err := n.App.ArtifactKeeper.GetArtifact(n.Ctx, id)
	require.NoError(f, err)
	good, _ := n.Seal(f, v, a, types.VERDICT_VALID, 500_000)
	noProof := good
	noProof.Chunk, noProof.Proof = nil, nil
	for _, ins := range [][]types.AttestationInput{
		{good},
		{noProof},
		{{ArtifactId: id, Seal: good.Seal[:5], Chunk: good.Chunk}},
		{good, good},
		{},
	} {
		bz, err := (&types.MsgAttest{Verifier: n.Nodes[v].String(), Attestations: ins}).Marshal()
		require.NoError(f, err)
		f.Add(bz)
	}
	f.Fuzz(func(t *testing.T, bz []byte) {
		var msg types.MsgAttest
		if msg.Unmarshal(bz) != nil {
			return
		}
		unchangedOnError(t, n, func(ctx sdk.Context) error { _, err := n.Artifact.Attest(ctx, &msg); return err })
	})
}

// FuzzDisclose decodes arbitrary bytes as MsgDisclose and runs it in a
// disclose phase with sealed attestations waiting: no panic, and a rejected
// message changes no store.
func FuzzDisclose(f *testing.F) {
	n := roundtest.New(f, 5)
	id, c, salt := n.CommitArtifact(f, 0, 0)
	n.AdvanceTo(f, n.Round(f).RevealStart)
	n.Reveal(f, 0, id, c, salt, roundtest.Manifest(types.DefaultDomain, 1))
	n.AdvanceToSeed(f)
	vs := n.Assigned(f, id)
	require.NoError(f, n.Attest(f, vs[0], id, types.VERDICT_VALID, 500_000))
	require.NoError(f, n.Attest(f, vs[1], id, types.VERDICT_INVALID, 0))
	n.AdvanceTo(f, n.Round(f).DiscloseStart)
	for v, ds := range n.Openings {
		other := ds[0]
		other.Verdict = types.VERDICT_UNAVAILABLE
		for _, d := range [][]types.AttestationDisclosure{ds, {other}, {ds[0], ds[0]}, {}} {
			bz, err := (&types.MsgDisclose{Verifier: n.Nodes[v].String(), Disclosures: d}).Marshal()
			require.NoError(f, err)
			f.Add(bz)
		}
	}
	f.Fuzz(func(t *testing.T, bz []byte) {
		var msg types.MsgDisclose
		if msg.Unmarshal(bz) != nil {
			return
		}
		unchangedOnError(t, n, func(ctx sdk.Context) error { _, err := n.Artifact.Disclose(ctx, &msg); return err })
	})
}

// unchangedOnError runs fn on a throw-away cache of the net's state and,
// when fn fails, checks that it wrote nothing.
func unchangedOnError(t *testing.T, n *roundtest.Net, fn func(sdk.Context) error) {
	ctx, _ := n.Ctx.CacheContext()
	saved := n.Ctx
	n.Ctx = ctx
	defer func() { n.Ctx = saved }()
	before := n.StoreDump(t, stores...)
	if err := fn(ctx); err != nil {
		require.Equal(t, before, n.StoreDump(t, stores...), "a rejected message changed state: %v", err)
	}
}
