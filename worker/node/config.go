// Package node holds the worker's configuration and wires its parts — the
// chain client, the IPFS store, the engine, the round loop and the local
// API — into one process.
package node

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/engine/llm"
	"github.com/h3lix/h3lix/worker/round"
	"github.com/h3lix/h3lix/worker/schedule"
)

// EnvPrefix prefixes every environment variable of the worker:
// H3LIX_WORKER_CHAIN_GRPC sets chain.grpc.
const EnvPrefix = "H3LIX_WORKER"

// ConfigFile is the config's name in the worker home.
const ConfigFile = "config.toml"

// NodeKeyFile is the node key's name in the worker home.
const NodeKeyFile = "node_key.json"

// Config is the whole worker configuration.
type Config struct {
	Chain    ChainConfig    `mapstructure:"chain"`
	Keyring  KeyringConfig  `mapstructure:"keyring"`
	P2P      P2PConfig      `mapstructure:"p2p"`
	API      APIConfig      `mapstructure:"api"`
	IPFS     IPFSConfig     `mapstructure:"ipfs"`
	Engine   EngineConfig   `mapstructure:"engine"`
	Round    RoundConfig    `mapstructure:"round"`
	Energy   EnergyConfig   `mapstructure:"energy"`
	Schedule ScheduleConfig `mapstructure:"schedule"`
	Log      LogConfig      `mapstructure:"log"`
	// Home is where the config was read from (not a file key).
	Home string `mapstructure:"-"`
}

// ChainConfig locates the chain.
type ChainConfig struct {
	ID   string `mapstructure:"id"`
	Node string `mapstructure:"node"`
	GRPC string `mapstructure:"grpc"`
	// REST is the chain's REST API (the gRPC gateway), which the worker's
	// dashboard reads through the worker's own API port.
	REST          string        `mapstructure:"rest"`
	GasAdjustment float64       `mapstructure:"gas_adjustment"`
	GasPrices     string        `mapstructure:"gas_prices"`
	TxTimeout     time.Duration `mapstructure:"tx_timeout"`
}

// KeyringConfig names the signing key.
type KeyringConfig struct {
	Backend string `mapstructure:"backend"`
	Dir     string `mapstructure:"dir"`
	From    string `mapstructure:"from"`
}

// P2PConfig is the libp2p node of the embedded IPFS store.
type P2PConfig struct {
	Listen []string `mapstructure:"listen"`
	// Announce is what the node registers on chain; empty: Listen.
	Announce []string `mapstructure:"announce"`
	DHT      bool     `mapstructure:"dht"`
}

// APIConfig is the local HTTP API.
type APIConfig struct {
	Listen string `mapstructure:"listen"`
}

// IPFSConfig selects the store.
type IPFSConfig struct {
	Mode         string        `mapstructure:"mode"`
	KuboURL      string        `mapstructure:"kubo_url"`
	FetchTimeout time.Duration `mapstructure:"fetch_timeout"`
	KeepRounds   uint64        `mapstructure:"keep_rounds"`
}

// EngineConfig selects and tunes the engine.
type EngineConfig struct {
	Kind        string    `mapstructure:"kind"`
	MemBudgetMB int64     `mapstructure:"mem_budget_mb"`
	Seed        uint64    `mapstructure:"seed"`
	LLM         LLMConfig `mapstructure:"llm"`
}

// LLMConfig is the language model that guides the search when kind = "llm"
// (llm.Config says what each key does).
type LLMConfig struct {
	URL         string        `mapstructure:"url"`
	Model       string        `mapstructure:"model"`
	APIKey      string        `mapstructure:"api_key"`
	Timeout     time.Duration `mapstructure:"timeout"`
	Retries     int           `mapstructure:"retries"`
	Concurrency int           `mapstructure:"concurrency"`
	Samples     int           `mapstructure:"samples"`
	Temperature float64       `mapstructure:"temperature"`
	MaxTokens   int           `mapstructure:"max_tokens"`
	// Weight is the samples' share of the evidence, 0 to 0.99.
	Weight      float64 `mapstructure:"weight"`
	Exemplars   int     `mapstructure:"exemplars"`
	AllowRemote bool    `mapstructure:"allow_remote"`
}

