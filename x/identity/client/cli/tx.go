// Package cli holds the identity transactions AutoCLI cannot build: the ones
// that sign with the node key.
package cli

import (
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/identity/client/nodekey"
	"github.com/h3lix/h3lix/x/identity/types"
)

const (
	FlagNodeKeyFile   = "node-key-file"
	FlagMultiaddrs    = "multiaddrs"
	FlagRoles         = "roles"
	FlagEngineKind    = "engine-kind"
	FlagEngineModel   = "engine-model"
	FlagEngineVersion = "engine-version"
	FlagGridZone      = "grid-zone"
	FlagMetadataURI   = "metadata-uri"
	FlagBond          = "bond"
	FlagAgreementKey  = "agreement-key"
	FlagPeerID        = "peer-id"
)

// GetTxCmd returns the identity tx command; AutoCLI adds the remaining
// messages (update-node, deregister-node) to it.
func GetTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        types.ModuleName,
		Short:                      "Identity transactions: register and manage AI nodes",
		DisableFlagParsing:         true,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(RegisterNodeCmd(), RotateNodeKeyCmd())
	return cmd
}

func defaultKeyFile() string { return filepath.Join("<home>", "config", "node_key_h3lix.json") }

func resolveKeyFile(cmd *cobra.Command, clientCtx client.Context) string {
	path, _ := cmd.Flags().GetString(FlagNodeKeyFile)
	if path == "" || path == defaultKeyFile() {
		path = filepath.Join(clientCtx.HomeDir, "config", "node_key_h3lix.json")
	}
	return path
}

// RegisterNodeCmd registers the --from account's node. The node key file is
// created when it does not exist; its key signs the proof of possession.
func RegisterNodeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "register-node",
		Short: "Register an AI node for the --from account and escrow its bond",
		Long: `Register an AI node. The node's ed25519 key is read from --node-key-file
(created there if missing); it signs a proof of possession bound to the chain id
and the operator, so nobody else can register your node key.`,
		Example: `h3lixd tx identity register-node --from alice --bond 10000000uhlx \
  --roles worker,verifier --engine-kind pbe --engine-model h3lix-pbe --engine-version 0.1.0 \
  --multiaddrs /ip4/127.0.0.1/tcp/4001 --grid-zone DE --keyring-backend test -y`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			if clientCtx.ChainID == "" {
				return fmt.Errorf("the chain id is needed to sign the node key's proof of possession: pass --chain-id or set it with 'h3lixd config set client chain-id <id>'")
			}
			key, created, err := nodekey.LoadOrGenerate(resolveKeyFile(cmd, clientCtx))
			if err != nil {
				return err
			}
			if created {
				fmt.Fprintf(cmd.ErrOrStderr(), "created node key %s (peer id %s)\n", resolveKeyFile(cmd, clientCtx), key.PeerID)
			}
			msg, err := registerMsgFromFlags(cmd, clientCtx.GetFromAddress(), key, clientCtx.ChainID)
			if err != nil {
				return err
			}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	cmd.Flags().String(FlagNodeKeyFile, defaultKeyFile(), "node key file (ed25519); created if missing")
	cmd.Flags().StringSlice(FlagMultiaddrs, nil, "multiaddrs the node listens on, comma separated (e.g. /ip4/203.0.113.7/tcp/4001)")
	cmd.Flags().StringSlice(FlagRoles, []string{"worker", "verifier"}, "roles: worker, verifier")
	cmd.Flags().String(FlagEngineKind, "pbe", "engine kind (pbe, openai)")
	cmd.Flags().String(FlagEngineModel, "h3lix-pbe", "engine model name")
	cmd.Flags().String(FlagEngineVersion, "", "engine version")
	cmd.Flags().String(FlagGridZone, "", "electricity grid zone, e.g. DE or US-CAL-CISO")
	cmd.Flags().String(FlagMetadataURI, "", "metadata URI, e.g. ipfs://<cid>")
	cmd.Flags().String(FlagBond, "", "bond to escrow, at least the min_bond param (e.g. 10000000uhlx)")
	cmd.Flags().String(FlagAgreementKey, "", "optional x25519 agreement public key, hex")
	cmd.Flags().String(FlagPeerID, "", "optional: the peer id you expect; the chain checks it matches the key")
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

