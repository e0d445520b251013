package node_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/node"
)

// writeConfig writes body as HOME/config.toml in a fresh home.
func writeConfig(t testing.TB, body []byte) string {
	t.Helper()
	home := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(home, node.ConfigFile), body, 0o600))
	return home
}

func renderDefault(t testing.TB) []byte {
	t.Helper()
	b, err := node.Render(node.Default())
	require.NoError(t, err)
	return b
}

// chainFlagSet has the names and types of cmd/h3lix-worker's chainFlags,
// plus the extra flags of init and run.
func chainFlagSet() *pflag.FlagSet {
	f := pflag.NewFlagSet("test", pflag.ContinueOnError)
	f.String("chain-id", "", "")
	f.String("node", "", "")
	f.String("grpc", "", "")
	f.String("gas-prices", "", "")
	f.Float64("gas-adjustment", 0, "")
	f.String("from", "", "")
	f.String("keyring-backend", "", "")
	f.String("keyring-dir", "", "")
	f.String("log-level", "", "")
	f.String("log-format", "", "")
	f.StringSlice("p2p-listen", nil, "")
	f.String("api-listen", "", "")
	f.String("tasks", "", "")
	return f
}

func TestRenderLoadRoundTrip(t *testing.T) {
	home := writeConfig(t, renderDefault(t))
	got, err := node.Load(home, nil)
	require.NoError(t, err)
	want := node.Default()
	want.Home, want.Keyring.Dir = home, home
	require.Equal(t, want, got)

	// A config with every field away from its default survives too,
	// including strings TOML must escape.
	c := node.Default()
	c.Chain = node.ChainConfig{ID: "h3lix-9", Node: "tcp://10.0.0.1:26657", GRPC: "10.0.0.1:9090", GasAdjustment: 2, GasPrices: "0.025uhlx", TxTimeout: 90 * time.Second}
	c.Keyring = node.KeyringConfig{Backend: "file", Dir: `C:\Users\o"brien\.h3lixd` + "\ttab", From: "bob"}
	c.P2P = node.P2PConfig{Listen: []string{"/ip4/0.0.0.0/tcp/4002", "/ip4/0.0.0.0/udp/4002/quic-v1"}, Announce: []string{"/dns4/w.example/tcp/4002"}, DHT: true}
	c.API.Listen = "127.0.0.1:9480"
	c.IPFS = node.IPFSConfig{Mode: "kubo", KuboURL: "http://127.0.0.1:5002", FetchTimeout: 1500 * time.Millisecond, KeepRounds: 3}
	c.Engine = node.EngineConfig{Kind: "pbe", MemBudgetMB: 64, Seed: 7}
	c.Round = node.RoundConfig{TasksDir: "/tmp/my tasks", TasksPerRound: 2, SolveBudget: 3 * time.Second, Candidates: 10, MaxArtifacts: 1, ValidationShare: 0.25, ValidationCandidates: 5}
	c.Round.ValidationDir, c.Round.Conditioning = "/tmp/held out", "own"
	c.Energy = node.EnergyConfig{WattsPerCore: 12.5, GridGPerKWh: 360, RenewablePPM: 400_000, GridZone: "DE",
		CarbonSource: "electricitymaps", CarbonURL: "https://api.electricitymap.org/v3", CarbonToken: `t"k`, CarbonTrace: "/tmp/de.csv", CarbonTTL: 5 * time.Minute}
	c.Schedule = node.ScheduleConfig{Duty: 0.45, Window: "week", Ceiling: 400, Slot: 30 * time.Minute}
	c.Log = node.LogConfig{Level: "debug", Format: "json"}
	c.Round.Adversary = "lazy"
	b, err := node.Render(c)
	require.NoError(t, err)
	home = writeConfig(t, b)
	got, err = node.Load(home, nil)
	require.NoError(t, err)
	c.Home = home
	require.Equal(t, c, got)
}

