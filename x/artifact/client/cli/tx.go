// Package cli holds the artifact transactions that need local work before
// signing: the commitment is computed from --cid and --salt on the client,
// and the manifest is read from a JSON file.
package cli

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/artifact/types"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
)

const (
	FlagCID      = "cid"
	FlagSalt     = "salt"
	FlagManifest = "manifest"
	FlagPayload  = "payload"
	FlagOpenings = "openings"
)

// GetTxCmd returns the artifact tx command.
func GetTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        types.ModuleName,
		Short:                      "Artifact transactions: commit, reveal and attest",
		DisableFlagParsing:         true,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(CommitCmd(), RevealCmd(), AttestCmd(), DiscloseCmd(), CIDCmd())
	return cmd
}

// CIDCmd prints the CIDv1 (raw codec, sha2-256) of a file. It works offline.
func CIDCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "cid FILE",
		Short: "Print the CIDv1 (raw, sha2-256) of a file, offline",
		Long: `Print the CIDv1 of FILE's bytes as one raw block (codec raw, sha2-256), the CID
'ipfs add --cid-version 1 --raw-leaves' gives a file that fits in one block (up to 256 KiB).
Larger payloads are chunked by IPFS: use the root CID it prints instead.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bz, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			c, err := types.RawCID(bz)
			if err != nil {
				return err
			}
			cmd.Println(c)
			return nil
		},
	}
}

// Commitment computes the commitment the chain checks at reveal, so users
// never hash by hand.
func Commitment(cidStr, saltHex string, producer sdk.AccAddress) ([]byte, error) {
	c, _, err := types.ParseCID(cidStr, []uint64{types.CodecRaw, types.CodecDagPB, types.CodecDagCBOR})
	if err != nil {
		return nil, err
	}
	salt, err := parseSalt(saltHex)
	if err != nil {
		return nil, err
	}
	return types.Commitment(c.Bytes(), salt, producer), nil
}

func parseSalt(s string) ([]byte, error) {
	salt, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil || len(salt) != types.SaltSize {
		return nil, fmt.Errorf("--salt must be %d bytes of hex (64 hex digits)", types.SaltSize)
	}
	return salt, nil
}

// CommitCmd commits an artifact to a round.
func CommitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "commit ROUND --cid CID [--salt HEX]",
		Short: "Commit an artifact to ROUND (the commitment is computed locally from --cid, --salt and --from)",
		Long: `Commit an artifact. The commitment SHA-256("h3lix/commit/v1" || cid || salt || producer)
is computed here. Without --salt a random one is made and printed: keep it, the reveal needs it.`,
		Example: "h3lixd tx artifact commit 1 --cid bafkrei... --from alice -y",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			round, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("ROUND %q: %w", args[0], err)
			}
			cidStr, _ := cmd.Flags().GetString(FlagCID)
			saltHex, _ := cmd.Flags().GetString(FlagSalt)
			if saltHex == "" {
				salt := make([]byte, types.SaltSize)
				if _, err := rand.Read(salt); err != nil {
					return err
				}
				saltHex = hex.EncodeToString(salt)
				fmt.Fprintf(cmd.ErrOrStderr(), "salt %s (keep it: the reveal needs it)\n", saltHex)
			}
			commitment, err := Commitment(cidStr, saltHex, clientCtx.GetFromAddress())
			if err != nil {
				return err
			}
			msg := &types.MsgCommitArtifact{Producer: clientCtx.GetFromAddress().String(), Round: round, Commitment: commitment}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	cmd.Flags().String(FlagCID, "", "CIDv1 (sha2-256) of the artifact payload")
	cmd.Flags().String(FlagSalt, "", "32-byte salt in hex; random when omitted")
	_ = cmd.MarkFlagRequired(FlagCID)
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

// RevealCmd opens a commitment with its CID, salt and manifest.
func RevealCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reveal ARTIFACT_ID --cid CID --salt HEX --manifest manifest.json [--payload FILE]",
		Short: "Reveal a committed artifact: CID, salt and the manifest read from JSON",
		Long: `Reveal an artifact. manifest.json holds the manifest in proto JSON, e.g.
{"kind":"pbe.program","domain":"strings/slia","embedding":"<base64 of embedding_dim bytes>",
 "confidence_ppm":900000,"payload_size":"2048","chunk_root":"<base64 of 32 bytes>",
 "energy":{"joules":"12","mg_co2e":"3","renewable_ppm":500000},"dp_epsilon_milli":0}