func registerMsgFromFlags(cmd *cobra.Command, operator sdk.AccAddress, key nodekey.Key, chainID string) (*types.MsgRegisterNode, error) {
	f := cmd.Flags()
	bondStr, _ := f.GetString(FlagBond)
	if bondStr == "" {
		return nil, fmt.Errorf("--bond is required (query the minimum with 'h3lixd query identity params')")
	}
	bond, err := sdk.ParseCoinNormalized(bondStr)
	if err != nil {
		return nil, fmt.Errorf("--bond %q: %w", bondStr, err)
	}
	roleNames, _ := f.GetStringSlice(FlagRoles)
	roles, err := ParseRoles(roleNames)
	if err != nil {
		return nil, err
	}
	addrs, _ := f.GetStringSlice(FlagMultiaddrs)
	kind, _ := f.GetString(FlagEngineKind)
	model, _ := f.GetString(FlagEngineModel)
	version, _ := f.GetString(FlagEngineVersion)
	zone, _ := f.GetString(FlagGridZone)
	uri, _ := f.GetString(FlagMetadataURI)
	peerID, _ := f.GetString(FlagPeerID)
	agreementHex, _ := f.GetString(FlagAgreementKey)
	agreement, err := hex.DecodeString(agreementHex)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", FlagAgreementKey, err)
	}
	return &types.MsgRegisterNode{
		Operator:        operator.String(),
		NodePubkey:      key.Public(),
		KeySignature:    key.SignPoP(chainID, operator),
		PeerId:          peerID,
		AgreementPubkey: agreement,
		Multiaddrs:      addrs,
		Roles:           roles,
		Engine:          types.EngineDescriptor{Kind: kind, Model: model, Version: version},
		GridZone:        zone,
		MetadataUri:     uri,
		Bond:            bond,
	}, nil
}

// ParseRoles maps worker/verifier (or ROLE_WORKER/ROLE_VERIFIER) to roles.
func ParseRoles(names []string) ([]types.Role, error) {
	roles := make([]types.Role, 0, len(names))
	for _, n := range names {
		switch strings.ToLower(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(n)), "ROLE_")) {
		case "worker":
			roles = append(roles, types.ROLE_WORKER)
		case "verifier":
			roles = append(roles, types.ROLE_VERIFIER)
		default:
			return nil, fmt.Errorf("unknown role %q: use worker and/or verifier", n)
		}
	}
	return roles, nil
}

// RotateNodeKeyCmd replaces the node key with the key in NEW_KEY_FILE
// (created if missing).
func RotateNodeKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rotate-node-key NEW_KEY_FILE",
		Short: "Replace the --from account's node key (and peer id) with the key in NEW_KEY_FILE",
		Long: `Replace the node key. NEW_KEY_FILE is created if it does not exist. The new
key signs the proof of possession. Multiaddrs that name the old peer id are dropped.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			if clientCtx.ChainID == "" {
				return fmt.Errorf("the chain id is needed to sign the node key's proof of possession: pass --chain-id")
			}
			key, created, err := nodekey.LoadOrGenerate(args[0])
			if err != nil {
				return err
			}
			if created {
				fmt.Fprintf(cmd.ErrOrStderr(), "created node key %s (peer id %s)\n", args[0], key.PeerID)
			}
			operator := clientCtx.GetFromAddress()
			msg := &types.MsgRotateNodeKey{
				Operator:      operator.String(),
				NewNodePubkey: key.Public(),
				KeySignature:  key.SignPoP(clientCtx.ChainID, operator),
			}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}