// Client is the llm package's configuration.
func (c LLMConfig) Client() llm.Config {
	w := uint32(0)
	if c.Weight > 0 && c.Weight <= 1 {
		w = uint32(math.Round(c.Weight * 1e6))
	}
	return llm.Config{BaseURL: c.URL, Model: c.Model, APIKey: c.APIKey, Timeout: c.Timeout, Retries: c.Retries,
		Concurrency: c.Concurrency, Samples: c.Samples, Temperature: c.Temperature, MaxTokens: c.MaxTokens,
		WeightPPM: w, Exemplars: c.Exemplars, AllowRemote: c.AllowRemote}
}

func defaultLLM() LLMConfig {
	d := llm.DefaultConfig()
	return LLMConfig{URL: d.BaseURL, Timeout: d.Timeout, Retries: d.Retries, Concurrency: d.Concurrency, Samples: d.Samples,
		Temperature: d.Temperature, MaxTokens: d.MaxTokens, Weight: float64(d.WeightPPM) / 1e6, Exemplars: d.Exemplars}
}

// RoundConfig tunes the round loop.
type RoundConfig struct {
	TasksDir             string        `mapstructure:"tasks_dir"`
	TasksPerRound        int           `mapstructure:"tasks_per_round"`
	SolveBudget          time.Duration `mapstructure:"solve_budget"`
	Candidates           int64         `mapstructure:"candidates"`
	MaxArtifacts         int           `mapstructure:"max_artifacts"`
	ValidationShare      float64       `mapstructure:"validation_share"`
	ValidationCandidates int64         `mapstructure:"validation_candidates"`
	// ValidationDir, when set, is a directory of held-out tasks the
	// learning curve is measured on instead of a share of tasks_dir (the
	// network experiment measures every worker on the same set).
	ValidationDir string `mapstructure:"validation_dir"`
	// Conditioning is what the engine learns from after each round:
	// "field" (the finalized collective field) or "own" (only the node's own
	// artifacts of the round: the isolated control of an experiment).
	Conditioning string `mapstructure:"conditioning"`
	// Adversary is for protocol tests only; it has no flag in the help.
	Adversary string `mapstructure:"adversary"`
}

// EnergyConfig converts CPU time to energy and emissions.
type EnergyConfig struct {
	WattsPerCore float64 `mapstructure:"watts_per_core"`
	GridGPerKWh  float64 `mapstructure:"grid_g_per_kwh"`
	RenewablePPM uint32  `mapstructure:"renewable_ppm"`
	GridZone     string  `mapstructure:"grid_zone"`
	// CarbonSource is where the grid's live intensity comes from: static
	// (grid_g_per_kwh), trace (carbon_trace replayed on today's date),
	// electricitymaps or carbon-aware (carbon_url, grid_zone).
	CarbonSource string        `mapstructure:"carbon_source"`
	CarbonURL    string        `mapstructure:"carbon_url"`
	CarbonToken  string        `mapstructure:"carbon_token"`
	CarbonTrace  string        `mapstructure:"carbon_trace"`
	CarbonTTL    time.Duration `mapstructure:"carbon_ttl"`
}

// ScheduleConfig decides when the worker does its heavy work (solving and
// distilling); verification and attestation are never deferred.
type ScheduleConfig struct {
	Duty    float64       `mapstructure:"duty"`
	Window  string        `mapstructure:"window"`
	Ceiling float64       `mapstructure:"ceiling_g_per_kwh"`
	Slot    time.Duration `mapstructure:"slot"`
}

// LogConfig shapes the logs.
type LogConfig struct {
	Level  string `mapstructure:"level"`
	Format string `mapstructure:"format"`
}