With --payload FILE, payload_size and chunk_root are computed from the payload.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("ARTIFACT_ID %q: %w", args[0], err)
			}
			cidStr, _ := cmd.Flags().GetString(FlagCID)
			saltHex, _ := cmd.Flags().GetString(FlagSalt)
			salt, err := parseSalt(saltHex)
			if err != nil {
				return err
			}
			path, _ := cmd.Flags().GetString(FlagManifest)
			bz, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("--manifest: %w", err)
			}
			var m types.Manifest
			if err := clientCtx.Codec.UnmarshalJSON(bz, &m); err != nil {
				return fmt.Errorf("--manifest %s: %w", path, err)
			}
			if pp, _ := cmd.Flags().GetString(FlagPayload); pp != "" {
				payload, err := os.ReadFile(pp)
				if err != nil {
					return fmt.Errorf("--%s: %w", FlagPayload, err)
				}
				if c, err := types.RawCID(payload); err != nil || c != cidStr {
					return fmt.Errorf("--%s %s has CID %s, not --cid %s", FlagPayload, pp, c, cidStr)
				}
				m.PayloadSize, m.ChunkRoot = uint64(len(payload)), types.ChunkRoot(payload)
			}
			msg := &types.MsgRevealArtifact{Producer: clientCtx.GetFromAddress().String(), ArtifactId: id, Cid: cidStr, Salt: salt, Manifest: m}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	cmd.Flags().String(FlagCID, "", "the CID committed to")
	cmd.Flags().String(FlagSalt, "", "the salt used in the commitment (hex)")
	cmd.Flags().String(FlagManifest, "", "path of the manifest JSON")
	cmd.Flags().String(FlagPayload, "", "the payload file: sets the manifest's payload_size and chunk_root from it")
	for _, f := range []string{FlagCID, FlagSalt, FlagManifest} {
		_ = cmd.MarkFlagRequired(f)
	}
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

// AttestCmd seals verdicts, several in one message, with their proofs of
// retrieval, and keeps the openings for DiscloseCmd.
func AttestCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "attest ARTIFACT_ID:VERDICT[:QUALITY_PPM]... --payload ID=FILE...",
		Short: "Seal verdicts on assigned artifacts (valid, invalid or unavailable); open them later with 'disclose'",
		Long: `Attest in the attest phase. Each verdict is sent sealed: a hash of the verdict,
the quality and a random salt, so no verifier can copy another's. With it goes
the proof of retrieval: the payload chunk this verifier's seed selects and its
Merkle path to the manifest's chunk_root, read from the payload file given with
--payload ID=FILE (VALID needs it; INVALID and UNAVAILABLE may go without).

The verdicts and salts are written to --openings (default
<home>/openings/round-<R>-<address>.json) before anything is sent: in the
disclose phase, 'h3lixd tx artifact disclose FILE' opens them. A sealed
verdict that is never disclosed counts as a missed assignment.`,
		Example: `h3lixd tx artifact attest 4:valid:850000 7:invalid --payload 4=art4.bin --payload 7=art7.bin --from bob -y
h3lixd query artifact assignments ROUND $(h3lixd keys show bob -a)   # what to attest
h3lixd tx artifact disclose ~/.h3lixd/openings/round-3-h3lix1....json --from bob -y   # in the disclose phase`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			payloads, err := parsePayloadFlags(cmd)
			if err != nil {
				return err
			}
			rr, err := ccftypes.NewQueryClient(clientCtx).CurrentRound(cmd.Context(), &ccftypes.QueryCurrentRoundRequest{})
			if err != nil {
				return fmt.Errorf("reading the round in progress: %w", err)
			}
			if rr.Round.Seed == nil {
				return fmt.Errorf("round %d has no seed yet: attest once its attest phase has started (height %d) and the seed is drawn", rr.Round.Id, rr.Round.AttestStart)
			}
			from := clientCtx.GetFromAddress()
			q := types.NewQueryClient(clientCtx)
			inputs := make([]types.AttestationInput, 0, len(args))
			openings := &types.MsgDisclose{Verifier: from.String()}
			for _, arg := range args {
				v, err := ParseAttestation(arg)
				if err != nil {
					return err
				}
				ar, err := q.Artifact(cmd.Context(), &types.QueryArtifactRequest{Id: v.ArtifactId})
				if err != nil {
					return fmt.Errorf("artifact %d: %w", v.ArtifactId, err)
				}
				in, err := SealAttestation(ar.Artifact, from, rr.Round.Seed, v, payloads[v.ArtifactId])
				if err != nil {
					return err
				}
				inputs = append(inputs, in)
				openings.Disclosures = append(openings.Disclosures, *v)
			}
			path, _ := cmd.Flags().GetString(FlagOpenings)
			if path == "" {
				path = filepath.Join(clientCtx.HomeDir, "openings", fmt.Sprintf("round-%d-%s.json", rr.Round.Id, from))
			}
			if err := writeOpenings(clientCtx, path, openings); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "openings written to %s; in the disclose phase (from height %d) run: h3lixd tx artifact disclose %s --from %s\n",
				path, rr.Round.DiscloseStart, path, clientCtx.GetFromName())
			msg := &types.MsgAttest{Verifier: from.String(), Attestations: inputs}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	cmd.Flags().StringArray(FlagPayload, nil, "ARTIFACT_ID=FILE: the fetched payload of an artifact, for its proof of retrieval (repeatable)")
	cmd.Flags().String(FlagOpenings, "", "where to keep the verdicts and salts for 'disclose' (default <home>/openings/round-<R>-<address>.json)")
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

