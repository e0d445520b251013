package round

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/energy"
	"github.com/h3lix/h3lix/worker/engine"
)

// artifactFile is what the journal's artifact records point at: the
// artifact as the engine made it plus what producing it cost, enough to
// reveal it after a restart even if the IPFS repository was lost.
type artifactFile struct {
	Round    uint64          `json:"round"`
	Index    int             `json:"index"`
	CID      string          `json:"cid"`
	Manifest engine.Manifest `json:"manifest"`
	Payload  []byte          `json:"payload"`
	Joules   uint64          `json:"joules"`
	MgCO2e   uint64          `json:"mg_co2e"`
	Renew    uint32          `json:"renewable_ppm"`
	Method   string          `json:"energy_method"`
	TaskIDs  []string        `json:"task_ids,omitempty"`
}

// minSolve is the least solve time worth starting a commit for.
const minSolve = 500 * time.Millisecond

func (l *Loop) commit(ctx context.Context, rs chain.RoundStatus) error {
	r := rs.Round.Id
	st := l.journal.Round(r)
	if st.Skipped != "" || len(st.IDs) > 0 || l.wasTried(fmt.Sprintf("commit/%d", r)) {
		return nil
	}
	if len(st.Artifacts) == 0 {
		if len(l.cfg.Tasks) == 0 && l.cfg.Source == nil {
			l.markTried(fmt.Sprintf("commit/%d", r), "no tasks")
			return nil
		}
		left := blocksLeft(rs)
		budget := min(l.cfg.SolveBudget, time.Duration(left-3)*l.blockTime(rs.Height))
		if budget < minSolve {
			l.markTried(fmt.Sprintf("commit/%d", r), "joined too late in the commit phase")
			l.log.Info("too late in the commit phase to solve; waiting for the next round", "round", r, "blocks_left", left)
			return nil
		}
		intensity, work := l.schedule(ctx)
		if !work {
			l.markTried(fmt.Sprintf("commit/%d", r), "the scheduler deferred the heavy work")
			return nil
		}
		n, err := l.prepare(ctx, r, budget, intensity)
		if err != nil {
			return err
		}
		if n == 0 {
			l.markTried(fmt.Sprintf("commit/%d", r), "nothing solved")
			return nil
		}
		st = l.journal.Round(r)
	}
	return l.sendCommit(ctx, rs, st)
}

