package types

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"net/url"
	"slices"
	"strings"

	errorsmod "cosmossdk.io/errors"
	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// NodeKeySize is the size of an ed25519 node public key.
const NodeKeySize = ed25519.PublicKeySize

// PoPDomain separates proof-of-possession signatures from every other use of
// the node key.
const PoPDomain = "h3lix/identity/pop/v1"

// PeerIDFromNodeKey checks an ed25519 node public key and returns the libp2p
// peer id derived from it (the identity multihash of the protobuf-encoded key,
// as libp2p does for ed25519).
func PeerIDFromNodeKey(pubkey []byte) (string, error) {
	if len(pubkey) != NodeKeySize {
		return "", errorsmod.Wrapf(ErrInvalidNodeKey, "want %d bytes of ed25519 public key, got %d", NodeKeySize, len(pubkey))
	}
	if bytes.Equal(pubkey, make([]byte, NodeKeySize)) {
		return "", errorsmod.Wrap(ErrInvalidNodeKey, "all-zero key")
	}
	pk, err := libp2pcrypto.UnmarshalEd25519PublicKey(pubkey)
	if err != nil {
		return "", errorsmod.Wrap(ErrInvalidNodeKey, err.Error())
	}
	id, err := peer.IDFromPublicKey(pk)
	if err != nil {
		return "", errorsmod.Wrap(ErrInvalidNodeKey, err.Error())
	}
	return id.String(), nil
}

// PoPSignBytes are the bytes a node key signs to prove that the operator
// controls it. Binding the chain id and the operator makes a signature useless
// on another chain or for another account. Every variable-length part is
// length-prefixed so no two inputs share an encoding.
func PoPSignBytes(chainID string, operator, pubkey []byte) []byte {
	var buf bytes.Buffer
	buf.WriteString(PoPDomain)
	for _, part := range [][]byte{[]byte(chainID), operator, pubkey} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(part)))
		buf.Write(n[:])
		buf.Write(part)
	}
	return buf.Bytes()
}

// NodeKeyProofGas is charged before a node-key signature is checked: the
// ante handler pays for the transaction's own signatures, not for this one.
// It is what x/auth charges for a secp256k1 signature, which costs about as
// much to verify as the ed25519 node key's.
const NodeKeyProofGas = 1000

// VerifyPoP checks a proof-of-possession signature of the node key.
func VerifyPoP(chainID string, operator, pubkey, sig []byte) error {
	if len(sig) != ed25519.SignatureSize {
		return errorsmod.Wrapf(ErrInvalidSignature, "want a %d-byte ed25519 signature, got %d bytes", ed25519.SignatureSize, len(sig))
	}
	if !ed25519.Verify(pubkey, PoPSignBytes(chainID, operator, pubkey), sig) {
		return errorsmod.Wrapf(ErrInvalidSignature, "signature does not verify for chain %q and this operator; sign with the node key (the CLI does this for you)", chainID)
	}
	return nil
}

// ValidateMultiaddrs checks each multiaddr parses, is not duplicated and, when
// it names a peer (/p2p/...), names this node.
func ValidateMultiaddrs(addrs []string, peerID string, p Params) error {
	if uint32(len(addrs)) > p.MaxMultiaddrs {
		return errorsmod.Wrapf(ErrInvalidMultiaddr, "%d multiaddrs, at most %d allowed", len(addrs), p.MaxMultiaddrs)
	}
	seen := make(map[string]struct{}, len(addrs))
	for _, s := range addrs {
		if uint32(len(s)) > p.MaxFieldLength {
			return errorsmod.Wrapf(ErrInvalidMultiaddr, "%.32q... is longer than %d bytes", s, p.MaxFieldLength)
		}
		m, err := ma.NewMultiaddr(s)
		if err != nil {
			return errorsmod.Wrapf(ErrInvalidMultiaddr, "%q: %v (example: /ip4/203.0.113.7/tcp/4001)", s, err)
		}
		if m.String() != s {
			return errorsmod.Wrapf(ErrInvalidMultiaddr, "%q is not in canonical form, use %q", s, m.String())
		}
		if _, dup := seen[s]; dup {
			return errorsmod.Wrapf(ErrInvalidMultiaddr, "%q listed twice", s)
		}
		seen[s] = struct{}{}
		if v, err := m.ValueForProtocol(ma.P_P2P); err == nil && peerID != "" && v != peerID {
			return errorsmod.Wrapf(ErrInvalidMultiaddr, "%q names peer %s, but this node is %s", s, v, peerID)
		}
	}
	return nil
}

