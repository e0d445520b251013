package llm

import (
	"context"
	"errors"
	"testing"

	"github.com/h3lix/h3lix/worker/engine"
)

func TestStubsSayNotImplemented(t *testing.T) {
	e := New(Config{BaseURL: "http://127.0.0.1:8080/v1", Model: "m"})
	if _, err := e.Solve(context.Background(), engine.Task{}, engine.Budget{}); !errors.Is(err, engine.ErrNotImplemented) {
		t.Errorf("Solve: %v", err)
	}
	if _, err := e.Embed(nil); !errors.Is(err, engine.ErrNotImplemented) {
		t.Errorf("Embed: %v", err)
	}
}