func TestLoadPrecedence(t *testing.T) {
	body := strings.Replace(string(renderDefault(t)), `grpc = "127.0.0.1:9090"`, `grpc = "file:9090"`, 1)
	home := writeConfig(t, []byte(body))

	c, err := node.Load(home, chainFlagSet())
	require.NoError(t, err)
	require.Equal(t, "file:9090", c.Chain.GRPC, "file over default")

	t.Setenv("H3LIX_WORKER_CHAIN_GRPC", "env:9090")
	t.Setenv("H3LIX_WORKER_ROUND_TASKS_PER_ROUND", "9")
	t.Setenv("H3LIX_WORKER_P2P_LISTEN", "/ip4/127.0.0.1/tcp/1,/ip4/127.0.0.1/tcp/2")
	// Nested sections too: the API key of [engine.llm] need not be in the file.
	t.Setenv("H3LIX_WORKER_ENGINE_LLM_API_KEY", "sk-env")
	// An unset flag does not override the environment or the file.
	c, err = node.Load(home, chainFlagSet())
	require.NoError(t, err)
	require.Equal(t, "env:9090", c.Chain.GRPC, "environment over file")
	require.Equal(t, 9, c.Round.TasksPerRound)
	require.Equal(t, "sk-env", c.Engine.LLM.APIKey)
	require.Equal(t, []string{"/ip4/127.0.0.1/tcp/1", "/ip4/127.0.0.1/tcp/2"}, c.P2P.Listen)
	require.Equal(t, "alice", c.Keyring.From, "unset flag keeps the file's value")
	require.Equal(t, 1.5, c.Chain.GasAdjustment, "unset flag's zero default is not used")

	f := chainFlagSet()
	require.NoError(t, f.Set("grpc", "flag:9090"))
	require.NoError(t, f.Set("gas-adjustment", "2.5"))
	require.NoError(t, f.Set("p2p-listen", "/ip4/127.0.0.1/tcp/3"))
	c, err = node.Load(home, f)
	require.NoError(t, err)
	require.Equal(t, "flag:9090", c.Chain.GRPC, "flag over environment")
	require.Equal(t, 2.5, c.Chain.GasAdjustment)
	require.Equal(t, []string{"/ip4/127.0.0.1/tcp/3"}, c.P2P.Listen)

	// A flag value is validated like any other.
	f = chainFlagSet()
	require.NoError(t, f.Set("keyring-backend", "nope"))
	_, err = node.Load(home, f)
	require.ErrorContains(t, err, "keyring.backend")
}

func TestLoadBrokenFiles(t *testing.T) {
	def := string(renderDefault(t))
	replace := func(old, new string) string {
		t.Helper()
		require.Contains(t, def, old)
		return strings.Replace(def, old, new, 1)
	}
	for _, tc := range []struct {
		name string
		body string
		want []string
	}{
		{"toml syntax", replace(`[chain]`, `[chain`), []string{"toml"}},
		{"unterminated string", replace(`id = "h3lix-local"`, `id = "h3lix-local`), []string{"toml"}},
		{"unknown key", replace(`grpc = "127.0.0.1:9090"`, `grcp = "127.0.0.1:9090"`), []string{"grcp"}},
		{"unknown section", def + "\n[chian]\nid = \"x\"\n", []string{"chian"}},
		{"wrong type", replace(`tasks_per_round = 4`, `tasks_per_round = "many"`), []string{"round.tasks_per_round", "int"}},
		{"bad duration", replace(`tx_timeout = "1m0s"`, `tx_timeout = "soon"`), []string{"tx_timeout"}},
		{"invalid value", replace(`backend = "test"`, `backend = "nope"`), []string{"keyring.backend", "nope"}},
		{"negative unsigned", replace(`keep_rounds = 8`, `keep_rounds = -1`), []string{"ipfs.keep_rounds", "negative"}},
		{"negative seed", replace(`seed = 1`, `seed = -3`), []string{"engine.seed", "negative"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := writeConfig(t, []byte(tc.body))
			path := filepath.Join(home, node.ConfigFile)
			_, err := node.Load(home, nil)
			require.Error(t, err)
			require.Contains(t, err.Error(), path, "names the file")
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
			after, rerr := os.ReadFile(path)
			require.NoError(t, rerr)
			require.Equal(t, tc.body, string(after), "Load changed the file")
			entries, _ := os.ReadDir(home)
			require.Len(t, entries, 1, "Load created files")
		})
	}

	t.Run("missing file", func(t *testing.T) {
		home := filepath.Join(t.TempDir(), "nothing-here")
		_, err := node.Load(home, nil)
		require.ErrorContains(t, err, filepath.Join(home, node.ConfigFile))
		require.ErrorContains(t, err, "h3lix-worker init --home "+home)
		_, serr := os.Stat(home)
		require.True(t, os.IsNotExist(serr), "Load created the home")
	})
}