// prepare solves this round's tasks, distils artifacts, stores their
// payloads in IPFS and journals them with fresh salts. It returns how many
// artifacts were prepared.
// intensity, when positive, is the grid's gCO2e/kWh now (else the
// meter's static value).
func (l *Loop) prepare(ctx context.Context, r uint64, budget time.Duration, intensity float64) (int, error) {
	tasks, err := l.nextTasks()
	if err != nil {
		return 0, err
	}
	meter := l.cfg.Energy
	if intensity > 0 {
		meter.GridGramsPerKWh = intensity
	}
	span := meter.Start()
	solveCtx, cancel := context.WithTimeout(ctx, budget)
	var solved []engine.Result
	per := budget / time.Duration(len(tasks))
	for _, t := range tasks {
		res, err := l.eng.Solve(solveCtx, t, engine.Budget{Candidates: l.cfg.Candidates, Wall: per, Seed: l.cfg.Seed})
		if err != nil {
			l.log.Warn("task could not be read", "task", t.ID, "err", err)
			continue
		}
		l.metrics.TasksSolved.WithLabelValues(fmt.Sprint(res.Solved)).Inc()
		if res.Solved {
			solved = append(solved, res)
		}
	}
	cancel()
	arts, err := l.eng.Distill(ctx, solved)
	if err != nil {
		return 0, fmt.Errorf("distil: %w", err)
	}
	reading := span.Stop()
	l.addEnergy(reading, len(solved))
	// The search's program banks are garbage now; hand the memory back to
	// the owner's machine instead of holding it until the next round.
	debug.FreeOSMemory()
	l.log.Info("solved", "round", r, "tasks", len(tasks), "solved", len(solved), "artifacts", len(arts), "cpu", reading.CPU.Round(time.Millisecond))
	maxN := l.cfg.MaxArtifacts
	if p, err := l.client.ArtifactParams(ctx); err == nil {
		maxN = min(maxN, int(p.MaxCommitsPerNode))
	}
	if len(arts) > maxN {
		arts = arts[:maxN]
	}
	if l.cfg.Adversary == AdversaryPoison && l.cfg.Poison != nil {
		for i := range arts {
			arts[i] = l.cfg.Poison(arts[i], int(r)+i)
		}
	}
	parts := reading.Split(len(arts))
	i := 0
	for k, a := range arts {
		start := time.Now()
		c, err := l.store.Add(ctx, bytes.NewReader(a.Payload), fmt.Sprintf("h3lix/own/r%d/%d", r, i))
		if err != nil {
			return i, fmt.Errorf("storing the payload in IPFS: %w", err)
		}
		took := time.Since(start)
		// A task solved again (task files cycle) gives the same artifact:
		// publishing it twice would teach nobody anything new, and the chain
		// refuses to reveal a CID of an earlier round. The journal knows
		// this node's recent rounds; the chain knows the rest (and other
		// nodes' identical artifacts).
		if l.journal.HasCID(c.String()) {
			l.log.Debug("artifact already published; not committing it again", "cid", c)
			continue
		}
		if seen, err := l.client.RevealedBefore(ctx, c.String(), r); err != nil {
			return i, err
		} else if seen {
			l.log.Debug("artifact revealed in an earlier round; not committing it again", "cid", c)
			continue
		}
		l.metrics.StoreAdd.Observe(took.Seconds())
		l.mu.Lock()
		o := l.overhead(r)
		o.PutMs += float64(took.Microseconds()) / 1000
		o.Artifacts++
		l.mu.Unlock()
		salt := make([]byte, 32)
		if _, err := rand.Read(salt); err != nil {
			return i, err
		}
		name := fmt.Sprintf("r%d-%d.json", r, i)
		body, err := json.Marshal(artifactFile{Round: r, Index: i, CID: c.String(), Manifest: a.Manifest, Payload: a.Payload,
			Joules: parts[k].Joules, MgCO2e: parts[k].MgCO2e, Renew: parts[k].Renew, Method: parts[k].Method})
		if err != nil {
			return i, err
		}
		if err := writeFileSync(filepath.Join(l.artifactsDir, name), body); err != nil {
			return i, fmt.Errorf("writing the artifact file: %w", err)
		}
		// The salt is on disk before any commitment that needs it exists.
		if err := l.journal.Append(Record{Kind: KindArtifact, Round: r, Index: i, CID: c.String(), Salt: hex.EncodeToString(salt), File: filepath.Join("artifacts", name)}); err != nil {
			return i, fmt.Errorf("journal: %w", err)
		}
		i++
	}
	return i, nil
}

// nextTasks takes the next TasksPerRound tasks of the stream, or of the
// task files, cycling through them.
func (l *Loop) nextTasks() ([]engine.Task, error) {
	if l.cfg.Source != nil {
		out, err := l.cfg.Source.Tasks(l.nextTask, l.cfg.TasksPerRound)
		l.nextTask += l.cfg.TasksPerRound
		return out, err
	}
	n := min(l.cfg.TasksPerRound, len(l.cfg.Tasks))
	out := make([]engine.Task, n)
	for i := range out {
		out[i] = l.cfg.Tasks[(l.nextTask+i)%len(l.cfg.Tasks)]
	}
	l.nextTask += n
	return out, nil
}

