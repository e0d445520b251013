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

// DefaultParams: 4 commits per node and round, 64-dim embeddings, 16 MiB
// payloads, 1 KiB manifests, no commit fee.
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
	}
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
	return nil
}
