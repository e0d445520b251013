package types_test

import (
	"testing"

	"github.com/h3lix/h3lix/app"
	"github.com/h3lix/h3lix/x/artifact/types"
)

// FuzzManifestJSON decodes arbitrary bytes as a manifest (proto JSON, as the
// CLI reads it) and validates it: nothing may panic, and an accepted
// manifest must respect every bound.
func FuzzManifestJSON(f *testing.F) {
	cdc := app.MakeEncodingConfig().Codec
	p := types.DefaultParams()
	f.Add([]byte(`{"kind":"pbe.program","domain":"strings","embedding":"` + zeros64 + `","confidence_ppm":900000,"payload_size":"2048"}`))
	f.Add([]byte(`{"kind":"","domain":"x","embedding":"AA==","confidence_ppm":4294967295,"payload_size":"0"}`))
	f.Add([]byte(`{"energy":{"renewable_ppm":2000000}}`))
	f.Add([]byte(`{"energy":{"method":"ENERGY_METHOD_RAPL","joules":"12"}}`))
	f.Add([]byte(`{"energy":{"method":7}}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, bz []byte) {
		var m types.Manifest
		if err := cdc.UnmarshalJSON(bz, &m); err != nil {
			return
		}
		if types.ValidateManifest(m, m.Size(), p) != nil {
			return
		}
		if uint32(len(m.Embedding)) != p.EmbeddingDim || m.ConfidencePpm > types.PPM || m.PayloadSize > p.MaxPayloadSize || m.Energy.RenewablePpm > types.PPM || types.EnergyMethod_name[int32(m.Energy.Method)] == "" {
			t.Fatalf("accepted an out-of-bounds manifest: %+v", m)
		}
	})
}

// base64 of 64 zero bytes.
const zeros64 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
