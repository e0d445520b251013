package round

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/engine"
)

// conditionOnLatest conditions the engine on the field of the last
// finalized round, once. Older fields the node missed while it was down
// are not replayed: the newest field already carries the network's state
// (its EMA), and replaying many would stall the node's own rounds.
func (l *Loop) conditionOnLatest(ctx context.Context, rs chain.RoundStatus) error {
	if rs.Round.Id < 2 {
		return nil
	}
	f := rs.Round.Id - 1
	st := l.journal.Round(f)
	key := fmt.Sprintf("condition/%d", f)
	if st.Conditioned || l.wasTried(key) || l.cfg.Adversary == AdversaryOffline {
		return nil
	}
	field, err := l.client.Field(ctx, f)
	if errors.Is(err, chain.ErrNotFound) {
		return nil // still finalizing
	}
	if err != nil {
		return err
	}
	if l.cfg.Conditioning == ConditionOwn {
		return l.conditionOnOwn(ctx, f, st, len(field.Entries), field.Degenerate)
	}
	params, err := l.client.ArtifactParams(ctx)
	if err != nil {
		return err
	}
	l.refreshPeers(ctx)
	var weighted []engine.WeightedArtifact
	missing := 0
	for _, e := range field.Entries {
		a, err := l.client.Artifact(ctx, e.ArtifactId)
		if err != nil || a.Manifest == nil {
			missing++
			continue
		}
		c, err := cid.Decode(e.Cid)
		if err != nil {
			missing++
			continue
		}
		payload, err := l.fetch(ctx, c, int64(min(params.MaxPayloadSize, a.Manifest.PayloadSize)))
		if err != nil {
			missing++
			continue
		}
		ea, err := chain.EngineArtifact(*a.Manifest, payload)
		if err != nil {
			missing++
			continue
		}
		if err := l.store.Pin(ctx, c, fmt.Sprintf("h3lix/field/r%d/%d", f, e.ArtifactId)); err != nil {
			l.log.Warn("pinning a field artifact", "cid", c, "err", err)
		}
		weighted = append(weighted, engine.WeightedArtifact{Artifact: ea, Weight: engine.PPM(e.WeightPpm)})
	}
	rep, err := l.eng.Condition(ctx, weighted)
	if err != nil {
		return err
	}
	if err := l.conditioned(ctx, f, rep, FieldStatus{Round: f, Entries: len(field.Entries), Accepted: rep.Accepted, Rejected: rep.Rejected, Missing: missing, Degenerate: field.Degenerate, Kept: rep.Kept}); err != nil {
		return err
	}
	l.metrics.FieldAccepted.Add(float64(rep.Accepted))
	l.log.Info("conditioned on the field", "round", f, "entries", len(field.Entries), "accepted", rep.Accepted, "rejected", rep.Rejected, "missing", missing)
	if rep.Rejected > 0 {
		l.log.Info("field artifacts this engine rejected", "reasons", strings.Join(rep.Reasons, "; "))
	}
	if rep.Kept != "" {
		l.log.Info("the engine turned the field down", "round", f, "why", rep.Kept)
	}
	return nil
}

// conditionOnOwn is the isolated control's conditioning: the engine learns
// from the node's own artifacts of round f, weighted equally, and never
// from the field, so it takes part in rounds (publishes, verifies,
// attests) with the same budget but learns only from its own work. It is
// the twin the network experiment compares conditioned workers with, as
// the simulation's isolated nodes are. The artifacts come from the
// node's own files, so a round it committed nothing in teaches nothing.
func (l *Loop) conditionOnOwn(ctx context.Context, f uint64, st RoundState, entries int, degenerate bool) error {
	var own []engine.WeightedArtifact
	for _, rec := range st.Artifacts {
		af, err := l.loadArtifactFile(rec)
		if err != nil {
			l.log.Warn("an own artifact is unreadable; conditioning without it", "round", f, "err", err)
			continue
		}
		own = append(own, engine.WeightedArtifact{Artifact: engine.Artifact{Manifest: af.Manifest, Payload: af.Payload}, Weight: engine.PPM(chain.PPM)})
	}
	rep, err := l.eng.Condition(ctx, own)
	if err != nil {
		return err
	}
	if err := l.conditioned(ctx, f, rep, FieldStatus{Round: f, Entries: entries, Degenerate: degenerate, Own: rep.Accepted, Kept: rep.Kept}); err != nil {
		return err
	}
	l.log.Info("conditioned on its own artifacts (conditioning = own)", "round", f, "artifacts", len(own), "accepted", rep.Accepted, "field_entries_ignored", entries)
	return nil
}

