package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/node"
	"github.com/h3lix/h3lix/worker/round"
)

// printStatusSummary is the human view of /status.
func printStatusSummary(w io.Writer, st round.Status) {
	fmt.Fprintf(w, "node %s (peer %s), engine %s\n", st.Operator, st.PeerID, st.Engine)
	fmt.Fprintf(w, "round %d, phase %s, height %d\n", st.Round, st.Phase, st.Height)
	fmt.Fprintf(w, "artifacts committed %d, revealed %d; attestations %d; payloads fetched from peers %d\n",
		st.Committed, st.Revealed, st.Attested, st.FetchedRemote)
	if st.Reputation != nil {
		fmt.Fprintf(w, "reputation %.3f (%d rounds, %d accepted, %d rejected)\n", float64(st.Reputation.ScorePPM)/1e6,
			st.Reputation.Rounds, st.Reputation.Accepted, st.Reputation.Rejected)
	}
	if n := len(st.LearningCurve); n > 0 {
		first, last := st.LearningCurve[0], st.LearningCurve[n-1]
		fmt.Fprintf(w, "learning curve (validation split, %d candidates): %d/%d before any field, %d/%d after round %d\n",
			last.Candidates, first.Solved, first.Total, last.Solved, last.Total, last.AfterRound)
	}
	var per []float64
	for _, o := range st.Overhead {
		if o.Artifacts > 0 && o.CommitMs > 0 && o.RevealMs > 0 {
			per = append(per, o.PerArtifactMs())
		}
	}
	if len(per) > 0 {
		sort.Float64s(per)
		q := func(p float64) float64 { return per[min(len(per)-1, int(p*float64(len(per))))] }
		fmt.Fprintf(w, "publishing overhead per artifact (IPFS put + commit + reveal, no block waits), %d rounds: median %.1f ms, p95 %.1f ms\n",
			len(per), q(0.5), q(0.95))
	}
	fmt.Fprintf(w, "energy %.1f CPU s, %d J (%s)\n", st.Energy.CPUSeconds, st.Energy.Joules, st.Energy.Method)
	if st.LastError != "" {
		fmt.Fprintf(w, "last error: %s\n", st.LastError)
	}
}

const flagHome = "home"

func defaultHome() string {
	if h := os.Getenv("H3LIX_WORKER_HOME"); h != "" {
		return h
	}
	dir, err := os.UserHomeDir()
	if err != nil {
		return ".h3lix-worker"
	}
	return filepath.Join(dir, ".h3lix-worker")
}

// chainFlags adds the flags that override config keys (see node.Load).
func chainFlags(f *pflag.FlagSet) {
	f.String("chain-id", "", "chain id (config chain.id)")
	f.String("node", "", "CometBFT RPC address, tcp://HOST:26657 (config chain.node)")
	f.String("grpc", "", "gRPC address of a full node, HOST:PORT (config chain.grpc)")
	f.String("rest", "", "REST API of a full node, http://HOST:1317, read by the dashboard (config chain.rest)")
	f.String("gas-prices", "", "gas prices, e.g. 0.025uhlx; default: the node's minimum (config chain.gas_prices)")
	f.Float64("gas-adjustment", 0, "multiplier of the simulated gas (config chain.gas_adjustment)")
	f.String("from", "", "key that signs for this node (config keyring.from)")
	f.String("keyring-backend", "", "keyring backend: test, file or os (config keyring.backend)")
	f.String("keyring-dir", "", "directory of the keyring, e.g. an h3lixd home (config keyring.dir)")
	f.String("log-level", "", "debug, info, warn or error (config log.level)")
	f.String("log-format", "", "text or json (config log.format)")
}

func homeOf(cmd *cobra.Command) string {
	h, _ := cmd.Flags().GetString(flagHome)
	return h
}

func newInitCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "init",
		Short: "Create a worker home: a commented config.toml and an ed25519 node key",
		Long: `init writes HOME/config.toml (every setting commented) and HOME/node_key.json,
the node's ed25519 key: the libp2p identity of its IPFS node and the key it
registers on chain. Several workers on one machine need their own homes and
their own --p2p-listen and --api-listen ports.`,
		Example: `h3lix-worker init --home ~/.h3lix-worker --chain-id h3lix-local \
  --node tcp://127.0.0.1:26657 --grpc 127.0.0.1:9090 \
  --from alice --keyring-backend test --keyring-dir ./.localnet/1val/node0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home := homeOf(cmd)
			cfgPath := filepath.Join(home, node.ConfigFile)
			if _, err := os.Stat(cfgPath); err == nil {
				return fmt.Errorf("%s exists: edit it, or remove the home to start again", cfgPath)
			}
			cfg := node.Default()
			f := cmd.Flags()
			str := func(name string, dst *string) {
				if f.Changed(name) {
					*dst, _ = f.GetString(name)
				}
			}
			str("chain-id", &cfg.Chain.ID)
			str("node", &cfg.Chain.Node)
			str("grpc", &cfg.Chain.GRPC)
			str("rest", &cfg.Chain.REST)
			str("gas-prices", &cfg.Chain.GasPrices)
			str("from", &cfg.Keyring.From)
			str("keyring-backend", &cfg.Keyring.Backend)
			str("keyring-dir", &cfg.Keyring.Dir)
			str("api-listen", &cfg.API.Listen)
			str("tasks", &cfg.Round.TasksDir)
			str("grid-zone", &cfg.Energy.GridZone)
			str("log-level", &cfg.Log.Level)
			str("log-format", &cfg.Log.Format)
			if f.Changed("p2p-listen") {
				cfg.P2P.Listen, _ = f.GetStringSlice("p2p-listen")
			}
			if f.Changed("gas-adjustment") {
				cfg.Chain.GasAdjustment, _ = f.GetFloat64("gas-adjustment")
			}
			if cfg.Keyring.Dir == "" {
				cfg.Keyring.Dir = home
			}
			for _, p := range []*string{&cfg.Keyring.Dir, &cfg.Round.TasksDir} {
				// gen:SEED names a generated stream, not a directory.
				if *p != "" && !strings.HasPrefix(*p, node.GenPrefix) {
					abs, err := filepath.Abs(*p)
					if err != nil {
						return err
					}
					*p = abs
				}
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			body, err := node.Render(cfg)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(home, 0o700); err != nil {
				return err
			}
			key, created, err := chain.LoadOrCreateNodeKey(node.NodeKeyPath(home))
			if err != nil {
				return err
			}
			if err := os.WriteFile(cfgPath, body, 0o600); err != nil {
				return err
			}
			verb := "created"
			if !created {
				verb = "kept the existing"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n%s node key %s (peer id %s)\nnext: h3lix-worker register --home %s --bond 10000000uhlx\n",
				cfgPath, verb, node.NodeKeyPath(home), key.PeerID, home)
			return nil
		},
	}
	chainFlags(c.Flags())
	c.Flags().StringSlice("p2p-listen", nil, "multiaddrs the embedded IPFS node listens on (default /ip4/127.0.0.1/tcp/4001)")
	c.Flags().String("api-listen", "", "HOST:PORT of the local HTTP API (default 127.0.0.1:8480)")
	c.Flags().String("tasks", "", "directory of your own .sl tasks, or gen:SEED for an endless generated stream (config round.tasks_dir)")
	c.Flags().String("grid-zone", "", "electricity grid zone, e.g. DE (config energy.grid_zone)")
	return c
}

func loadConfig(cmd *cobra.Command) (node.Config, error) {
	return node.Load(homeOf(cmd), cmd.Flags())
}

func newRegisterCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "register",
		Short: "Register this worker's node on chain with its node key and listen addresses",
		Long: `register sends the same MsgRegisterNode as 'h3lixd tx identity register-node':
