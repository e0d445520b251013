package chain

import (
	"fmt"

	"github.com/h3lix/h3lix/worker/engine"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
)

// ManifestOf maps an engine artifact to the manifest the chain records, and
// checks it against the chain's parameters (embedding size, payload cap,
// label rules) before anything is broadcast, so a mismatch is reported here
// with the reason instead of as a failed reveal.
func ManifestOf(a engine.Artifact, energy EnergyRecord, p ArtifactParams) (Manifest, error) {
	if uint32(len(a.Manifest.Embedding)) != p.EmbeddingDim {
		return Manifest{}, fmt.Errorf("the engine embeds in %d dimensions, the chain's embedding_dim is %d", len(a.Manifest.Embedding), p.EmbeddingDim)
	}
	emb := make([]byte, len(a.Manifest.Embedding))
	for i, v := range a.Manifest.Embedding {
		emb[i] = byte(v)
	}
	m := Manifest{
		Kind:          a.Manifest.Kind,
		Domain:        a.Manifest.Domain,
		Embedding:     emb,
		ConfidencePpm: uint32(min(a.Manifest.Confidence, engine.MaxPPM)),
		PayloadSize:   uint64(len(a.Payload)),
		ChunkRoot:     artifacttypes.ChunkRoot(a.Payload),
		Energy:        energy,
	}
	if err := artifacttypes.ValidateManifest(m, m.Size(), p); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// EngineArtifact rebuilds the engine's view of a revealed artifact from its
// chain manifest and the fetched payload, for verification. An embedding of
// the wrong length cannot be the engine's: it is reported as an error.
func EngineArtifact(m Manifest, payload []byte) (engine.Artifact, error) {
	var emb engine.Embedding
	if len(m.Embedding) != len(emb) {
		return engine.Artifact{}, fmt.Errorf("manifest embedding has %d values, the engine uses %d", len(m.Embedding), len(emb))
	}
	for i, b := range m.Embedding {
		emb[i] = int8(b)
	}
	return engine.Artifact{
		Manifest: engine.Manifest{
			Kind:        m.Kind,
			Domain:      m.Domain,
			Embedding:   emb,
			Confidence:  engine.PPM(min(m.ConfidencePpm, PPM)),
			PayloadSize: m.PayloadSize,
		},
		Payload: payload,
	}, nil
}

// VerdictOf maps the engine's verdict to the chain's, by name.
func VerdictOf(v engine.Verdict) (Verdict, error) {
	switch v {
	case engine.VerdictValid:
		return VerdictValid, nil
	case engine.VerdictInvalid:
		return VerdictInvalid, nil
	case engine.VerdictUnavailable:
		return VerdictUnavailable, nil
	}
	return 0, fmt.Errorf("engine verdict %s has no chain verdict", v)
}
