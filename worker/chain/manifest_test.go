package chain_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/pbe"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
)

var (
	engineOnce sync.Once
	engineArts []engine.Artifact
	engineErr  error
)

// engineArtifacts solves two of the PBE engine's test tasks and distills
// them: real payloads and embeddings, as a worker would reveal them.
func engineArtifacts(t *testing.T) []engine.Artifact {
	t.Helper()
	engineOnce.Do(func() {
		e := pbe.New(pbe.Options{}, 1)
		var solved []engine.Result
		for _, name := range []string{"prefix-bool.sl", "lastname.sl"} {
			src, err := os.ReadFile(filepath.Join("..", "engine", "pbe", "testdata", name))
			if err != nil {
				engineErr = err
				return
			}
			res, err := e.Solve(context.Background(), engine.Task{ID: name, Domain: "strings/slia", Spec: src}, engine.Budget{Candidates: 20_000_000, Seed: 1})
			if err != nil {
				engineErr = err
				return
			}
			if !res.Solved {
				t.Logf("%s unsolved: %s", name, res.Reason)
				continue
			}
			solved = append(solved, res)
		}
		engineArts, engineErr = e.Distill(context.Background(), solved)
	})
	require.NoError(t, engineErr)
	require.GreaterOrEqual(t, len(engineArts), 2, "the engine distills one artifact per solved task")
	return engineArts[:2]
}

func TestManifestOf(t *testing.T) {
	p := artifacttypes.DefaultParams()
	energy := chain.EnergyRecord{Joules: 12, MgCo2E: 3, RenewablePpm: 400_000}
	for _, a := range engineArtifacts(t) {
		m, err := chain.ManifestOf(a, energy, p)
		require.NoError(t, err)
		require.NoError(t, artifacttypes.ValidateManifest(m, m.Size(), p))
		require.Equal(t, a.Manifest.Kind, m.Kind)
		require.Equal(t, a.Manifest.Domain, m.Domain)
		require.Equal(t, uint64(len(a.Payload)), m.PayloadSize)
		require.Equal(t, uint32(a.Manifest.Confidence), m.ConfidencePpm)
		require.Equal(t, energy, m.Energy)
		for i, v := range a.Manifest.Embedding {
			require.Equal(t, v, int8(m.Embedding[i]), "embedding[%d] keeps its sign", i)
		}

		back, err := chain.EngineArtifact(m, a.Payload)
		require.NoError(t, err)
		require.Equal(t, a, back, "EngineArtifact inverts ManifestOf")
	}
}

// manifestInput is what ManifestOf reads.
type manifestInput struct {
	a engine.Artifact
	e chain.EnergyRecord
	p chain.ArtifactParams
}

func TestManifestOfRejects(t *testing.T) {
	base := manifestInput{a: engineArtifacts(t)[0], p: artifacttypes.DefaultParams()}
	for _, tc := range []struct {
		name   string
		mutate func(*manifestInput)
		want   []string
	}{
		{"chain embeds in another dimension", func(in *manifestInput) { in.p.EmbeddingDim = 32 },
			[]string{"the engine embeds in 64 dimensions", "embedding_dim is 32"}},
		{"empty payload", func(in *manifestInput) { in.a.Payload = nil },
			[]string{"payload size 0 bytes", "must be in [1,"}},
		{"payload above the chain's cap", func(in *manifestInput) { in.p.MaxPayloadSize = uint64(len(in.a.Payload)) - 1 },
			[]string{"payload size", "must be in [1,"}},
		{"kind the chain does not accept", func(in *manifestInput) { in.a.Manifest.Kind = "PBE Program" },
			[]string{`kind "PBE Program"`, "lower-case"}},
		{"no domain", func(in *manifestInput) { in.a.Manifest.Domain = "" },
			[]string{"domain is required"}},
		{"renewable share above 1", func(in *manifestInput) { in.e.RenewablePpm = chain.PPM + 1 },
			[]string{"renewable share"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := base
			tc.mutate(&in)
			m, err := chain.ManifestOf(in.a, in.e, in.p)
			require.Error(t, err)
			for _, w := range tc.want {
				require.ErrorContains(t, err, w)
			}
			require.Zero(t, m, "no manifest comes back with an error")
		})
	}

	// A confidence above 1 is the engine's rounding, not a reason to refuse.
	a := base.a
	a.Manifest.Confidence = engine.MaxPPM + 5
	m, err := chain.ManifestOf(a, chain.EnergyRecord{}, base.p)
	require.NoError(t, err)
	require.Equal(t, uint32(chain.PPM), m.ConfidencePpm)
}

func TestEngineArtifactRejectsWrongEmbedding(t *testing.T) {
	_, err := chain.EngineArtifact(chain.Manifest{Kind: "pbe/program", Domain: "strings", Embedding: make([]byte, 32), PayloadSize: 1}, []byte{1})
	require.ErrorContains(t, err, "manifest embedding has 32 values, the engine uses 64")
}

func TestVerdictOf(t *testing.T) {
	for _, v := range []engine.Verdict{engine.VerdictValid, engine.VerdictInvalid, engine.VerdictUnavailable} {
		got, err := chain.VerdictOf(v)
		require.NoError(t, err)
		require.Equal(t, "VERDICT_"+v.String(), got.String(), "mapped by name")
	}
	for _, v := range []engine.Verdict{engine.VerdictUnspecified, engine.Verdict(200)} {
		_, err := chain.VerdictOf(v)
		require.ErrorContains(t, err, "has no chain verdict")
		require.ErrorContains(t, err, "UNSPECIFIED")
	}
}
