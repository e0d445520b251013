package chain

import (
	"context"
	"fmt"

	"github.com/ipfs/go-cid"

	sdk "github.com/cosmos/cosmos-sdk/types"

	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	"github.com/h3lix/h3lix/x/identity/client/nodekey"
	identitytypes "github.com/h3lix/h3lix/x/identity/types"
)

// Commitment is what a producer commits for (cid, salt): the chain's
// SHA-256("h3lix/commit/v1" || cid || salt || producer).
func Commitment(c cid.Cid, salt []byte, producer sdk.AccAddress) []byte {
	return artifacttypes.Commitment(c.Bytes(), salt, producer)
}

// CommitArtifacts commits several artifacts to round in one transaction and
// returns their ids, in order.
func (s *Signer) CommitArtifacts(ctx context.Context, round uint64, commitments [][]byte) ([]uint64, *Result, error) {
	msgs := make([]sdk.Msg, len(commitments))
	for i, cm := range commitments {
		msgs[i] = &artifacttypes.MsgCommitArtifact{Producer: s.addr.String(), Round: round, Commitment: cm}
	}
	res, err := s.Submit(ctx, msgs...)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]uint64, len(msgs))
	for i := range msgs {
		var r artifacttypes.MsgCommitArtifactResponse
		if err := res.Response(i, &r); err != nil {
			return nil, res, err
		}
		ids[i] = r.ArtifactId
	}
	return ids, res, nil
}

// Reveal opens one commitment.
type Reveal struct {
	ArtifactID uint64
	CID        cid.Cid
	Salt       []byte
	Manifest   Manifest
}

// RevealArtifacts reveals several artifacts in one transaction and returns
// the status each got (revealed, or duplicate of an earlier CID).
func (s *Signer) RevealArtifacts(ctx context.Context, reveals []Reveal) ([]ArtifactStatus, *Result, error) {
	msgs := make([]sdk.Msg, len(reveals))
	for i, r := range reveals {
		msgs[i] = &artifacttypes.MsgRevealArtifact{Producer: s.addr.String(), ArtifactId: r.ArtifactID, Cid: r.CID.String(), Salt: r.Salt, Manifest: r.Manifest}
	}
	res, err := s.Submit(ctx, msgs...)
	if err != nil {
		return nil, nil, err
	}
	out := make([]ArtifactStatus, len(msgs))
	for i := range msgs {
		var r artifacttypes.MsgRevealArtifactResponse
		if err := res.Response(i, &r); err != nil {
			return nil, res, err
		}
		out[i] = r.Status
	}
	return out, res, nil
}

// Attest sends the verifier's sealed verdicts, at most maxPerMsg per
// message, all in one transaction.
func (s *Signer) Attest(ctx context.Context, atts []Attestation, maxPerMsg int) (*Result, error) {
	if len(atts) == 0 {
		return nil, fmt.Errorf("no attestations to send")
	}
	return s.Submit(ctx, batched(atts, maxPerMsg, func(b []Attestation) sdk.Msg {
		return &artifacttypes.MsgAttest{Verifier: s.addr.String(), Attestations: b}
	})...)
}

// Disclose opens the verifier's sealed verdicts, at most maxPerMsg per
// message, all in one transaction.
func (s *Signer) Disclose(ctx context.Context, ds []Disclosure, maxPerMsg int) (*Result, error) {
	if len(ds) == 0 {
		return nil, fmt.Errorf("no disclosures to send")
	}
	return s.Submit(ctx, batched(ds, maxPerMsg, func(b []Disclosure) sdk.Msg {
		return &artifacttypes.MsgDisclose{Verifier: s.addr.String(), Disclosures: b}
	})...)
}

// batched cuts items into messages of at most maxPerMsg (all in one when
// maxPerMsg is not positive).
func batched[T any](items []T, maxPerMsg int, msg func([]T) sdk.Msg) []sdk.Msg {
	if maxPerMsg <= 0 {
		maxPerMsg = len(items)
	}
	var msgs []sdk.Msg
	for i := 0; i < len(items); i += maxPerMsg {
		msgs = append(msgs, msg(items[i:min(i+maxPerMsg, len(items))]))
	}
	return msgs
}

// Registration is what a node advertises when it registers.
type Registration struct {
	Key        nodekey.Key
	Multiaddrs []string
	Worker     bool
	Verifier   bool
	EngineKind string
	Model      string
	Version    string
	GridZone   string
	Bond       sdk.Coin
}

// RegisterMsg builds the same MsgRegisterNode as 'h3lixd tx identity
// register-node': the node key signs the proof of possession.
func (s *Signer) RegisterMsg(reg Registration) *identitytypes.MsgRegisterNode {
	var roles []identitytypes.Role
	if reg.Worker {
		roles = append(roles, identitytypes.ROLE_WORKER)
	}
	if reg.Verifier {
		roles = append(roles, identitytypes.ROLE_VERIFIER)
	}
	return &identitytypes.MsgRegisterNode{
		Operator:     s.addr.String(),
		NodePubkey:   reg.Key.Public(),
		KeySignature: reg.Key.SignPoP(s.c.cfg.ChainID, s.addr),
		PeerId:       reg.Key.PeerID,
		Multiaddrs:   reg.Multiaddrs,
		Roles:        roles,
		Engine:       identitytypes.EngineDescriptor{Kind: reg.EngineKind, Model: reg.Model, Version: reg.Version},
		GridZone:     reg.GridZone,
		Bond:         reg.Bond,
	}
}

// Register registers the signer's node.
func (s *Signer) Register(ctx context.Context, reg Registration) (*Result, error) {
	return s.Submit(ctx, s.RegisterMsg(reg))
}

// UpdateMultiaddrs replaces the node's advertised multiaddrs.
func (s *Signer) UpdateMultiaddrs(ctx context.Context, addrs []string) (*Result, error) {
	return s.Submit(ctx, &identitytypes.MsgUpdateNode{Operator: s.addr.String(), Multiaddrs: addrs})
}

// NodeKey is the node's ed25519 key; its libp2p peer id is what the
// identity registry records.
type NodeKey = nodekey.Key

// LoadOrCreateNodeKey reads the node key file, creating it when missing.
func LoadOrCreateNodeKey(path string) (NodeKey, bool, error) { return nodekey.LoadOrGenerate(path) }

// LoadNodeKey reads the node key file.
func LoadNodeKey(path string) (NodeKey, error) { return nodekey.Load(path) }