// ValidateRoles checks roles is a non-empty set of known roles.
func ValidateRoles(roles []Role) error {
	if len(roles) == 0 {
		return errorsmod.Wrap(ErrInvalidRoles, "at least one role is required (worker, verifier)")
	}
	for i, r := range roles {
		if r != ROLE_WORKER && r != ROLE_VERIFIER {
			return errorsmod.Wrapf(ErrInvalidRoles, "unknown role %d", int32(r))
		}
		if slices.Contains(roles[:i], r) {
			return errorsmod.Wrapf(ErrInvalidRoles, "role %s listed twice", r)
		}
	}
	return nil
}

// CanonicalRoles returns roles sorted, so that the stored record does not
// depend on the order a client listed them in.
func CanonicalRoles(roles []Role) []Role {
	out := slices.Clone(roles)
	slices.Sort(out)
	return out
}

// HasRole reports whether roles holds r.
func HasRole(roles []Role, r Role) bool { return slices.Contains(roles, r) }

// ValidateEngine checks the engine descriptor: a kind is required, every field
// is short printable ASCII without spaces.
func ValidateEngine(e EngineDescriptor, p Params) error {
	if e.Kind == "" {
		return errorsmod.Wrap(ErrInvalidEngine, "engine kind is required (e.g. pbe, openai)")
	}
	for _, f := range [...]struct{ name, v string }{{"kind", e.Kind}, {"model", e.Model}, {"version", e.Version}} {
		if err := checkToken(f.v, p.MaxFieldLength); err != nil {
			return errorsmod.Wrapf(ErrInvalidEngine, "engine %s: %v", f.name, err)
		}
	}
	return nil
}

// ValidateGridZone checks an optional grid zone such as "DE" or "US-CAL-CISO".
func ValidateGridZone(z string) error {
	if z == "" {
		return nil
	}
	if len(z) > 32 {
		return errorsmod.Wrapf(ErrInvalidField, "grid zone %.32q... is longer than 32 bytes", z)
	}
	for _, c := range z {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return errorsmod.Wrapf(ErrInvalidField, "grid zone %q: use upper-case letters, digits, '-' and '_' (e.g. DE, US-CAL-CISO)", z)
		}
	}
	return nil
}

// ValidateMetadataURI checks an optional metadata URI: absolute, with a scheme.
func ValidateMetadataURI(s string, p Params) error {
	if s == "" {
		return nil
	}
	if uint32(len(s)) > p.MaxFieldLength {
		return errorsmod.Wrapf(ErrInvalidField, "metadata URI is longer than %d bytes", p.MaxFieldLength)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return errorsmod.Wrapf(ErrInvalidField, "metadata URI %q must be an absolute URI such as ipfs://<cid> or https://host/path", s)
	}
	return nil
}

// ValidateAgreementKey checks an optional x25519 agreement key.
func ValidateAgreementKey(k []byte) error {
	if len(k) == 0 {
		return nil
	}
	if len(k) != 32 {
		return errorsmod.Wrapf(ErrInvalidAgreementKey, "want 32 bytes of x25519 public key, got %d", len(k))
	}
	if bytes.Equal(k, make([]byte, 32)) {
		return errorsmod.Wrap(ErrInvalidAgreementKey, "all-zero key")
	}
	return nil
}

func checkToken(v string, maxLen uint32) error {
	if uint32(len(v)) > maxLen {
		return fmt.Errorf("longer than %d bytes", maxLen)
	}
	if strings.IndexFunc(v, func(c rune) bool { return c <= ' ' || c > '~' }) >= 0 {
		return fmt.Errorf("%q: only printable ASCII without spaces", v)
	}
	return nil
}
