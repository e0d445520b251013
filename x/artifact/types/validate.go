package types

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"

	errorsmod "cosmossdk.io/errors"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multibase"
	mh "github.com/multiformats/go-multihash"
)

// Commitment computes SHA-256("h3lix/commit/v1" || cid bytes || salt ||
// producer address bytes). Binding the producer makes a copied commitment
// useless: nobody else can open it.
func Commitment(cidBytes, salt, producer []byte) []byte {
	h := sha256.New()
	h.Write([]byte(CommitDomain))
	h.Write(cidBytes)
	h.Write(salt)
	h.Write(producer)
	return h.Sum(nil)
}

// ParseCID accepts only CIDv1 with a 32-byte sha2-256 multihash and one of
// the allowed codecs, and returns it with its canonical string (base32).
func ParseCID(s string, allowedCodecs []uint64) (cid.Cid, string, error) {
	if s == "" {
		return cid.Undef, "", errorsmod.Wrap(ErrInvalidCID, "empty CID")
	}
	if len(s) > 256 {
		return cid.Undef, "", errorsmod.Wrap(ErrInvalidCID, "CID longer than 256 characters")
	}
	c, err := cid.Decode(s)
	if err != nil {
		return cid.Undef, "", errorsmod.Wrapf(ErrInvalidCID, "%q: %v", s, err)
	}
	if c.Version() != 1 {
		return cid.Undef, "", errorsmod.Wrapf(ErrInvalidCID, "%q is CIDv%d; use CIDv1 (ipfs add --cid-version 1)", s, c.Version())
	}
	dec, err := mh.Decode(c.Hash())
	if err != nil {
		return cid.Undef, "", errorsmod.Wrapf(ErrInvalidCID, "%q: multihash: %v", s, err)
	}
	if dec.Code != mh.SHA2_256 || dec.Length != 32 {
		return cid.Undef, "", errorsmod.Wrapf(ErrInvalidCID, "%q: hash must be sha2-256 (32 bytes), got code 0x%x length %d", s, dec.Code, dec.Length)
	}
	if !slices.Contains(allowedCodecs, c.Type()) {
		return cid.Undef, "", errorsmod.Wrapf(ErrInvalidCID, "%q: codec 0x%x is not allowed (allowed: %s)", s, c.Type(), hexList(allowedCodecs))
	}
	canonical, err := c.StringOfBase(multibase.Base32)
	if err != nil {
		return cid.Undef, "", errorsmod.Wrap(ErrInvalidCID, err.Error())
	}
	return c, canonical, nil
}

func hexList(v []uint64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf("0x%x", x)
	}
	return strings.Join(parts, ", ")
}

// ValidateManifest checks the manifest against the params. size is its
// encoded size.
func ValidateManifest(m Manifest, size int, p Params) error {
	if uint32(size) > p.MaxManifestBytes {
		return errorsmod.Wrapf(ErrInvalidManifest, "manifest is %d bytes, at most %d", size, p.MaxManifestBytes)
	}
	if err := checkLabel("kind", m.Kind, p.MaxLabelLength); err != nil {
		return err
	}
	if err := checkLabel("domain", m.Domain, p.MaxLabelLength); err != nil {
		return err
	}
	d, ok := p.Domain(m.Domain)
	if !ok {
		return errorsmod.Wrapf(ErrInvalidManifest, "domain %q is not registered (see 'h3lixd q artifact params'; governance adds domains)", m.Domain)
	}
	if uint32(len(m.Embedding)) != d.EmbeddingDim {
		return errorsmod.Wrapf(ErrInvalidManifest, "embedding has %d values, want embedding_dim = %d", len(m.Embedding), d.EmbeddingDim)
	}
	if m.ConfidencePpm > PPM {
		return errorsmod.Wrapf(ErrInvalidManifest, "confidence %d ppm above %d", m.ConfidencePpm, PPM)
	}
	if m.PayloadSize == 0 || m.PayloadSize > p.MaxPayloadSize {
		return errorsmod.Wrapf(ErrInvalidManifest, "payload size %d bytes: must be in [1, %d]", m.PayloadSize, p.MaxPayloadSize)
	}
	if len(m.ChunkRoot) != sha256.Size {
		return errorsmod.Wrapf(ErrInvalidManifest, "chunk_root is %d bytes, want the %d-byte Merkle root of the payload's %d-byte chunks ('h3lixd tx artifact reveal --payload FILE' computes it)", len(m.ChunkRoot), sha256.Size, ChunkSize)
	}
	if m.Energy.RenewablePpm > PPM {
		return errorsmod.Wrapf(ErrInvalidManifest, "renewable share %d ppm above %d", m.Energy.RenewablePpm, PPM)
	}
	if _, ok := EnergyMethod_name[int32(m.Energy.Method)]; !ok {
		return errorsmod.Wrapf(ErrInvalidManifest, "energy method %d is not one of %v", m.Energy.Method, energyMethods())
	}
	return nil
}

func checkLabel(name, v string, maxLen uint32) error {
	if v == "" {
		return errorsmod.Wrapf(ErrInvalidManifest, "%s is required", name)
	}
	if uint32(len(v)) > maxLen {
		return errorsmod.Wrapf(ErrInvalidManifest, "%s is longer than %d bytes", name, maxLen)
	}
	for _, c := range []byte(v) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '/') {
			return errorsmod.Wrapf(ErrInvalidManifest, "%s %q: use lower-case letters, digits and . - _ /", name, v)
		}
	}
	return nil
}

// Embedding8 returns the manifest embedding as signed bytes.
func Embedding8(m Manifest) []int8 {
	out := make([]int8, len(m.Embedding))
	for i, b := range m.Embedding {
		out[i] = int8(b)
	}
	return out
}

// EqualCommitment compares commitments in constant shape.
func EqualCommitment(a, b []byte) bool { return bytes.Equal(a, b) }

// RawCID is the CIDv1 (raw codec, sha2-256) of data as one block, in its
// canonical base32 form.
func RawCID(data []byte) (string, error) {
	sum, err := mh.Sum(data, mh.SHA2_256, -1)
	if err != nil {
		return "", err
	}
	return cid.NewCidV1(cid.Raw, sum).String(), nil
}

// energyMethods lists the known energy methods in number order, for errors.
func energyMethods() []string {
	out := make([]string, len(EnergyMethod_name))
	for i := range out {
		out[i] = EnergyMethod_name[int32(i)]
	}
	return out
}