// sendCommit commits the journaled artifacts of the round, unless the chain
// already holds their commitments (a crash after the broadcast): a
// commitment is never sent twice.
func (l *Loop) sendCommit(ctx context.Context, rs chain.RoundStatus, st RoundState) error {
	r := rs.Round.Id
	me := l.signer.Address()
	commitments := make([][]byte, len(st.Artifacts))
	for i, a := range st.Artifacts {
		c, err := cid.Decode(a.CID)
		if err != nil {
			return fmt.Errorf("journal cid %q: %w", a.CID, err)
		}
		salt, err := hex.DecodeString(a.Salt)
		if err != nil {
			return fmt.Errorf("journal salt: %w", err)
		}
		commitments[i] = chain.Commitment(c, salt, me)
	}
	onChain, err := l.client.ArtifactsOf(ctx, me.String(), r)
	if err != nil {
		return err
	}
	ids := make([]uint64, len(commitments))
	var missing [][]byte
	var missingIdx []int
	for i, cm := range commitments {
		for _, a := range onChain {
			if bytes.Equal(a.Commitment, cm) {
				ids[i] = a.Id
			}
		}
		if ids[i] == 0 {
			missing, missingIdx = append(missing, cm), append(missingIdx, i)
		}
	}
	var txHash string
	if len(missing) > 0 {
		if blocksLeft(rs) < 1 {
			l.markTried(fmt.Sprintf("commit/%d", r), "commit phase ended before the commit was sent")
			return l.journal.Append(Record{Kind: KindSkipped, Round: r, Note: "the commit phase ended before the commit was sent"})
		}
		start := time.Now()
		tctx, tcancel := l.txContext(ctx, rs)
		got, res, err := l.signer.CommitArtifacts(tctx, r, missing)
		tcancel()
		if err != nil {
			if why, ok := l.refused(fmt.Sprintf("commit/%d", r), err); ok {
				_ = l.journal.Append(Record{Kind: KindSkipped, Round: r, Note: "commit refused: " + why})
			}
			return err
		}
		l.observeTx("commit", r, start, res)
		for k, i := range missingIdx {
			ids[i] = got[k]
		}
		txHash = res.TxHash
	}
	if err := l.journal.Append(Record{Kind: KindCommitted, Round: r, IDs: ids, TxHash: txHash}); err != nil {
		return err
	}
	l.metrics.ArtifactsCommitted.Add(float64(len(ids)))
	l.mu.Lock()
	l.status.LastCommit = CommitStatus{Round: r, ArtifactIDs: ids, TxHash: txHash}
	for _, a := range st.Artifacts {
		l.status.LastCommit.CIDs = append(l.status.LastCommit.CIDs, a.CID)
	}
	l.status.Committed += uint64(len(ids))
	l.mu.Unlock()
	l.log.Info("committed", "round", r, "artifacts", ids, "tx", txHash)
	if l.cfg.Adversary == AdversaryOffline {
		l.log.Warn("adversary: going offline after the commit", "round", r)
	}
	return nil
}

func (l *Loop) loadArtifactFile(rec Record) (artifactFile, error) {
	var f artifactFile
	b, err := os.ReadFile(filepath.Join(l.cfg.Home, "data", rec.File))
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("artifact file %s: %w", rec.File, err)
	}
	if f.CID != rec.CID {
		return f, fmt.Errorf("artifact file %s holds cid %s, the journal says %s", rec.File, f.CID, rec.CID)
	}
	return f, nil
}

func (l *Loop) addEnergy(r energy.Reading, solved int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := &l.status.Energy
	e.Joules += r.Joules
	e.MgCO2e += r.MgCO2e
	e.CPUSeconds += r.CPU.Seconds()
	e.SolvedTasks += uint64(solved)
	if e.SolvedTasks > 0 {
		e.JoulesPerSolvedTask = float64(e.Joules) / float64(e.SolvedTasks)
	}
	l.metrics.Joules.Add(float64(r.Joules))
}

// schedule asks the scheduler whether to do the heavy work now, records
// its decision in the status and metrics, and returns the grid's intensity
// for the work's CO2e. Without a scheduler it always works.
func (l *Loop) schedule(ctx context.Context) (float64, bool) {
	s := l.cfg.Scheduler
	if s == nil {
		return 0, true
	}
	d, err := s.Decide(ctx)
	if err != nil {
		// The decision stands; only its record on disk failed.
		l.log.Warn("scheduler state not saved", "err", err)
	}
	l.mu.Lock()
	prev := l.status.Scheduler
	l.status.Scheduler = &d
	l.mu.Unlock()
	m := l.metrics
	m.SchedulerWork.Set(b2f(d.Work))
	m.SchedulerIntensity.Set(d.IntensityGPerKWh)
	m.SchedulerQuotaLeft.Set(float64(d.QuotaLeft))
	if d.ThresholdGPerKWh != nil {
		m.SchedulerThreshold.Set(*d.ThresholdGPerKWh)
	}
	if prev == nil || !prev.Slot.Equal(d.Slot) {
		decision := "wait"
		if d.Work {
			decision = "work"
		}
		m.SchedulerDecisions.WithLabelValues(decision).Inc()
		l.log.Info("scheduler", "work", d.Work, "reason", d.Reason, "intensity_g_per_kwh", d.IntensityGPerKWh,
			"source", d.IntensitySource, "quota_left", d.QuotaLeft, "slots_left", d.SlotsLeft)
	}
	return d.IntensityGPerKWh, d.Work
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
