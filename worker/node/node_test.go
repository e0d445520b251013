package node

import (
	"bytes"
	"io"
	"log/slog"
	"testing"

	"github.com/h3lix/h3lix/worker/chain"
)

// TestTaskKey: the task key is the node's own (two homes, two keys), the
// same after a restart, and absent without a node key.
func TestTaskKey(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	homes := []string{t.TempDir(), t.TempDir()}
	for _, h := range homes {
		if _, _, err := chain.LoadOrCreateNodeKey(NodeKeyPath(h)); err != nil {
			t.Fatal(err)
		}
	}
	a, again, b := taskKey(homes[0], log), taskKey(homes[0], log), taskKey(homes[1], log)
	if len(a) != 32 || !bytes.Equal(a, again) || bytes.Equal(a, b) {
		t.Fatalf("task keys %x %x %x", a, again, b)
	}
	k, _ := chain.LoadNodeKey(NodeKeyPath(homes[0]))
	if bytes.Equal(a, k.Priv.Seed()) {
		t.Error("the task key is the node key itself")
	}
	if taskKey(t.TempDir(), log) != nil || taskKey("", log) != nil {
		t.Error("a key without a node key")
	}
}
