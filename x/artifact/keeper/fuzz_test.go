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
	valid := &types.MsgRevealArtifact{Producer: n.Nodes[0].String(), ArtifactId: id, Cid: c, Salt: salt, Manifest: roundtest.Manifest(types.DefaultDomain, 1)}
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
	for _, ins := range [][]types.AttestationInput{
		{{ArtifactId: id, Verdict: types.VERDICT_VALID, QualityPpm: 500_000}},
		{{ArtifactId: id, Verdict: 9}},
		{{ArtifactId: id, Verdict: types.VERDICT_VALID}, {ArtifactId: id, Verdict: types.VERDICT_INVALID}},
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