func TestValidate(t *testing.T) {
	require.NoError(t, node.Default().Validate())
	for _, tc := range []struct {
		key string
		mod func(*node.Config)
	}{
		{"chain.id", func(c *node.Config) { c.Chain.ID = "" }},
		{"chain.grpc", func(c *node.Config) { c.Chain.GRPC = "" }},
		{"chain.node", func(c *node.Config) { c.Chain.Node = "127.0.0.1:26657" }},
		{"chain.rest", func(c *node.Config) { c.Chain.REST = "127.0.0.1:1317" }},
		{"chain.rest", func(c *node.Config) { c.Chain.REST = "ftp://127.0.0.1:1317" }},
		{"chain.gas_adjustment", func(c *node.Config) { c.Chain.GasAdjustment = 0.9 }},
		{"chain.gas_adjustment", func(c *node.Config) { c.Chain.GasAdjustment = math.NaN() }},
		{"chain.gas_adjustment", func(c *node.Config) { c.Chain.GasAdjustment = math.Inf(1) }},
		{"chain.tx_timeout", func(c *node.Config) { c.Chain.TxTimeout = 0 }},
		{"keyring.backend", func(c *node.Config) { c.Keyring.Backend = "memory" }},
		{"keyring.from", func(c *node.Config) { c.Keyring.From = "" }},
		{"p2p.listen", func(c *node.Config) { c.P2P.Listen = nil }},
		{"api.listen", func(c *node.Config) { c.API.Listen = "" }},
		{"api.listen", func(c *node.Config) { c.API.Listen = "8480" }},
		{"ipfs.kubo_url", func(c *node.Config) { c.IPFS.Mode, c.IPFS.KuboURL = "kubo", "" }},
		{"ipfs.mode", func(c *node.Config) { c.IPFS.Mode = "ipfs" }},
		{"ipfs.fetch_timeout", func(c *node.Config) { c.IPFS.FetchTimeout = 0 }},
		{"engine.llm.model", func(c *node.Config) { c.Engine.Kind = "llm" }},
		{"engine.llm.url", func(c *node.Config) {
			c.Engine.Kind, c.Engine.LLM.Model, c.Engine.LLM.URL = "llm", "m", "https://gpu.example.com/v1"
		}},
		{"engine.llm.url", func(c *node.Config) {
			c.Engine.Kind, c.Engine.LLM.Model, c.Engine.LLM.URL = "llm", "m", "localhost:11434"
		}},
		{"engine.llm.timeout", func(c *node.Config) { c.Engine.Kind, c.Engine.LLM.Model, c.Engine.LLM.Timeout = "llm", "m", 0 }},
		{"engine.llm.samples", func(c *node.Config) { c.Engine.Kind, c.Engine.LLM.Model, c.Engine.LLM.Samples = "llm", "m", 0 }},
		{"engine.llm.concurrency", func(c *node.Config) { c.Engine.Kind, c.Engine.LLM.Model, c.Engine.LLM.Concurrency = "llm", "m", 0 }},
		{"engine.llm.max_tokens", func(c *node.Config) { c.Engine.Kind, c.Engine.LLM.Model, c.Engine.LLM.MaxTokens = "llm", "m", 0 }},
		{"engine.llm.temperature", func(c *node.Config) { c.Engine.Kind, c.Engine.LLM.Model, c.Engine.LLM.Temperature = "llm", "m", 3 }},
		{"engine.llm.weight", func(c *node.Config) { c.Engine.Kind, c.Engine.LLM.Model, c.Engine.LLM.Weight = "llm", "m", 1 }},
		{"engine.llm.weight", func(c *node.Config) { c.Engine.Kind, c.Engine.LLM.Model, c.Engine.LLM.Weight = "llm", "m", math.NaN() }},
		{"engine.kind", func(c *node.Config) { c.Engine.Kind = "gpt" }},
		{"engine.mem_budget_mb", func(c *node.Config) { c.Engine.MemBudgetMB = -1 }},
		{"round.tasks_per_round", func(c *node.Config) { c.Round.TasksPerRound = 0 }},
		{"round.solve_budget", func(c *node.Config) { c.Round.SolveBudget = -time.Second }},
		{"round.candidates", func(c *node.Config) { c.Round.Candidates = -1 }},
		{"round.validation_share", func(c *node.Config) { c.Round.ValidationShare = -0.1 }},
		{"round.validation_share", func(c *node.Config) { c.Round.ValidationShare = 1 }},
		{"round.validation_share", func(c *node.Config) { c.Round.ValidationShare = math.NaN() }},
		{"round.adversary", func(c *node.Config) { c.Round.Adversary = "evil" }},
		{"round.conditioning", func(c *node.Config) { c.Round.Conditioning = "none" }},
		{"round.conditioning", func(c *node.Config) { c.Round.Conditioning = "" }},
		{"energy.watts_per_core", func(c *node.Config) { c.Energy.WattsPerCore = -1 }},
		{"energy.watts_per_core", func(c *node.Config) { c.Energy.WattsPerCore = math.Inf(1) }},
		{"energy.grid_g_per_kwh", func(c *node.Config) { c.Energy.GridGPerKWh = -1 }},
		{"energy.renewable_ppm", func(c *node.Config) { c.Energy.RenewablePPM = 1_000_001 }},
		{"energy.carbon_source", func(c *node.Config) { c.Energy.CarbonSource = "sunshine" }},
		{"energy.carbon_trace", func(c *node.Config) { c.Energy.CarbonSource = "trace" }},
		{"energy.carbon_url", func(c *node.Config) { c.Energy.CarbonSource, c.Energy.GridZone = "electricitymaps", "DE" }},
		{"energy.carbon_url", func(c *node.Config) {
			c.Energy.CarbonSource, c.Energy.GridZone, c.Energy.CarbonURL = "carbon-aware", "westeurope", "localhost:8080"
		}},
		{"energy.grid_zone", func(c *node.Config) {
			c.Energy.CarbonSource, c.Energy.CarbonURL = "electricitymaps", "https://x.example/v3"
		}},
		{"energy.carbon_ttl", func(c *node.Config) { c.Energy.CarbonTTL = 0 }},
		{"schedule", func(c *node.Config) { c.Schedule.Duty = 0 }},
		{"schedule", func(c *node.Config) { c.Schedule.Window = "month" }},
		{"schedule", func(c *node.Config) { c.Schedule.Ceiling = -5 }},
		{"schedule.slot", func(c *node.Config) { c.Schedule.Slot = 7 * time.Minute }},
		{"log.format", func(c *node.Config) { c.Log.Format = "yaml" }},
		{"log.level", func(c *node.Config) { c.Log.Level = "trace" }},
	} {
		t.Run(tc.key, func(t *testing.T) {
			c := node.Default()
			tc.mod(&c)
			err := c.Validate()
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.key+": ")
			// The same value in a file is refused by Load, naming file and key.
			b, rerr := node.Render(c)
			require.NoError(t, rerr)
			home := writeConfig(t, b)
			_, lerr := node.Load(home, nil)
			require.ErrorContains(t, lerr, filepath.Join(home, node.ConfigFile))
			require.ErrorContains(t, lerr, tc.key+": ")
		})
	}
	// From the environment as well.
	t.Setenv("H3LIX_WORKER_ENERGY_RENEWABLE_PPM", "-1")
	_, err := node.Load(writeConfig(t, renderDefault(t)), nil)
	require.ErrorContains(t, err, "energy.renewable_ppm: -1 is negative")
	t.Setenv("H3LIX_WORKER_ENERGY_RENEWABLE_PPM", "")
	t.Setenv("H3LIX_WORKER_ROUND_ADVERSARY", "evil")
	_, err = node.Load(writeConfig(t, renderDefault(t)), nil)
	require.ErrorContains(t, err, "round.adversary: ")

	// Every problem is reported at once.
	c := node.Default()
	c.Chain.ID, c.Log.Format = "", "yaml"
	err = c.Validate()
	require.ErrorContains(t, err, "chain.id")
	require.ErrorContains(t, err, "log.format")
}