// Default is the configuration of a worker on the localnet.
func Default() Config {
	return Config{
		Chain:    ChainConfig{ID: "h3lix-local", Node: "tcp://127.0.0.1:26657", GRPC: "127.0.0.1:9090", REST: "http://127.0.0.1:1317", GasAdjustment: 1.5, TxTimeout: time.Minute},
		Keyring:  KeyringConfig{Backend: "test", From: "alice"},
		P2P:      P2PConfig{Listen: []string{"/ip4/127.0.0.1/tcp/4001"}},
		API:      APIConfig{Listen: "127.0.0.1:8480"},
		IPFS:     IPFSConfig{Mode: "embedded", KuboURL: "http://127.0.0.1:5001", FetchTimeout: 5 * time.Second, KeepRounds: 8},
		Engine:   EngineConfig{Kind: "pbe", MemBudgetMB: 1024, Seed: 1, LLM: defaultLLM()},
		Round:    RoundConfig{TasksPerRound: 4, SolveBudget: 4 * time.Second, MaxArtifacts: 4, ValidationShare: 0.2, ValidationCandidates: 20_000, Conditioning: round.ConditionField},
		Energy:   EnergyConfig{CarbonSource: "static", CarbonTTL: 15 * time.Minute},
		Schedule: ScheduleConfig{Duty: 1, Window: "day", Slot: time.Hour},
		Log:      LogConfig{Level: "info", Format: "text"},
	}
}

