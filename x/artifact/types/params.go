package types

import (
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Multicodec codes accepted in CIDs by default.
const (
	CodecRaw     = 0x55
	CodecDagPB   = 0x70
	CodecDagCBOR = 0x71
)

// DefaultDomain is the domain of the embedded program-by-example engine's
// artifacts (SyGuS string programs), the one registered domain of a new chain.
const DefaultDomain = "strings/slia"

// DefaultParams: 4 commits per node and round, 64-dim embeddings, 16 MiB
// payloads, 1 KiB manifests, an escrowed 0.01 HLX commit fee, and the
// engine's one domain registered.
func DefaultParams() Params {
	return Params{
		MaxCommitsPerNode: 4,
		EmbeddingDim:      64,
		MaxPayloadSize:    16 << 20,
		MaxManifestBytes:  1024,
		MaxLabelLength:    64,
		AllowedCidCodecs:  []uint64{CodecRaw, CodecDagPB, CodecDagCBOR},
		// Escrowed and refunded on reveal: free for honest nodes.
		CommitFee:             sdk.NewCoin("uhlx", sdkmath.NewInt(10_000)),
		MaxAttestationsPerMsg: 64,
		Domains:               []DomainSpec{{Name: DefaultDomain, EmbeddingDim: 64}},
	}
}

// maxDomains caps the registry, and with it the EMA centroids a field can carry.
const maxDomains = 256

// Domain returns the registered domain of a name; with an open (empty)
// registry every name is accepted with the params' embedding_dim.
func (p Params) Domain(name string) (DomainSpec, bool) {
	if len(p.Domains) == 0 {
		return DomainSpec{Name: name, EmbeddingDim: p.EmbeddingDim}, true
	}
	for _, d := range p.Domains {
		if d.Name == name {
			return d, true
		}
	}
	return DomainSpec{}, false
}

// Validate checks the params are usable.
func (p Params) Validate() error {
	switch {
	case p.MaxCommitsPerNode == 0 || p.MaxCommitsPerNode > 1024:
		return errorsmod.Wrapf(ErrInvalidParams, "max_commits_per_node must be in [1, 1024], got %d", p.MaxCommitsPerNode)
	case p.EmbeddingDim == 0 || p.EmbeddingDim > 1024:
		return errorsmod.Wrapf(ErrInvalidParams, "embedding_dim must be in [1, 1024], got %d", p.EmbeddingDim)
	case p.MaxPayloadSize == 0:
		return errorsmod.Wrap(ErrInvalidParams, "max_payload_size must be positive")
	case p.MaxManifestBytes < 64 || p.MaxManifestBytes > 64<<10:
		return errorsmod.Wrapf(ErrInvalidParams, "max_manifest_bytes must be in [64, 65536], got %d", p.MaxManifestBytes)
	case p.MaxLabelLength == 0 || p.MaxLabelLength > 256:
		return errorsmod.Wrapf(ErrInvalidParams, "max_label_length must be in [1, 256], got %d", p.MaxLabelLength)
	case len(p.AllowedCidCodecs) == 0:
		return errorsmod.Wrap(ErrInvalidParams, "allowed_cid_codecs is empty: no CID could be revealed")
	case p.MaxAttestationsPerMsg == 0 || p.MaxAttestationsPerMsg > 1024:
		return errorsmod.Wrapf(ErrInvalidParams, "max_attestations_per_msg must be in [1, 1024], got %d", p.MaxAttestationsPerMsg)
	}
	if err := p.CommitFee.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidParams, "commit_fee: %v", err)
	}
	if len(p.Domains) > maxDomains {
		return errorsmod.Wrapf(ErrInvalidParams, "%d domains registered, at most %d", len(p.Domains), maxDomains)
	}
	seen := make(map[string]struct{}, len(p.Domains))
	for _, d := range p.Domains {
		if err := checkLabel("domain", d.Name, p.MaxLabelLength); err != nil {
			return errorsmod.Wrapf(ErrInvalidParams, "domains: %v", err)
		}
		if _, dup := seen[d.Name]; dup {
			return errorsmod.Wrapf(ErrInvalidParams, "domain %q registered twice", d.Name)
		}
		seen[d.Name] = struct{}{}
		if d.EmbeddingDim != p.EmbeddingDim {
			return errorsmod.Wrapf(ErrInvalidParams, "domain %q has embedding_dim %d; every domain must use embedding_dim = %d while the field is one vector space", d.Name, d.EmbeddingDim, p.EmbeddingDim)
		}
	}
	return nil
}
