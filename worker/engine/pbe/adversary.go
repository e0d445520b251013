package pbe

import (
	"encoding/json"

	"github.com/h3lix/h3lix/worker/engine"
)

// Poison turns an honest artifact into an attack, for the collective
// simulation (worker/sim) and adversarial tests: the defences are only
// measured if someone attacks them with artifacts this engine would
// plausibly produce. Even k pushes a prior delta towards rarely useful
// operators; odd k swaps in a junk program that keeps the honest check
// vectors. The manifest is recomputed, so only content checks (Verify) can
// catch it. An artifact that does not decode is returned unchanged.
func Poison(a engine.Artifact, k int) engine.Artifact {
	var p Payload
	if err := json.Unmarshal(a.Payload, &p); err != nil {
		return a
	}
	if k%2 == 0 {
		// As if thousands of tasks had used operators that rarely help.
		for _, op := range []string{"str.to_int", "str.from_int", "-", "str.at"} {
			p.PriorDelta.Ops[op] += 5000 * milli
		}
	} else {
		// The delta is the one the junk program implies, so the payload is
		// self-consistent and only re-running the checks shows the lie.
		junk := map[string]string{"String": `""`, "Int": "0", "Bool": "false"}[p.Ret]
		t, err := ParseCanonical(junk, p.Params, p.Ret)
		if err != nil {
			return a
		}
		p.Program, p.Holes = Canonical(t), nil
		p.PriorDelta = deltaOf(t, len(p.Params))
		for i := range p.Checks {
			p.Checks[i].Fill = nil
		}
	}
	out, err := artifactOf(&p, engine.MaxPPM)
	if err != nil {
		return a
	}
	return out
}

// ConditionUnverified merges a field like Condition but without verifying
// it: the baseline that shows what verification buys. Payloads that do not
// decode are skipped.
func (e *Engine) ConditionUnverified(field []engine.WeightedArtifact) error {
	ws := []Weighted{{e.Prior(), 1_000_000}}
	n := int64(len(field))
	var total int64
	for _, w := range field {
		total += int64(w.Weight)
	}
	for _, w := range field {
		var p Payload
		if json.Unmarshal(w.Artifact.Payload, &p) != nil || total == 0 {
			continue
		}
		// The same weighting as Condition: N artifacts count as N tasks.
		weight := max(1, min(1_000_000, int64(w.Weight)*n*1_000_000/total))
		ws = append(ws, Weighted{p.Prior(), weight})
	}
	m, err := Merge(ws)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.prior = m
	e.mu.Unlock()
	return nil
}