// Validate reports the first setting that cannot work, with what to do.
func (c Config) Validate() error {
	var errs []string
	bad := func(key, format string, a ...any) { errs = append(errs, key+": "+fmt.Sprintf(format, a...)) }
	if c.Chain.ID == "" {
		bad("chain.id", "empty; set the chain id (h3lixd status shows it)")
	}
	if c.Chain.GRPC == "" {
		bad("chain.grpc", "empty; set the node's gRPC address, e.g. 127.0.0.1:9090")
	}
	if c.Chain.REST != "" {
		if u, err := url.Parse(c.Chain.REST); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("chain.rest", "%q is not an http(s) URL; use http://HOST:1317, or \"\" to serve the dashboard without chain data", c.Chain.REST)
		}
	}
	if c.Chain.Node != "" && !strings.Contains(c.Chain.Node, "://") {
		bad("chain.node", "%q is not a URL; use tcp://HOST:26657", c.Chain.Node)
	}
	if !(c.Chain.GasAdjustment >= 1) || math.IsInf(c.Chain.GasAdjustment, 1) {
		bad("chain.gas_adjustment", "%v: must be a number of at least 1; below 1 the simulated gas would not be enough", c.Chain.GasAdjustment)
	}
	if c.Chain.TxTimeout <= 0 {
		bad("chain.tx_timeout", "must be positive, e.g. \"1m\"")
	}
	switch c.Keyring.Backend {
	case "test", "file", "os":
	default:
		bad("keyring.backend", "%q: use test, file or os", c.Keyring.Backend)
	}
	if c.Keyring.From == "" {
		bad("keyring.from", "empty; name the key that signs for this node")
	}
	// net.Listen("tcp", "") or ":8480" would serve /v1/solve on every
	// interface; the API must name its host.
	if host, _, err := net.SplitHostPort(c.API.Listen); err != nil || host == "" {
		bad("api.listen", "%q: use HOST:PORT, e.g. 127.0.0.1:8480", c.API.Listen)
	}
	switch c.IPFS.Mode {
	case "embedded":
		if len(c.P2P.Listen) == 0 {
			bad("p2p.listen", "empty; the embedded IPFS node needs an address, e.g. /ip4/127.0.0.1/tcp/4001")
		}
	case "kubo":
		if c.IPFS.KuboURL == "" {
			bad("ipfs.kubo_url", "empty; set the Kubo RPC URL, e.g. http://127.0.0.1:5001")
		}
	default:
		bad("ipfs.mode", "%q: use embedded or kubo", c.IPFS.Mode)
	}
	if c.IPFS.FetchTimeout <= 0 {
		bad("ipfs.fetch_timeout", "must be positive, e.g. \"5s\"")
	}
	switch c.Engine.Kind {
	case "pbe":
	case "llm":
		if !(c.Engine.LLM.Weight >= 0 && c.Engine.LLM.Weight <= 0.99) {
			bad("engine.llm.weight", "%v: use 0 to 0.99 (the node's own prior keeps a share)", c.Engine.LLM.Weight)
		} else if err := c.Engine.LLM.Client().Validate(); err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				errs = append(errs, "engine.llm."+line)
			}
		}
	default:
		bad("engine.kind", "%q: use pbe, or llm (pbe guided by a local model)", c.Engine.Kind)
	}
	if c.Engine.MemBudgetMB < 0 {
		bad("engine.mem_budget_mb", "%d is negative", c.Engine.MemBudgetMB)
	}
	if c.Round.TasksPerRound <= 0 {
		bad("round.tasks_per_round", "must be at least 1")
	}
	if c.Round.SolveBudget <= 0 {
		bad("round.solve_budget", "must be positive, e.g. \"4s\"")
	}
	if c.Round.Candidates < 0 {
		bad("round.candidates", "%d is negative; 0 means only the time budget", c.Round.Candidates)
	}
	if !(c.Round.ValidationShare >= 0 && c.Round.ValidationShare < 1) {
		bad("round.validation_share", "%v: must be in [0, 1)", c.Round.ValidationShare)
	}
	switch c.Round.Conditioning {
	case round.ConditionField, round.ConditionOwn:
	default:
		bad("round.conditioning", "%q: use %q (learn from the collective field) or %q (only from this node's own artifacts, an experiment's control)",
			c.Round.Conditioning, round.ConditionField, round.ConditionOwn)
	}
	switch c.Round.Adversary {
	case "", "poison", "lazy", "offline-after-commit":
	default:
		bad("round.adversary", "%q is not a known test behaviour", c.Round.Adversary)
	}
	if !(c.Energy.WattsPerCore >= 0) || math.IsInf(c.Energy.WattsPerCore, 1) {
		bad("energy.watts_per_core", "%v: must be a non-negative number; 0 means measure (RAPL, else the CPU's TDP)", c.Energy.WattsPerCore)
	}
	if !(c.Energy.GridGPerKWh >= 0) || math.IsInf(c.Energy.GridGPerKWh, 1) {
		bad("energy.grid_g_per_kwh", "%v: must be a non-negative number; 0 means unknown", c.Energy.GridGPerKWh)
	}
	if c.Energy.RenewablePPM > chain.PPM {
		bad("energy.renewable_ppm", "%d is above %d (100%%); the chain would refuse every commit", c.Energy.RenewablePPM, chain.PPM)
	}
	switch c.Energy.CarbonSource {
	case "static":
	case "trace":
		if c.Energy.CarbonTrace == "" {
			bad("energy.carbon_trace", "carbon_source = \"trace\" needs a trace file (CSV \"Time,Carbon Intensity\", Carbon Aware SDK or Electricity Maps JSON)")
		}
	case "electricitymaps", "carbon-aware":
		if c.Energy.CarbonURL == "" {
			bad("energy.carbon_url", "carbon_source = %q needs the API's base URL", c.Energy.CarbonSource)
		} else if u, err := url.Parse(c.Energy.CarbonURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("energy.carbon_url", "%q is not an http(s) URL", c.Energy.CarbonURL)
		}
		if c.Energy.GridZone == "" {
			bad("energy.grid_zone", "carbon_source = %q needs the zone (Electricity Maps, e.g. \"DE\") or location (Carbon Aware SDK, e.g. \"westeurope\")", c.Energy.CarbonSource)
		}
	default:
		bad("energy.carbon_source", "%q: use static, trace, electricitymaps or carbon-aware", c.Energy.CarbonSource)
	}
	if c.Energy.CarbonTTL <= 0 {
		bad("energy.carbon_ttl", "must be positive, e.g. \"15m\"")
	}
	if err := (schedule.Policy{Duty: c.Schedule.Duty, Window: schedule.Window(c.Schedule.Window), Ceiling: c.Schedule.Ceiling}).Validate(); err != nil {
		bad("schedule", "%v", err)
	}
	if c.Schedule.Slot <= 0 || (24*time.Hour)%c.Schedule.Slot != 0 {
		bad("schedule.slot", "%s: must divide a day, e.g. \"1h\" or \"30m\"", c.Schedule.Slot)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		bad("log.format", "%q: use text or json", c.Log.Format)
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q: use debug, info, warn or error", c.Log.Level)
	}
	if len(errs) > 0 {
		return errors.New("invalid configuration:\n  " + strings.Join(errs, "\n  "))
	}
	return nil
}