func writeTasks(t testing.TB, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("(set-logic SLIA)\n; "+n+"\n"), 0o644))
	}
}

func TestLoadTasks(t *testing.T) {
	_, _, err := node.LoadTasks("", 0.2)
	require.ErrorContains(t, err, "--tasks")

	empty := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(empty, "README"), []byte("not a task"), 0o644))
	_, _, err = node.LoadTasks(empty, 0.2)
	require.ErrorContains(t, err, empty)
	require.ErrorContains(t, err, "h3lix-worker tasks gen")

	dir := t.TempDir()
	var names []string
	for i := range 40 {
		names = append(names, fmt.Sprintf("task-%02d.sl", i))
	}
	writeTasks(t, dir, names...)
	side := func(share float64) map[string]string {
		t.Helper()
		work, val, err := node.LoadTasks(dir, share)
		require.NoError(t, err)
		m := map[string]string{}
		for _, x := range work {
			m[x.ID] = "work"
			require.NotEmpty(t, x.Spec)
		}
		for _, x := range val {
			require.NotContains(t, m, x.ID)
			m[x.ID] = "validation"
		}
		return m
	}
	before := side(0.5)
	require.Len(t, before, 40)
	require.Equal(t, before, side(0.5), "split is deterministic")
	var nWork, nVal int
	for _, s := range before {
		if s == "work" {
			nWork++
		} else {
			nVal++
		}
	}
	require.NotZero(t, nWork)
	require.NotZero(t, nVal)

	writeTasks(t, dir, "new-task.sl")
	after := side(0.5)
	require.Len(t, after, 41)
	for id, s := range before {
		require.Equal(t, s, after[id], "%s changed sides when a task was added", id)
	}

	for _, s := range side(0) {
		require.Equal(t, "work", s, "share 0 holds nothing back")
	}
}

