package engine

import (
	"errors"
	"testing"
)

func TestVerdictNames(t *testing.T) {
	for v, want := range map[Verdict]string{VerdictValid: "VALID", VerdictInvalid: "INVALID", VerdictUnavailable: "UNAVAILABLE", VerdictUnspecified: "UNSPECIFIED"} {
		if v.String() != want {
			t.Errorf("%d: %s", v, v)
		}
	}
}

func TestNotImplemented(t *testing.T) {
	err := NotImplemented("bench collective")
	if !errors.Is(err, ErrNotImplemented) || err.Error() != "bench collective: not implemented yet" {
		t.Errorf("%v", err)
	}
}