// Flag names shared by the commands, each bound to a config key.
var flagKeys = map[string]string{
	"chain-id":        "chain.id",
	"node":            "chain.node",
	"grpc":            "chain.grpc",
	"rest":            "chain.rest",
	"gas-prices":      "chain.gas_prices",
	"gas-adjustment":  "chain.gas_adjustment",
	"from":            "keyring.from",
	"keyring-backend": "keyring.backend",
	"keyring-dir":     "keyring.dir",
	"p2p-listen":      "p2p.listen",
	"api-listen":      "api.listen",
	"tasks":           "round.tasks_dir",
	"log-level":       "log.level",
	"log-format":      "log.format",
	"adversary":       "round.adversary",
}

// Load reads HOME/config.toml, then the environment, then the flags that
// were set: flags win, then environment, then the file. A missing file is
// an error that says how to create it; unknown keys are errors too, so a
// typo never silently falls back to a default.
func Load(home string, flags *pflag.FlagSet) (Config, error) {
	v := viper.New()
	def := Default()
	setDefaults(v, def)
	path := filepath.Join(home, ConfigFile)
	v.SetConfigFile(path)
	v.SetConfigType("toml")
	if err := v.ReadInConfig(); err != nil {
		if errors.Is(err, os.ErrNotExist) || os.IsNotExist(errors.Unwrap(err)) {
			return Config{}, fmt.Errorf("no config at %s: run 'h3lix-worker init --home %s' first", path, home)
		}
		if _, statErr := os.Stat(path); statErr != nil {
			return Config{}, fmt.Errorf("no config at %s: run 'h3lix-worker init --home %s' first", path, home)
		}
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if flags != nil {
		for name, key := range flagKeys {
			if f := flags.Lookup(name); f != nil {
				if err := v.BindPFlag(key, f); err != nil {
					return Config{}, err
				}
			}
		}
	}
	// Weak decoding would wrap a negative number into a huge unsigned one
	// (keep_rounds = -1 would keep every pin forever), so refuse it first.
	for _, key := range []string{"ipfs.keep_rounds", "engine.seed", "energy.renewable_ppm"} {
		if negative(v.Get(key)) {
			return Config{}, fmt.Errorf("config %s: %s: %v is negative", path, key, v.Get(key))
		}
	}
	var c Config
	if err := v.UnmarshalExact(&c); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	c.Home = home
	// An empty list in the file decodes to an empty slice; keep nil, as
	// Default has it, so "unset" has one representation.
	if len(c.P2P.Listen) == 0 {
		c.P2P.Listen = nil
	}
	if len(c.P2P.Announce) == 0 {
		c.P2P.Announce = nil
	}
	if c.Keyring.Dir == "" {
		c.Keyring.Dir = home
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

func negative(x any) bool {
	switch n := x.(type) {
	case int:
		return n < 0
	case int64:
		return n < 0
	case float64:
		return n < 0
	case string:
		return strings.HasPrefix(strings.TrimSpace(n), "-")
	}
	return false
}

// setDefaults registers every key, which also makes AutomaticEnv see keys
// that the file does not set.
func setDefaults(v *viper.Viper, c Config) {
	for k, val := range map[string]any{
		"chain.id": c.Chain.ID, "chain.node": c.Chain.Node, "chain.grpc": c.Chain.GRPC, "chain.rest": c.Chain.REST,
		"chain.gas_adjustment": c.Chain.GasAdjustment, "chain.gas_prices": c.Chain.GasPrices, "chain.tx_timeout": c.Chain.TxTimeout,
		"keyring.backend": c.Keyring.Backend, "keyring.dir": c.Keyring.Dir, "keyring.from": c.Keyring.From,
		"p2p.listen": c.P2P.Listen, "p2p.announce": c.P2P.Announce, "p2p.dht": c.P2P.DHT,
		"api.listen": c.API.Listen,
		"ipfs.mode":  c.IPFS.Mode, "ipfs.kubo_url": c.IPFS.KuboURL, "ipfs.fetch_timeout": c.IPFS.FetchTimeout, "ipfs.keep_rounds": c.IPFS.KeepRounds,
		"engine.kind": c.Engine.Kind, "engine.mem_budget_mb": c.Engine.MemBudgetMB, "engine.seed": c.Engine.Seed,
		"engine.llm.url": c.Engine.LLM.URL, "engine.llm.model": c.Engine.LLM.Model, "engine.llm.api_key": c.Engine.LLM.APIKey,
		"engine.llm.timeout": c.Engine.LLM.Timeout, "engine.llm.retries": c.Engine.LLM.Retries, "engine.llm.concurrency": c.Engine.LLM.Concurrency,
		"engine.llm.samples": c.Engine.LLM.Samples, "engine.llm.temperature": c.Engine.LLM.Temperature, "engine.llm.max_tokens": c.Engine.LLM.MaxTokens,
		"engine.llm.weight": c.Engine.LLM.Weight, "engine.llm.exemplars": c.Engine.LLM.Exemplars, "engine.llm.allow_remote": c.Engine.LLM.AllowRemote,
		"round.tasks_dir": c.Round.TasksDir, "round.tasks_per_round": c.Round.TasksPerRound, "round.solve_budget": c.Round.SolveBudget,
		"round.candidates": c.Round.Candidates, "round.max_artifacts": c.Round.MaxArtifacts, "round.validation_share": c.Round.ValidationShare,
		"round.validation_candidates": c.Round.ValidationCandidates, "round.adversary": c.Round.Adversary,
		"round.validation_dir": c.Round.ValidationDir, "round.conditioning": c.Round.Conditioning,
		"energy.watts_per_core": c.Energy.WattsPerCore, "energy.grid_g_per_kwh": c.Energy.GridGPerKWh, "energy.renewable_ppm": c.Energy.RenewablePPM,
		"energy.grid_zone": c.Energy.GridZone, "energy.carbon_source": c.Energy.CarbonSource, "energy.carbon_url": c.Energy.CarbonURL,
		"energy.carbon_token": c.Energy.CarbonToken, "energy.carbon_trace": c.Energy.CarbonTrace, "energy.carbon_ttl": c.Energy.CarbonTTL,
		"schedule.duty": c.Schedule.Duty, "schedule.window": c.Schedule.Window, "schedule.ceiling_g_per_kwh": c.Schedule.Ceiling,
		"schedule.slot": c.Schedule.Slot,
		"log.level":     c.Log.Level, "log.format": c.Log.Format,
	} {
		v.SetDefault(k, val)
	}
}

// tomlString quotes s as a TOML basic string. Go's %q is not TOML: a
// Windows path's \U or a \x escape would not parse back.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// tomlFloat writes x so that TOML reads it back, NaN and infinities
// included (Validate refuses them, but Render must not write a file that
// fails to parse instead).
func tomlFloat(x float64) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

var configTemplate = template.Must(template.New("config").Funcs(template.FuncMap{
	"quote": tomlString,
	"float": tomlFloat,
	"list": func(xs []string) string {
		q := make([]string, len(xs))
		for i, x := range xs {
			q[i] = tomlString(x)
		}
		return "[" + strings.Join(q, ", ") + "]"
	},
}).Parse(`# h3lix-worker configuration.
#
# Every key can also come from the environment as H3LIX_WORKER_<SECTION>_<KEY>
# (e.g. H3LIX_WORKER_CHAIN_GRPC) and from the matching command-line flag.
# Flags win, then the environment, then this file.

[chain]
# The chain id; transactions signed for another chain are refused.
id = {{quote .Chain.ID}}
# CometBFT RPC, used to wake up on new blocks (polling over gRPC is the fallback).
node = {{quote .Chain.Node}}
# gRPC of a full node: queries, simulation and broadcast.
grpc = {{quote .Chain.GRPC}}
# REST API of a full node (the gRPC gateway, port 1317). The dashboard at the
# worker's API port reads the round, field and leaderboard from it through
# /chain/. Empty: the dashboard shows only this worker's own status.
rest = {{quote .Chain.REST}}
# Simulated gas is multiplied by this.
gas_adjustment = {{float .Chain.GasAdjustment}}
# Empty: pay the node's minimum gas price. Otherwise e.g. "0.025uhlx".
gas_prices = {{quote .Chain.GasPrices}}
# How long to wait for a transaction to be included.
tx_timeout = "{{.Chain.TxTimeout}}"

[keyring]
# The same keyring h3lixd uses: test, file or os. dir is the directory that
# holds it (for an h3lixd home, that home).
backend = {{quote .Keyring.Backend}}
dir = {{quote .Keyring.Dir}}
# The key that signs for this node (its operator account).
from = {{quote .Keyring.From}}

[p2p]
# Where the embedded IPFS node listens. Several workers on one machine need
# different ports.
listen = {{list .P2P.Listen}}
# What is registered on chain for other workers to dial; empty: listen.
announce = {{list .P2P.Announce}}
# A DHT (protocol /h3lix) in addition to the registry's peers. Off: the
# identity registry is the routing table.
dht = {{.P2P.DHT}}

[api]
# Local HTTP API: /healthz, /status, /metrics, /v1/solve, /ipfs/ (trustless
# gateway). Keep it on loopback unless you put a proxy in front.
listen = {{quote .API.Listen}}

[ipfs]
# embedded: an IPFS node inside the worker (data in <home>/data/ipfs).
# kubo: an existing Kubo daemon at kubo_url.
mode = {{quote .IPFS.Mode}}
kubo_url = {{quote .IPFS.KuboURL}}
# How long to wait for another worker's payload.
fetch_timeout = "{{.IPFS.FetchTimeout}}"
# Pins of own and field artifacts older than this many rounds are dropped.
keep_rounds = {{.IPFS.KeepRounds}}

[engine]
# pbe: the embedded program-by-example synthesizer (no model weights).
# llm: the same synthesizer guided by a local language model ([engine.llm]).
kind = {{quote .Engine.Kind}}
# Memory the synthesizer's program banks may use per task.
mem_budget_mb = {{.Engine.MemBudgetMB}}
# Seeds the check vectors of distilled artifacts.
seed = {{.Engine.Seed}}

[engine.llm]
# Used when kind = "llm". Any OpenAI-compatible server: Ollama
# (http://127.0.0.1:11434/v1), llama.cpp's llama-server (http://127.0.0.1:8080/v1)
# or vLLM. The prompts hold your tasks' grammar and examples, so they only
# go to a server on this machine unless allow_remote = true. If the server
# is down or slow, the worker solves with the embedded engine alone and
# /status says why.
url = {{quote .Engine.LLM.URL}}
model = {{quote .Engine.LLM.Model}}
# Sent as a bearer token when set; or H3LIX_WORKER_ENGINE_LLM_API_KEY.
api_key = {{quote .Engine.LLM.APIKey}}
timeout = "{{.Engine.LLM.Timeout}}"
retries = {{.Engine.LLM.Retries}}
# Requests in flight to the server.
concurrency = {{.Engine.LLM.Concurrency}}
# Answers sampled per task, and how they are sampled.
samples = {{.Engine.LLM.Samples}}
temperature = {{float .Engine.LLM.Temperature}}
max_tokens = {{.Engine.LLM.MaxTokens}}
# Share of the evidence the samples hold in the search's prior (0 to 0.99);
# the rest is the prior this node learned and conditioned on the field.
weight = {{float .Engine.LLM.Weight}}
# Programs of the field shown to the model as worked examples.
exemplars = {{.Engine.LLM.Exemplars}}
allow_remote = {{.Engine.LLM.AllowRemote}}

[round]
# Your own tasks (.sl files). They never leave this machine; only distilled
# artifacts do. "gen:SEED" instead draws an endless private stream of
# generated tasks (demos, tests). The --tasks flag of 'run' sets it too.
tasks_dir = {{quote .Round.TasksDir}}
tasks_per_round = {{.Round.TasksPerRound}}
# Time the engine may spend on one round's tasks (it also has to fit in the
# commit phase).
solve_budget = "{{.Round.SolveBudget}}"
# Candidate cap per task; 0 = only the time budget. The conditioning guard
# compares priors on the node's own tasks at this budget (10000 when 0).
candidates = {{.Round.Candidates}}
max_artifacts = {{.Round.MaxArtifacts}}
# Share of the tasks held back to measure the learning curve, and the fixed
# candidate budget it is measured at.
validation_share = {{float .Round.ValidationShare}}
validation_candidates = {{.Round.ValidationCandidates}}
# A directory of held-out tasks to measure the learning curve on instead of
# the share above ("" = the share). It must share no example with tasks_dir.
validation_dir = {{quote .Round.ValidationDir}}
# What the engine learns from after each round: "field" (the collective
# field) or "own" (only this node's own artifacts: an experiment's control).
conditioning = {{quote .Round.Conditioning}}
{{- if .Round.Adversary}}
# Protocol tests only: this worker misbehaves on purpose.
adversary = {{quote .Round.Adversary}}
{{- end}}

[energy]
# The energy of each artifact: 0 measures it (RAPL counters when readable,
# else CPU time × the CPU model's TDP per core, else × 8 W); a positive
# value forces CPU time × that many watts per core. The worker logs which.
watts_per_core = {{float .Energy.WattsPerCore}}
# Carbon intensity of your grid (g CO2e per kWh) and its renewable share
# (ppm); 0 = unknown.
grid_g_per_kwh = {{float .Energy.GridGPerKWh}}
renewable_ppm = {{.Energy.RenewablePPM}}
grid_zone = {{quote .Energy.GridZone}}
# Where the grid's carbon intensity comes from, for the CO2e of each
# artifact and for the schedule: "static" (grid_g_per_kwh above), "trace"
# (carbon_trace replayed on today's date, e.g. ../shared/bench/carbon/de-2020.csv),
# "electricitymaps" (carbon_url = "https://api.electricitymap.org/v3",
# grid_zone = "DE", token in carbon_token or H3LIX_WORKER_ENERGY_CARBON_TOKEN) or
# "carbon-aware" (a Carbon Aware SDK WebAPI at carbon_url, grid_zone = its
# location). If the source fails, the last reading, then grid_g_per_kwh, is
# used.
carbon_source = {{quote .Energy.CarbonSource}}
carbon_url = {{quote .Energy.CarbonURL}}
carbon_token = {{quote .Energy.CarbonToken}}
carbon_trace = {{quote .Energy.CarbonTrace}}
carbon_ttl = "{{.Energy.CarbonTTL}}"

[schedule]
# When to do the heavy work (solve and distil; verification is never
# deferred). duty is the share of each window's slots the worker may work
# (1 = always); with less, it works the slots the forecast says are the
# cleanest. ceiling_g_per_kwh, if positive, is an intensity above which it
# never works, even if the quota goes unused.
duty = {{float .Schedule.Duty}}
window = {{quote .Schedule.Window}} # day or week
ceiling_g_per_kwh = {{float .Schedule.Ceiling}}
slot = "{{.Schedule.Slot}}"

[log]
level = {{quote .Log.Level}}   # debug, info, warn, error
format = {{quote .Log.Format}} # text or json
`))

// Render writes c as a commented config file.
func Render(c Config) ([]byte, error) {
	var b bytes.Buffer
	if err := configTemplate.Execute(&b, c); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
