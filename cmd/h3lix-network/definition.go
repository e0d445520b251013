package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// definition is networks/experiment/network.env after the environment's
// overrides: the experiment as data.
type definition struct {
	Validators     int           `json:"validators"`
	BlockTime      time.Duration `json:"block_time"`
	RoundBlocks    string        `json:"round_blocks"`
	MaxCommits     int           `json:"max_commits"`
	ChainID        string        `json:"chain_id"`
	PortOffset     int           `json:"port_offset"`
	Workers        int           `json:"workers"`
	Adversaries    []string      `json:"adversaries"`
	Controls       int           `json:"controls"`
	Mixes          []string      `json:"mixes"`
	Rounds         int           `json:"rounds"`
	TasksPerRound  int           `json:"tasks_per_round"`
	Candidates     int64         `json:"candidates"`
	HeldOutBudget  int64         `json:"heldout_candidates"`
	Tasks          string        `json:"tasks"`
	HeldOut        string        `json:"heldout"`
	CarbonTrace    string        `json:"carbon_trace"`
	Faults         []fault       `json:"faults"`
	Dir            string        `json:"dir"`
	Out            string        `json:"out"`
	roundBlocksSum int
}

// fault is one fault to inject at measured round Round (1-based).
type fault struct {
	Kind  string `json:"kind"`
	Round int    `json:"round"`
}

// Fault kinds.
const (
	faultValidator  = "validator"
	faultWorkerKill = "worker-kill"
	faultWorkerCut  = "worker-cut"
)

// readDefinition reads KEY=VALUE lines; a variable set in the environment
// wins over the file, as for networks/local.
func readDefinition(path string) (definition, error) {
	vals := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return definition{}, fmt.Errorf("experiment definition: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || !strings.HasPrefix(k, "NETWORK_") {
			return definition{}, fmt.Errorf("%s:%d: want NETWORK_KEY=VALUE, got %q", path, n, line)
		}
		vals[k] = v
	}
	if err := sc.Err(); err != nil {
		return definition{}, err
	}
	for k := range vals {
		if v, ok := os.LookupEnv(k); ok {
			vals[k] = v
		}
	}
	return parseDefinition(path, vals)
}

func parseDefinition(path string, vals map[string]string) (definition, error) {
	var d definition
	var errs []string
	str := func(k string) string {
		v, ok := vals[k]
		if !ok {
			errs = append(errs, k+" is missing")
		}
		return strings.TrimSpace(v)
	}
	num := func(k string, min int) int {
		s := str(k)
		n, err := strconv.Atoi(s)
		if err != nil || n < min {
			errs = append(errs, fmt.Sprintf("%s=%q: want a whole number >= %d", k, s, min))
		}
		return n
	}
	list := func(k string) []string {
		var out []string
		for _, s := range strings.Split(str(k), ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	d.Validators = num("NETWORK_VALIDATORS", 1)
	bt, err := time.ParseDuration(str("NETWORK_BLOCK_TIME"))
	if err != nil || bt <= 0 {
		errs = append(errs, fmt.Sprintf("NETWORK_BLOCK_TIME=%q: want a duration such as 1s", vals["NETWORK_BLOCK_TIME"]))
	}
	d.BlockTime = bt
	d.RoundBlocks = str("NETWORK_ROUND_BLOCKS")
	parts := strings.Split(d.RoundBlocks, ",")
	if len(parts) < 3 || len(parts) > 4 {
		errs = append(errs, fmt.Sprintf("NETWORK_ROUND_BLOCKS=%q: want commit,reveal,attest[,disclose] in blocks", d.RoundBlocks))
	}
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			errs = append(errs, fmt.Sprintf("NETWORK_ROUND_BLOCKS=%q: phase %d is not a positive number of blocks", d.RoundBlocks, i+1))
		}
		d.roundBlocksSum += n
	}
	if len(parts) == 3 && len(errs) == 0 {
		d.roundBlocksSum += mustAtoi(parts[1]) // disclose lasts as long as reveal
	}
	d.MaxCommits = num("NETWORK_MAX_COMMITS", 1)
	d.ChainID = str("NETWORK_CHAIN_ID")
	d.PortOffset = num("NETWORK_PORT_OFFSET", 0)
	d.Workers = num("NETWORK_WORKERS", 2)
	d.Adversaries = list("NETWORK_ADVERSARIES")
	for _, a := range d.Adversaries {
		if a != "poison" && a != "lazy" && a != "offline-after-commit" {
			errs = append(errs, fmt.Sprintf("NETWORK_ADVERSARIES: %q is not a behaviour (poison, lazy, offline-after-commit)", a))
		}
	}
	d.Controls = num("NETWORK_CONTROLS", 1)
	if d.Workers-len(d.Adversaries)-d.Controls < 1 {
		errs = append(errs, fmt.Sprintf("NETWORK_WORKERS=%d leaves no conditioned worker beside %d adversaries and %d controls", d.Workers, len(d.Adversaries), d.Controls))
	}
	d.Mixes = list("NETWORK_MIXES")
	for _, m := range d.Mixes {
		if m != "with" && m != "without" {
			errs = append(errs, fmt.Sprintf("NETWORK_MIXES: %q: use with, without or both", m))
		}
	}
	if len(d.Mixes) == 0 {
		errs = append(errs, "NETWORK_MIXES is empty: use with, without or both")
	}
	d.Rounds = num("NETWORK_ROUNDS", 1)
	d.TasksPerRound = num("NETWORK_TASKS_PER_ROUND", 1)
	d.Candidates = int64(num("NETWORK_CANDIDATES", 1))
	d.HeldOutBudget = int64(num("NETWORK_HELDOUT_CANDIDATES", 1))
	d.Tasks, d.HeldOut = str("NETWORK_TASKS"), str("NETWORK_HELDOUT")
	d.CarbonTrace = str("NETWORK_CARBON_TRACE")
	for _, s := range list("NETWORK_FAULTS") {
		kind, at, ok := strings.Cut(s, "@")
		r, err := strconv.Atoi(at)
		switch {
		case !ok || err != nil || r < 1:
			errs = append(errs, fmt.Sprintf("NETWORK_FAULTS: %q: want KIND@ROUND with a round from 1", s))
		case kind != faultValidator && kind != faultWorkerKill && kind != faultWorkerCut:
			errs = append(errs, fmt.Sprintf("NETWORK_FAULTS: %q: kinds are validator, worker-kill and worker-cut", s))
		case r >= d.Rounds:
			errs = append(errs, fmt.Sprintf("NETWORK_FAULTS: %q: round %d leaves no measured round after it (NETWORK_ROUNDS=%d)", s, r, d.Rounds))
		case kind == faultValidator && d.Validators < 4:
			errs = append(errs, fmt.Sprintf("NETWORK_FAULTS: %q: stopping a validator needs 4 or more (with fewer the chain halts)", s))
		default:
			d.Faults = append(d.Faults, fault{Kind: kind, Round: r})
		}
	}
	d.Dir, d.Out = str("NETWORK_DIR"), str("NETWORK_OUT")
	if len(errs) > 0 {
		return d, fmt.Errorf("%s:\n  %s", path, strings.Join(errs, "\n  "))
	}
	return d, nil
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// Port bases, as in networks/local.
const (
	rpcBase       = 26657
	restBase      = 1317
	grpcBase      = 9090
	workerP2PBase = 4001
	workerAPIBase = 8480
)
