// Package cli holds the artifact transactions that need local work before
// signing: the commitment is computed from --cid and --salt on the client,
// and the manifest is read from a JSON file.
package cli

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/artifact/types"
)

const (
	FlagCID      = "cid"
	FlagSalt     = "salt"
	FlagManifest = "manifest"
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
	cmd.AddCommand(CommitCmd(), RevealCmd(), AttestCmd(), CIDCmd())
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
		Use:   "reveal ARTIFACT_ID --cid CID --salt HEX --manifest manifest.json",
		Short: "Reveal a committed artifact: CID, salt and the manifest read from JSON",
		Long: `Reveal an artifact. manifest.json holds the manifest in proto JSON, e.g.
{"kind":"pbe.program","domain":"strings/slia","embedding":"<base64 of embedding_dim bytes>",
 "confidence_ppm":900000,"payload_size":"2048",
 "energy":{"joules":"12","mg_co2e":"3","renewable_ppm":500000},"dp_epsilon_milli":0}`,
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
			msg := &types.MsgRevealArtifact{Producer: clientCtx.GetFromAddress().String(), ArtifactId: id, Cid: cidStr, Salt: salt, Manifest: m}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	cmd.Flags().String(FlagCID, "", "the CID committed to")
	cmd.Flags().String(FlagSalt, "", "the salt used in the commitment (hex)")
	cmd.Flags().String(FlagManifest, "", "path of the manifest JSON")
	for _, f := range []string{FlagCID, FlagSalt, FlagManifest} {
		_ = cmd.MarkFlagRequired(f)
	}
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

// AttestCmd sends verdicts, several in one message.
func AttestCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "attest ARTIFACT_ID:VERDICT[:QUALITY_PPM]...",
		Short: "Attest to assigned artifacts: VERDICT is valid, invalid or unavailable",
		Example: `h3lixd tx artifact attest 4:valid:850000 7:invalid 9:unavailable --from bob -y
h3lixd query artifact assignments ROUND $(h3lixd keys show bob -a)   # what to attest`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			inputs := make([]types.AttestationInput, 0, len(args))
			for _, a := range args {
				in, err := ParseAttestation(a)
				if err != nil {
					return err
				}
				inputs = append(inputs, in)
			}
			msg := &types.MsgAttest{Verifier: clientCtx.GetFromAddress().String(), Attestations: inputs}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

// ParseAttestation reads ID:VERDICT[:QUALITY_PPM].
func ParseAttestation(s string) (types.AttestationInput, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return types.AttestationInput{}, fmt.Errorf("%q: want ARTIFACT_ID:VERDICT[:QUALITY_PPM]", s)
	}
	id, err := strconv.ParseUint(parts[0], 10, 64)
	if err != nil {
		return types.AttestationInput{}, fmt.Errorf("%q: artifact id: %w", s, err)
	}
	in := types.AttestationInput{ArtifactId: id}
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