// SealAttestation seals verdict v on artifact a: it draws the salt (into v)
// and, when payload is given and matches the artifact, adds the chunk this
// verifier must prove. VALID without a matching payload is refused.
func SealAttestation(a types.Artifact, verifier sdk.AccAddress, seed []byte, v *types.AttestationDisclosure, payload []byte) (types.AttestationInput, error) {
	if a.Manifest == nil {
		return types.AttestationInput{}, fmt.Errorf("artifact %d is not revealed", a.Id)
	}
	v.Salt = make([]byte, 32)
	if _, err := rand.Read(v.Salt); err != nil {
		return types.AttestationInput{}, err
	}
	in, retrieved, err := types.SealAttestation(a, verifier, seed, *v, payload)
	switch {
	case err != nil:
		return in, err
	case v.Verdict != types.VERDICT_VALID || retrieved:
		return in, nil
	case payload == nil:
		return in, fmt.Errorf("artifact %d: VALID needs a proof of retrieval: pass --payload %d=FILE", a.Id, a.Id)
	default:
		return in, fmt.Errorf("artifact %d: the payload does not match the manifest's payload_size and chunk_root; attest invalid", a.Id)
	}
}

func parsePayloadFlags(cmd *cobra.Command) (map[uint64][]byte, error) {
	vals, _ := cmd.Flags().GetStringArray(FlagPayload)
	out := make(map[uint64][]byte, len(vals))
	for _, kv := range vals {
		idStr, path, ok := strings.Cut(kv, "=")
		id, err := strconv.ParseUint(idStr, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("--%s %q: want ARTIFACT_ID=FILE", FlagPayload, kv)
		}
		bz, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--%s %s: %w", FlagPayload, kv, err)
		}
		out[id] = bz
	}
	return out, nil
}

func writeOpenings(clientCtx client.Context, path string, m *types.MsgDisclose) error {
	bz, err := clientCtx.Codec.MarshalJSON(m)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("openings: %w", err)
	}
	if err := os.WriteFile(path, bz, 0o600); err != nil {
		return fmt.Errorf("openings: %w", err)
	}
	return nil
}

// DiscloseCmd opens the sealed verdicts kept by AttestCmd.
func DiscloseCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "disclose OPENINGS_FILE",
		Short:   "Open sealed verdicts in the disclose phase (the file 'attest' wrote)",
		Example: `h3lixd tx artifact disclose ~/.h3lixd/openings/round-3-h3lix1....json --from bob -y`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			bz, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var m types.MsgDisclose
			if err := clientCtx.Codec.UnmarshalJSON(bz, &m); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if from := clientCtx.GetFromAddress().String(); m.Verifier != from {
				return fmt.Errorf("%s holds the openings of %s, not of --from %s", args[0], m.Verifier, from)
			}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), &m)
		},
	}
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

// ParseAttestation reads ID:VERDICT[:QUALITY_PPM] (without a salt yet).
func ParseAttestation(s string) (*types.AttestationDisclosure, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, fmt.Errorf("%q: want ARTIFACT_ID:VERDICT[:QUALITY_PPM]", s)
	}
	id, err := strconv.ParseUint(parts[0], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%q: artifact id: %w", s, err)
	}
	in := &types.AttestationDisclosure{ArtifactId: id}
	switch strings.ToLower(parts[1]) {
	case "valid":
		in.Verdict, in.QualityPpm = types.VERDICT_VALID, types.PPM
	case "invalid":
		in.Verdict = types.VERDICT_INVALID
	case "unavailable":
		in.Verdict = types.VERDICT_UNAVAILABLE
	default:
		return in, fmt.Errorf("%q: verdict must be valid, invalid or unavailable", s)
	}
	if len(parts) == 3 {
		q, err := strconv.ParseUint(parts[2], 10, 32)
		if err != nil || q > types.PPM {
			return in, fmt.Errorf("%q: quality must be 0..%d ppm", s, types.PPM)
		}
		in.QualityPpm = uint32(q)
	}
	return in, nil
}
