package types_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/h3lix/h3lix/x/artifact/types"
)

// The domain registry: refused when a name is malformed or listed twice, when
// its dimension differs from embedding_dim, or when it grows past 256; an
// empty registry is open.
func TestParamsDomainRegistry(t *testing.T) {
	base := types.DefaultParams()
	if err := base.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, ok := base.Domain(types.DefaultDomain); !ok {
		t.Fatal("the engine's domain is registered by default")
	}
	if _, ok := base.Domain("anything"); ok {
		t.Fatal("an unregistered domain was found")
	}
	open := base
	open.Domains = nil
	if d, ok := open.Domain("anything"); !ok || d.EmbeddingDim != open.EmbeddingDim {
		t.Fatalf("an open registry accepts any label with embedding_dim, got %+v %v", d, ok)
	}
	many := make([]types.DomainSpec, 257)
	for i := range many {
		many[i] = types.DomainSpec{Name: "d" + strings.Repeat("x", i%50) + string(rune('a'+i%26)) + string(rune('a'+i/26)), EmbeddingDim: 64}
	}
	for name, domains := range map[string][]types.DomainSpec{
		"malformed name": {{Name: "Upper", EmbeddingDim: 64}},
		"empty name":     {{Name: "", EmbeddingDim: 64}},
		"twice":          {{Name: "a", EmbeddingDim: 64}, {Name: "a", EmbeddingDim: 64}},
		"other dim":      {{Name: "a", EmbeddingDim: 32}},
		"too many":       many,
	} {
		p := base
		p.Domains = domains
		if err := p.Validate(); !errors.Is(err, types.ErrInvalidParams) {
			t.Errorf("%s: got %v, want ErrInvalidParams", name, err)
		}
	}
}