the node key in HOME/node_key.json signs a proof of possession, the worker's
p2p addresses become the multiaddrs other workers dial, and the bond is
escrowed until the node deregisters.`,
		Example: `h3lix-worker register --home ~/.h3lix-worker --bond 10000000uhlx --roles worker,verifier`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			bondStr, _ := cmd.Flags().GetString("bond")
			bond, err := sdk.ParseCoinNormalized(bondStr)
			if err != nil {
				return fmt.Errorf("--bond %q: %w (e.g. 10000000uhlx; 'h3lixd query identity params' shows the minimum)", bondStr, err)
			}
			roles, _ := cmd.Flags().GetStringSlice("roles")
			model := "h3lix-" + cfg.Engine.Kind
			if cfg.Engine.Kind == "llm" {
				model = cfg.Engine.LLM.Model
			}
			reg := chain.Registration{EngineKind: cfg.Engine.Kind, Model: model, Version: "0.1.0", GridZone: cfg.Energy.GridZone, Bond: bond}
			for _, r := range roles {
				switch strings.ToLower(strings.TrimSpace(r)) {
				case "worker":
					reg.Worker = true
				case "verifier":
					reg.Verifier = true
				default:
					return fmt.Errorf("unknown role %q: use worker and/or verifier", r)
				}
			}
			if reg.Key, err = chain.LoadNodeKey(node.NodeKeyPath(cfg.Home)); err != nil {
				return fmt.Errorf("node key: %w (run 'h3lix-worker init' first)", err)
			}
			reg.Multiaddrs = cfg.P2P.Announce
			if len(reg.Multiaddrs) == 0 {
				reg.Multiaddrs = cfg.P2P.Listen
			}
			client, signer, err := node.OpenSigner(cfg, cmd.InOrStdin())
			if err != nil {
				return err
			}
			defer client.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), 2*time.Minute)
			defer cancel()
			res, err := signer.Register(ctx, reg)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "registered node of %s (peer id %s, multiaddrs %s) in block %d, tx %s\n",
				signer.Address(), reg.Key.PeerID, strings.Join(reg.Multiaddrs, ","), res.Height, res.TxHash)
			return nil
		},
	}
	chainFlags(c.Flags())
	c.Flags().String("bond", "", "bond to escrow, at least the min_bond param (e.g. 10000000uhlx)")
	c.Flags().StringSlice("roles", []string{"worker", "verifier"}, "roles: worker, verifier")
	_ = c.MarkFlagRequired("bond")
	return c
}

func newRunCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "run",
		Short: "Take part in every round until SIGINT/SIGTERM",
		Long: `run starts the worker: it solves tasks from --tasks (your own, private .sl
files: they never leave this machine), commits, reveals and stores artifacts
in IPFS, verifies the artifacts the chain assigns to it, and conditions its
engine on each round's field. It serves /healthz, /status, /metrics,
/v1/solve and a trustless gateway at /ipfs/ on api.listen.`,
		Example: `h3lix-worker run --home ~/.h3lix-worker --tasks ~/my-tasks`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			log := node.NewLogger(cfg.Log, cmd.ErrOrStderr())
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			n, err := node.Open(ctx, cfg, log)
			if err != nil {
				return err
			}
			defer n.Close()
			return n.Run(ctx, func(addr string) { log.Info("API listening", "addr", "http://"+addr) })
		},
	}
	chainFlags(c.Flags())
	c.Flags().String("tasks", "", "directory of your own .sl tasks, or gen:SEED for an endless generated stream (config round.tasks_dir)")
	c.Flags().StringSlice("p2p-listen", nil, "multiaddrs the embedded IPFS node listens on (config p2p.listen)")
	c.Flags().String("api-listen", "", "HOST:PORT of the local HTTP API (config api.listen)")
	// For protocol tests only: poison, lazy or offline-after-commit.
	c.Flags().String("adversary", "", "")
	_ = c.Flags().MarkHidden("adversary")
	return c
}

func newStatusCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "status",
		Short: "Print the running worker's status (GET /status of its API)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			url := "http://" + cfg.API.Listen + "/status"
			client := &http.Client{Timeout: 5 * time.Second}
			resp, err := client.Get(url)
			if err != nil {
				return fmt.Errorf("the worker's API at %s does not answer (is 'h3lix-worker run --home %s' running?): %w", url, cfg.Home, err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("%s: %s: %s", url, resp.Status, body)
			}
			if summary, _ := cmd.Flags().GetBool("summary"); summary {
				var st round.Status
				if err := json.Unmarshal(body, &st); err != nil {
					return errors.New("status is not JSON: " + string(body))
				}
				printStatusSummary(cmd.OutOrStdout(), st)
				return nil
			}
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				return errors.New("status is not JSON: " + string(body))
			}
			out, _ := json.MarshalIndent(v, "", "  ")
			fmt.Fprintln(cmd.OutOrStdout(), string(out))
			return nil
		},
	}
	c.Flags().String("api-listen", "", "HOST:PORT of the worker's API (config api.listen)")
	c.Flags().Bool("summary", false, "print a short summary (with the publishing overhead's median and p95) instead of JSON")
	return c
}