func FuzzLoadConfig(f *testing.F) {
	def, err := node.Render(node.Default())
	require.NoError(f, err)
	f.Add(def)
	f.Add([]byte(""))
	f.Add([]byte("[chain]\ngrcp = 1\n"))
	f.Add([]byte("[round]\ntasks_per_round = \"many\"\n"))
	f.Add([]byte("chain = 5\n"))
	f.Add([]byte("[p2p]\nlisten = [1, [2]]\n"))
	f.Add([]byte("\"chain.grpc\" = \"x\"\n"))
	f.Add([]byte("[chain.grpc]\nx = 1\n"))
	f.Add([]byte("[ipfs]\nfetch_timeout = -5\n[energy]\nrenewable_ppm = -1\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		home := t.TempDir()
		if err := os.WriteFile(filepath.Join(home, node.ConfigFile), body, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := node.Load(home, nil)
		if err != nil {
			return
		}
		if verr := c.Validate(); verr != nil {
			t.Fatalf("Load accepted a config that Validate refuses: %v", verr)
		}
		if c.Home != home || c.Keyring.Dir == "" {
			t.Fatalf("home %q keyring dir %q", c.Home, c.Keyring.Dir)
		}
		// What was accepted renders to a file that loads to the same config.
		out, err := node.Render(c)
		if err != nil {
			t.Fatal(err)
		}
		home2 := t.TempDir()
		if err := os.WriteFile(filepath.Join(home2, node.ConfigFile), out, 0o600); err != nil {
			t.Fatal(err)
		}
		c2, err := node.Load(home2, nil)
		if err != nil {
			t.Fatalf("rendered config does not load: %v\n%s", err, out)
		}
		c2.Home = home
		require.Equal(t, c, c2)
	})
}

// spec is a one-example PBE task: f(x) = out on x = in.
func spec(in, out string) []byte {
	return []byte(`(set-logic SLIA)
(synth-fun f ((x String)) String ((Start String (x (str.++ Start Start) " "))))
(constraint (= (f "` + in + `") "` + out + `"))
(check-synth)
`)
}

func TestHeldOutTasks(t *testing.T) {
	held := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(held, "h1.sl"), spec("ab", "ab ab"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(held, "h2.sl"), spec("cd", "cd cd"), 0o644))
	work := []engine.Task{{ID: "w1.sl", Spec: spec("xy", "xy xy")}}
	split := []engine.Task{{ID: "w2.sl", Spec: spec("zz", "zz zz")}}

	got, err := node.HeldOutTasks(held, work, split)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "h1.sl", got[0].ID)

	// A held-out task repeating a work task's example, in the split or
	// not, with other spacing, is refused: the curve would be in-sample.
	for _, w := range [][]engine.Task{
		{{ID: "dup.sl", Spec: spec("cd", "cd cd")}},
		{{ID: "dup.sl", Spec: []byte(strings.ReplaceAll(string(spec("cd", "cd cd")), " (", "   ("))}},
	} {
		_, err = node.HeldOutTasks(held, work, w)
		require.ErrorContains(t, err, "h2.sl and dup.sl")
		require.ErrorContains(t, err, "in-sample")
	}
	// A broken held-out task or an empty directory is a clear error.
	_, err = node.HeldOutTasks(t.TempDir(), work, nil)
	require.ErrorContains(t, err, "round.validation_dir")
	require.NoError(t, os.WriteFile(filepath.Join(held, "broken.sl"), []byte("(synth-fun"), 0o644))
	_, err = node.HeldOutTasks(held, work, nil)
	require.ErrorContains(t, err, "broken.sl")
}
