package chain_test

import (
	"reflect"
	"testing"

	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/engine"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
)

// FuzzManifestOf: ManifestOf never panics, anything it accepts the chain's
// own manifest check accepts too, and EngineArtifact gives the artifact
// back (confidence capped at 1).
func FuzzManifestOf(f *testing.F) {
	f.Add("pbe/program", "strings/slia", []byte{1, 0xff, 0x80, 0x7f}, uint32(900_000), uint32(120), uint16(64), uint32(400_000))
	f.Add("", "strings", []byte{}, uint32(0), uint32(0), uint16(64), uint32(0))
	f.Add("PBE", "x", []byte{0}, uint32(2_000_000), uint32(5000), uint16(32), uint32(2_000_000))
	f.Add("a/b.c-d_e", "0", make([]byte, 64), uint32(1_000_000), uint32(4096), uint16(64), uint32(1_000_000))
	f.Fuzz(func(t *testing.T, kind, domain string, emb []byte, conf, size uint32, dim uint16, renewable uint32) {
		p := artifacttypes.DefaultParams()
		p.EmbeddingDim = uint32(dim)
		p.MaxPayloadSize = 4096
		a := engine.Artifact{
			Manifest: engine.Manifest{Kind: kind, Domain: domain, Confidence: engine.PPM(conf)},
			Payload:  make([]byte, size%8192),
		}
		for i := range a.Manifest.Embedding {
			if len(emb) > 0 {
				a.Manifest.Embedding[i] = int8(emb[i%len(emb)])
			}
		}
		energy := chain.EnergyRecord{Joules: uint64(size), RenewablePpm: renewable}
		m, err := chain.ManifestOf(a, energy, p)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a reason")
			}
			if !reflect.DeepEqual(m, chain.Manifest{}) {
				t.Fatalf("a manifest next to the error: %+v", m)
			}
			return
		}
		if err := artifacttypes.ValidateManifest(m, m.Size(), p); err != nil {
			t.Fatalf("ManifestOf accepted what the chain refuses: %v (%+v)", err, m)
		}
		if m.PayloadSize != uint64(len(a.Payload)) {
			t.Fatalf("payload size %d, payload is %d bytes", m.PayloadSize, len(a.Payload))
		}
		back, err := chain.EngineArtifact(m, a.Payload)
		if err != nil {
			t.Fatalf("EngineArtifact refuses an accepted manifest: %v", err)
		}
		want := a.Manifest
		want.Confidence = min(want.Confidence, engine.MaxPPM)
		want.PayloadSize = uint64(len(a.Payload))
		if back.Manifest != want {
			t.Fatalf("round trip: %+v, want %+v", back.Manifest, want)
		}
	})
}
