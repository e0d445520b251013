package pbe

import (
	"context"
	"testing"

	"github.com/h3lix/h3lix/worker/engine"
)

// Both attacks must look well-formed (so that only content checks catch
// them) and be caught by Verify; the unverified merge must take them in,
// or the naive baseline of the simulation shows nothing.
func TestPoison(t *testing.T) {
	producer := New(Options{}, 3)
	good := distillOne(t, producer, solveTask(t, producer, "lastname.sl"))
	verifier := New(Options{}, 4)
	for k, want := range []string{"prior delta", "check"} {
		bad := Poison(good, k)
		if string(bad.Payload) == string(good.Payload) {
			t.Fatalf("kind %d: payload unchanged", k)
		}
		emb, err := verifier.Embed(bad.Payload)
		if err != nil || emb != bad.Manifest.Embedding || bad.Manifest.PayloadSize != uint64(len(bad.Payload)) {
			t.Fatalf("kind %d: manifest does not match the poisoned payload (%v)", k, err)
		}
		v, err := verifier.Verify(context.Background(), bad)
		if err != nil || v.Verdict != engine.VerdictInvalid {
			t.Fatalf("kind %d (%s): verdict %v %q, err %v", k, want, v.Verdict, v.Reason, err)
		}
	}
	naive := New(Options{}, 5)
	if err := naive.ConditionUnverified([]engine.WeightedArtifact{{Artifact: Poison(good, 0), Weight: 1_000_000}}); err != nil {
		t.Fatal(err)
	}
	if naive.Prior().Ops["str.to_int"] == 0 {
		t.Error("the unverified merge dropped the poisoned delta")
	}
	if got := Poison(engine.Artifact{Payload: []byte("not json")}, 0); string(got.Payload) != "not json" {
		t.Error("an undecodable artifact was changed")
	}
}
