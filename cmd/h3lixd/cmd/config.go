package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"text/template"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/cosmos/cosmos-sdk/client"
	clientconfig "github.com/cosmos/cosmos-sdk/client/config"
)

// clientKeys are the settable keys of client.toml, in file order.
var clientKeys = []string{"chain-id", "keyring-backend", "keyring-default-keyname", "output", "node", "broadcast-mode"}

const clientTemplate = `# h3lixd client configuration (written by 'h3lixd config set client').

# The network chain ID
chain-id = {{ q (index . "chain-id") }}
# The keyring's backend, where the keys are stored (os|file|kwallet|pass|test|memory)
keyring-backend = {{ q (index . "keyring-backend") }}
# Default key name, used when --from is not given
keyring-default-keyname = {{ q (index . "keyring-default-keyname") }}
# CLI output format (text|json)
output = {{ q (index . "output") }}
# <host>:<port> of the CometBFT RPC of this chain
node = {{ q (index . "node") }}
# Transaction broadcasting mode (sync|async)
broadcast-mode = {{ q (index . "broadcast-mode") }}
`

// ConfigCmd reads and writes the client configuration (client.toml). The
// node's app.toml and config.toml are plain files to edit.
func ConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Get, set or view the client configuration (client.toml)",
		Long: `Get, set or view the client configuration in <home>/config/client.toml.
The node's settings are in <home>/config/app.toml and <home>/config/config.toml: edit those files directly.`,
		RunE: client.ValidateCmd,
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:     "get client KEY",
			Short:   "Print one client setting",
			Example: "h3lixd config get client chain-id",
			Args:    cobra.ExactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				vals, err := readClientConfig(cmd, args[0])
				if err != nil {
					return err
				}
				v, ok := vals[args[1]]
				if !ok {
					return fmt.Errorf("unknown key %q; keys: %v", args[1], clientKeys)
				}
				cmd.Println(v)
				return nil
			},
		},
		&cobra.Command{
			Use:     "set client KEY VALUE",
			Short:   "Change one client setting",
			Example: "h3lixd config set client chain-id h3lix-local",
			Args:    cobra.ExactArgs(3),
			RunE: func(cmd *cobra.Command, args []string) error {
				vals, err := readClientConfig(cmd, args[0])
				if err != nil {
					return err
				}
				if _, ok := vals[args[1]]; !ok {
					return fmt.Errorf("unknown key %q; keys: %v", args[1], clientKeys)
				}
				vals[args[1]] = args[2]
				return writeClientConfig(cmd, vals)
			},
		},
		&cobra.Command{
			Use:   "view client",
			Short: "Print the client settings as JSON",
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				vals, err := readClientConfig(cmd, args[0])
				if err != nil {
					return err
				}
				bz, err := json.MarshalIndent(vals, "", "  ")
				if err != nil {
					return err
				}
				cmd.Println(string(bz))
				return nil
			},
		},
	)
	return cmd
}

func clientConfigPath(cmd *cobra.Command) string {
	return filepath.Join(client.GetClientContextFromCmd(cmd).HomeDir, "config", "client.toml")
}

func readClientConfig(cmd *cobra.Command, which string) (map[string]string, error) {
	if which != "client" {
		return nil, fmt.Errorf("only the client configuration is handled here; edit %s directly for %q",
			filepath.Join(filepath.Dir(clientConfigPath(cmd)), which+".toml"), which)
	}
	def := clientconfig.DefaultConfig()
	vals := map[string]string{
		"chain-id": def.ChainID, "keyring-backend": def.KeyringBackend, "keyring-default-keyname": def.KeyringDefaultKeyName,
		"output": def.Output, "node": def.Node, "broadcast-mode": def.BroadcastMode,
	}
	path := clientConfigPath(cmd)
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return vals, nil
	}
	v := viper.New()
	v.SetConfigFile(path)
	v.SetConfigType("toml")
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	for _, k := range clientKeys {
		if v.IsSet(k) {
			vals[k] = v.GetString(k)
		}
	}
	return vals, nil
}

func writeClientConfig(cmd *cobra.Command, vals map[string]string) error {
	return writeClientConfigFile(clientConfigPath(cmd), vals)
}

func writeClientConfigFile(path string, vals map[string]string) error {
	var buf bytes.Buffer
	if err := template.Must(template.New("client").Funcs(template.FuncMap{"q": strconv.Quote}).Parse(clientTemplate)).Execute(&buf, vals); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o600)
}