// conditioned records that the engine learned from round f: it saves the
// engine's state, journals the round, shows fs in /status, asks for a
// learning-curve point, and prunes what the round made old.
func (l *Loop) conditioned(ctx context.Context, f uint64, rep engine.ConditionReport, fs FieldStatus) error {
	if err := l.saveEngineState(); err != nil {
		return fmt.Errorf("saving the conditioned engine state: %w", err)
	}
	if err := l.journal.Append(Record{Kind: KindConditioned, Round: f, Count: rep.Accepted}); err != nil {
		return err
	}
	l.mu.Lock()
	l.status.FieldRound = f
	l.status.Field = fs
	l.needMeasure = len(l.cfg.Validation) > 0
	l.mu.Unlock()
	l.updateReputation(ctx)
	l.prunePins(ctx, f)
	l.compactJournal(f)
	return nil
}

// compactJournal drops the journal records and artifact files of rounds
// older than KeepRounds once there are twice as many, so neither grows with
// the node's age.
func (l *Loop) compactJournal(f uint64) {
	if f <= 2*l.cfg.KeepRounds || len(l.journal.Rounds()) <= int(2*l.cfg.KeepRounds) {
		return
	}
	dropped, err := l.journal.Compact(f - l.cfg.KeepRounds)
	if err != nil {
		l.log.Warn("compacting the journal", "err", err)
		return
	}
	for _, file := range dropped {
		_ = os.Remove(filepath.Join(l.cfg.Home, "data", file))
	}
	l.log.Info("compacted the journal", "kept_from_round", f-l.cfg.KeepRounds, "artifact_files_removed", len(dropped))
}

// prunePins drops the pins of own and field artifacts older than
// KeepRounds before round f, then garbage-collects.
func (l *Loop) prunePins(ctx context.Context, f uint64) {
	if f <= l.cfg.KeepRounds {
		return
	}
	oldest := f - l.cfg.KeepRounds
	pins, err := l.store.Pins(ctx)
	if err != nil {
		return
	}
	dropped := 0
	for _, p := range pins {
		if r, ok := pinRound(p.Name); ok && r < oldest {
			if err := l.store.Unpin(ctx, p.CID); err == nil {
				dropped++
			}
		}
	}
	if dropped > 0 {
		n, err := l.store.GC(ctx)
		l.log.Info("pruned old pins", "pins", dropped, "blocks", n, "err", err)
	}
}

// pinRound reads the round out of a pin name "h3lix/<own|field>/r<N>/...".
func pinRound(name string) (uint64, bool) {
	parts := strings.Split(name, "/")
	if len(parts) < 3 || parts[0] != "h3lix" || !strings.HasPrefix(parts[2], "r") {
		return 0, false
	}
	r, err := strconv.ParseUint(parts[2][1:], 10, 64)
	return r, err == nil
}

func (l *Loop) updateReputation(ctx context.Context) {
	rep, err := l.client.Score(ctx, l.signer.Address().String())
	if err != nil {
		return
	}
	l.mu.Lock()
	l.status.Reputation = &ReputationStatus{ScorePPM: rep.ScorePpm, Rounds: rep.Rounds, Accepted: rep.ArtifactsAccepted, Rejected: rep.ArtifactsRejected, JailedUntil: rep.JailedUntilRound}
	l.mu.Unlock()
	l.metrics.Reputation.Set(float64(rep.ScorePpm) / chain.PPM)
}

// measureIfDue solves the validation split at the fixed candidate budget
// after each conditioning: the node's own learning curve. A guided engine
// (llm) is measured without its model: the curve shows what the field
// taught the node's prior, stays comparable between nodes, and does not
// hold the loop for the model's answers while the attest phase runs.
func (l *Loop) measureIfDue(ctx context.Context) {
	l.mu.Lock()
	due := l.needMeasure
	l.needMeasure = false
	round := l.status.FieldRound
	l.mu.Unlock()
	if !due {
		return
	}
	start := time.Now()
	solved := 0
	base := engine.BaseOf(l.eng)
	for _, t := range l.cfg.Validation {
		t.Probe = true // measured, never learned from or judged by
		res, err := base.Solve(ctx, t, engine.Budget{Candidates: l.cfg.ValidationCandidates, Seed: l.cfg.Seed})
		if err == nil && res.Solved {
			solved++
		}
	}
	p := CurvePoint{AfterRound: round, Solved: solved, Total: len(l.cfg.Validation), Candidates: l.cfg.ValidationCandidates}
	l.mu.Lock()
	l.status.LearningCurve = append(l.status.LearningCurve, p)
	if n := len(l.status.LearningCurve); n > 256 {
		l.status.LearningCurve = l.status.LearningCurve[n-256:]
	}
	l.mu.Unlock()
	l.metrics.SolveRate.Set(float64(solved) / float64(max(1, len(l.cfg.Validation))))
	l.log.Info("learning curve", "after_round", round, "solved", solved, "of", len(l.cfg.Validation), "took", time.Since(start).Round(time.Millisecond))
}
