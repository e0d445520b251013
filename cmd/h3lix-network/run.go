package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"syscall"
	"time"
)

// mixReport is what one mix of the experiment measured.
type mixReport struct {
	Mix        string     `json:"mix"`
	Workers    []*worker  `json:"workers"`
	FirstRound uint64     `json:"first_round"`
	LastRound  uint64     `json:"last_round"`
	HeldOut    int        `json:"held_out"`
	Rounds     []roundRow `json:"rounds"`
	// Baseline holds the rates before the first measured round (K 0).
	Baseline roundRow `json:"baseline"`
	// Curves: per worker, held-out tasks solved after each chain round
	// (key 0: before any field).
	Curves map[string]map[uint64]int `json:"curves"`
	// Energy sums, per role, the energy records of the revealed artifacts
	// (self-reported, as on chain): what each group's work cost per
	// artifact it published.
	Energy map[string]groupEnergy `json:"energy"`
	Faults []faultEvent           `json:"faults"`
	// Crashed lists the workers that exited without being told to.
	Crashed []string `json:"crashed,omitempty"`
	Checks  []check  `json:"checks"`
	Seconds float64  `json:"seconds"`
}

// roundRow is one measured round.
type roundRow struct {
	K     int    `json:"k"` // 1 = the first measured round
	Round uint64 `json:"round"`
	// Mean held-out solve rate (%) after conditioning on this round, over
	// the conditioned and the control workers measured.
	Conditioned  float64 `json:"conditioned_pct"`
	Control      float64 `json:"control_pct"`
	Gain         float64 `json:"gain_points"`
	Measured     [2]int  `json:"measured"` // conditioned, control workers with a point
	FieldEntries int     `json:"field_entries"`
	Committed    uint64  `json:"committed"`
	Revealed     uint64  `json:"revealed"`
	Unrevealed   uint64  `json:"unrevealed"`
	Accepted     uint64  `json:"accepted"`
	Rejected     uint64  `json:"rejected"`
	Outliers     uint64  `json:"outliers"`
	// Poisoned artifacts revealed by the poisoning adversary, and how many
	// of them entered the field.
	Poisoned        int               `json:"poisoned"`
	PoisonedInField int               `json:"poisoned_in_field"`
	Reputation      map[string]uint32 `json:"reputation_ppm"`
	Joules          uint64            `json:"joules"`
	MgCO2e          uint64            `json:"mg_co2e"`
	UgCO2ePerValid  uint64            `json:"ug_co2e_per_valid_artifact"`
	StartHeight     int64             `json:"start_height"`
	FinalizedHeight int64             `json:"finalized_height"`
	BlockMean       float64           `json:"block_time_mean_s"`
	BlockMax        float64           `json:"block_time_max_s"`
	artifacts       []chainArtifact
}

// groupEnergy is what a group's revealed artifacts report.
type groupEnergy struct {
	Artifacts int    `json:"artifacts"`
	Joules    uint64 `json:"joules"`
	MgCO2e    uint64 `json:"mg_co2e"`
	Method    string `json:"method"`
}

// energyByRole sums the revealed artifacts' energy records per role.
func (n *network) energyByRole(rep *mixReport) {
	role := map[string]string{}
	for _, w := range n.workers {
		role[w.Address] = w.Role
	}
	rep.Energy = map[string]groupEnergy{}
	for _, r := range rep.Rounds {
		for _, a := range r.artifacts {
			if a.Manifest == nil || a.Status == "ARTIFACT_STATUS_COMMITTED" || role[a.Producer] == "" {
				continue
			}
			g := rep.Energy[role[a.Producer]]
			g.Artifacts++
			g.Joules += uint64(a.Manifest.Energy.Joules)
			g.MgCO2e += uint64(a.Manifest.Energy.MgCO2e)
			g.Method = a.Manifest.Energy.Method
			rep.Energy[role[a.Producer]] = g
		}
	}
}

// faultEvent is an injected fault and what became of it.
type faultEvent struct {
	Kind   string `json:"kind"`
	K      int    `json:"k"`
	Round  uint64 `json:"round"`
	Target string `json:"target"`
	Detail string `json:"detail"`
	OK     bool   `json:"survived"`
	start  time.Time
	height int64
	ids    []uint64
	done   bool
	lost   int // commitments of the cut worker its cut kept from being revealed
}

// cutOf returns the cut fault that isolated the named worker in round r.
func cutOf(rep *mixReport, name string, r uint64) *faultEvent {
	for i := range rep.Faults {
		if f := &rep.Faults[i]; f.Kind == faultWorkerCut && f.Target == name && f.Round == r {
			return f
		}
	}
	return nil
}

// check is one property the run must have.
type check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

func (m *mixReport) check(name string, ok bool, format string, args ...any) {
	m.Checks = append(m.Checks, check{Name: name, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

func (n *network) byRole(role string) []*worker {
	var out []*worker
	for _, w := range n.workers {
		if w.Role == role {
			out = append(out, w)
		}
	}
	return out
}

// run drives the measured rounds: it injects the faults, follows the
// workers' learning curves and reads each finalized round from the chain.
func (n *network) run(ctx context.Context) (*mixReport, error) {
	start := time.Now()
	rep := &mixReport{Mix: n.mix, Workers: n.workers, Curves: map[string]map[uint64]int{}}
	for _, w := range n.workers {
		rep.Curves[w.Name] = map[uint64]int{}
	}
	cr, err := n.currentRound(ctx)
	if err != nil {
		return rep, err
	}
	// The first measured round is the first one every worker is up for.
	r0 := uint64(cr.Round.ID) + 1
	last := r0 + uint64(n.def.Rounds) - 1
	rep.FirstRound, rep.LastRound = r0, last
	roundSecs := float64(n.def.roundBlocksSum) * n.def.BlockTime.Seconds()
	deadline := time.Now().Add(time.Duration((float64(n.def.Rounds+2)*roundSecs*3 + 300) * float64(time.Second)))
	n.logf("measuring rounds %d..%d (about %.0f s each)", r0, last, roundSecs)
	faults := make([]*faultEvent, 0, len(n.def.Faults))
	for _, f := range n.def.Faults {
		faults = append(faults, &faultEvent{Kind: f.Kind, K: f.Round, Round: r0 + uint64(f.Round) - 1})
	}
	rows := map[uint64]*roundRow{}
	lastK := -1
	for {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		if time.Now().After(deadline) {
			return rep, fmt.Errorf("the measured rounds did not finish by the deadline; round %d of %d..%d", cr.Round.ID, r0, last)
		}
		if c, err := n.currentRound(ctx); err == nil {
			cr = c
		}
		cur := uint64(cr.Round.ID)
		if k := int(cur) - int(r0) + 1; k != lastK && k >= 1 && cur <= last {
			n.logf("round %d (%d of %d) started at height %d", cur, k, n.def.Rounds, cr.Height)
			lastK = k
		}
		for _, w := range n.workers {
			if w.cmd == nil {
				continue
			}
			select {
			case <-w.exited: // not stopped by a fault: it crashed
				n.logf("%s exited on its own; see %s", w.Name, filepath.Join(w.home, "worker.log"))
				rep.Crashed = append(rep.Crashed, w.Name)
				w.cmd = nil
			default:
			}
		}
		statuses := map[string]workerStatus{}
		for _, w := range n.workers {
			st, err := n.status(ctx, w)
			if err != nil {
				continue
			}
			statuses[w.Name] = st
			for _, p := range st.LearningCurve {
				rep.Curves[w.Name][p.AfterRound] = p.Solved
				rep.HeldOut = p.Total
			}
		}
		for _, f := range faults {
			n.stepFault(ctx, f, cur, statuses)
		}
		for r := r0; r <= last; r++ {
			if rows[r] != nil {
				continue
			}
			round, field, ok, err := n.finalizedRound(ctx, r)
			if err != nil || !ok {
				break
			}
			row, err := n.collectRound(ctx, r, int(r-r0)+1, round, field)
			if err != nil {
				n.logf("reading round %d: %v (retrying)", r, err)
				break
			}
			rows[r] = row
			n.logf("round %d finalized at height %d: field %d entries, %d accepted, %d rejected", r, row.FinalizedHeight, row.FieldEntries, row.Accepted, row.Rejected)
		}
		if rows[last] != nil && n.curvesDone(rep, last) {
			break
		}
		time.Sleep(time.Second)
	}
	for _, f := range faults {
		n.endFault(ctx, f)
		rep.Faults = append(rep.Faults, *f)
	}
	for r := r0; r <= last; r++ {
		rep.Rounds = append(rep.Rounds, *rows[r])
	}
	n.fillRates(rep)
	n.energyByRole(rep)
	if err := n.fillBlockTimes(ctx, rep); err != nil {
		n.logf("block times: %v", err)
	}
	n.checkRun(rep)
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// curvesDone: every honest worker that is up has measured after round r
// (a worker that is down or cut is not waited for).
func (n *network) curvesDone(rep *mixReport, r uint64) bool {
	for _, w := range n.workers {
		if w.Role == roleAdversary || w.cmd == nil {
			continue
		}
		if _, ok := rep.Curves[w.Name][r]; !ok {
			return false
		}
	}
	return true
}

func (n *network) collectRound(ctx context.Context, r uint64, k int, round chainRound, field chainField) (*roundRow, error) {
	row := &roundRow{K: k, Round: r, FieldEntries: len(field.Entries),
		Committed: uint64(round.Counts.Committed), Revealed: uint64(round.Counts.Revealed), Unrevealed: uint64(round.Counts.Unrevealed),
		Accepted: uint64(round.Counts.Accepted), Rejected: uint64(round.Counts.Rejected), Outliers: uint64(round.Counts.Outliers),
		Joules: uint64(field.Energy.Joules), MgCO2e: uint64(field.Energy.MgCO2e), UgCO2ePerValid: uint64(field.Energy.UgCO2ePerValid),
		StartHeight: int64(round.StartHeight), FinalizedHeight: int64(field.FinalizedHeight)}
	arts, err := n.roundArtifacts(ctx, r)
	if err != nil {
		return nil, err
	}
	row.artifacts = arts
	poisoner := map[string]bool{}
	for _, w := range n.workers {
		if w.Behaviour == "poison" {
			poisoner[w.Address] = true
		}
	}
	for _, a := range arts {
		if poisoner[a.Producer] && a.Status != "ARTIFACT_STATUS_COMMITTED" {
			row.Poisoned++
		}
	}
	for _, e := range field.Entries {
		if poisoner[e.Producer] {
			row.PoisonedInField++
		}
	}
	if row.Reputation, err = n.scores(ctx); err != nil {
		return nil, err
	}
	return row, nil
}

// fillRates turns the curves into each round's mean rates.
func (n *network) fillRates(rep *mixReport) {
	if rep.HeldOut == 0 {
		return
	}
	mean := func(ws []*worker, r uint64) (float64, int) {
		sum, k := 0, 0
		for _, w := range ws {
			if s, ok := rep.Curves[w.Name][r]; ok {
				sum += s
				k++
			}
		}
		if k == 0 {
			return 0, 0
		}
		return 100 * float64(sum) / float64(k*rep.HeldOut), k
	}
	cond, ctrl := n.byRole(roleConditioned), n.byRole(roleControl)
	b := &rep.Baseline
	b.Round = rep.FirstRound - 1
	b.Conditioned, b.Measured[0] = mean(cond, b.Round)
	b.Control, b.Measured[1] = mean(ctrl, b.Round)
	b.Gain = b.Conditioned - b.Control
	for i := range rep.Rounds {
		r := &rep.Rounds[i]
		r.Conditioned, r.Measured[0] = mean(cond, r.Round)
		r.Control, r.Measured[1] = mean(ctrl, r.Round)
		r.Gain = r.Conditioned - r.Control
	}
}

func (n *network) fillBlockTimes(ctx context.Context, rep *mixReport) error {
	if len(rep.Rounds) == 0 {
		return nil
	}
	from, to := rep.Rounds[0].StartHeight, rep.Rounds[len(rep.Rounds)-1].FinalizedHeight
	if from <= 0 || to <= from {
		return fmt.Errorf("no height range")
	}
	times, err := n.blockTimes(ctx, from, to)
	if err != nil {
		return err
	}
	for i := range rep.Rounds {
		r := &rep.Rounds[i]
		var sum, worst float64
		k := 0
		for h := r.StartHeight + 1; h <= r.FinalizedHeight; h++ {
			a, okA := times[h-1]
			b, okB := times[h]
			if !okA || !okB {
				continue
			}
			d := b.Sub(a).Seconds()
			sum += d
			worst = max(worst, d)
			k++
		}
		if k > 0 {
			r.BlockMean, r.BlockMax = sum/float64(k), worst
		}
	}
	return nil
}

// stepFault advances one fault's state machine.
func (n *network) stepFault(ctx context.Context, f *faultEvent, cur uint64, statuses map[string]workerStatus) {
	if f.done || cur < f.Round {
		return
	}
	switch f.Kind {
	case faultValidator:
		v := n.def.Validators - 1
		if f.start.IsZero() {
			f.Target = fmt.Sprintf("validator %d", v)
			f.height = n.height(ctx, 0)
			if _, err := n.localnet("stop-node", fmt.Sprint(v)); err != nil {
				f.Detail, f.done = err.Error(), true
				return
			}
			f.start = time.Now()
			n.logf("fault: stopped validator %d at height %d for round %d", v, f.height, f.Round)
			return
		}
		if cur > f.Round {
			n.endFault(ctx, f)
		}
	case faultWorkerCut:
		if f.start.IsZero() {
			ws := n.byRole(roleConditioned)
			w := ws[len(ws)-1]
			f.Target = w.Name
			for _, p := range w.proxies {
				p.SetCut(true)
			}
			f.start = time.Now()
			n.logf("fault: cut %s off the network for round %d", w.Name, f.Round)
			return
		}
		if cur > f.Round {
			n.endFault(ctx, f)
		}
	case faultWorkerKill:
		// The first honest worker caught between its commit and its reveal
		// in this round or a later one.
		for _, w := range append(n.byRole(roleConditioned), n.byRole(roleControl)...) {
			st, ok := statuses[w.Name]
			if !ok || w.cmd == nil || st.LastCommit.Round != cur || len(st.LastCommit.ArtifactIDs) == 0 || st.LastReveal.Round == cur {
				continue
			}
			f.Round, f.K = cur, f.K+int(cur-f.Round)
			f.Target, f.ids = w.Name, st.LastCommit.ArtifactIDs
			n.stopWorker(w, syscall.SIGKILL)
			n.logf("fault: SIGKILLed %s after it committed artifacts %v in round %d, before its reveal", w.Name, f.ids, cur)
			time.Sleep(2 * time.Second)
			if err := n.startWorker(w); err != nil {
				f.Detail, f.done = "restart: "+err.Error(), true
				return
			}
			f.done = true
			f.Detail = fmt.Sprintf("killed with %d artifact(s) committed and not revealed; restarted 2 s later", len(f.ids))
			return
		}
	}
}

// endFault restores what a fault took away, once.
func (n *network) endFault(ctx context.Context, f *faultEvent) {
	if f.done || f.start.IsZero() {
		return
	}
	f.done = true
	switch f.Kind {
	case faultValidator:
		v := n.def.Validators - 1
		during := n.height(ctx, 0) - f.height
		if _, err := n.localnet("start-node", fmt.Sprint(v)); err != nil {
			f.Detail = "restart: " + err.Error()
			return
		}
		caught := false
		for range 120 {
			if h := n.height(ctx, v); h > 0 && h >= n.height(ctx, 0)-2 {
				caught = true
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
		f.OK = during >= 5 && caught
		f.Detail = fmt.Sprintf("down %.0f s; the other validators made %d blocks meanwhile; restarted, caught up: %v", time.Since(f.start).Seconds(), during, caught)
		n.logf("fault: restarted validator %d (%s)", v, f.Detail)
	case faultWorkerCut:
		for _, w := range n.workers {
			if w.Name == f.Target {
				for _, p := range w.proxies {
					p.SetCut(false)
				}
			}
		}
		f.Detail = fmt.Sprintf("cut for %.0f s", time.Since(f.start).Seconds())
		n.logf("fault: restored %s's network", f.Target)
	}
}

// checkRun checks what must hold after the faults: every round finalized
// on time, nothing an honest worker committed was lost, no poisoned
// artifact entered a field, and the faulted workers came back.
func (n *network) checkRun(rep *mixReport) {
	honest := map[string]string{}
	for _, w := range n.workers {
		if w.Role != roleAdversary {
			honest[w.Address] = w.Name
		}
	}
	scheduled := n.def.roundBlocksSum
	var late []string
	lost := 0
	poisoned := 0
	for _, r := range rep.Rounds {
		// The round finalizes in the block after its last phase; allow two.
		if r.FinalizedHeight-r.StartHeight > int64(scheduled)+2 {
			late = append(late, fmt.Sprintf("round %d took %d blocks", r.Round, r.FinalizedHeight-r.StartHeight))
		}
		for _, a := range r.artifacts {
			if honest[a.Producer] == "" || a.Status != "ARTIFACT_STATUS_COMMITTED" {
				continue
			}
			// A commit that landed just before the cut cannot be revealed:
			// the whole reveal phase falls inside it. The protocol's reveal
			// deadline forfeits it, and the cut fault reports it.
			if cut := cutOf(rep, honest[a.Producer], r.Round); cut != nil {
				cut.lost++
				continue
			}
			lost++
		}
		poisoned += r.PoisonedInField
	}
	rep.check("every round finalized on schedule", len(late) == 0 && len(rep.Rounds) == n.def.Rounds,
		"%d of %d rounds finalized; at most %d blocks each allowed; late: %v", len(rep.Rounds), n.def.Rounds, scheduled+2, late)
	rep.check("no honest commitment lost", lost == 0, "%d artifact(s) of honest workers committed and never revealed", lost)
	rep.check("no poisoned artifact in a field", poisoned == 0, "%d poisoned artifact(s) entered a field", poisoned)
	rep.check("no worker crashed", len(rep.Crashed) == 0, "exited on their own: %v", rep.Crashed)
	for i := range rep.Faults {
		f := &rep.Faults[i]
		switch f.Kind {
		case faultWorkerKill:
			if f.Target == "" {
				f.Detail = "no honest worker committed in or after the planned round, so none was killed"
				break
			}
			revealed := 0
			for _, r := range rep.Rounds {
				if r.Round != f.Round {
					continue
				}
				for _, a := range r.artifacts {
					if slices.Contains(f.ids, uint64(a.ID)) && a.Status != "ARTIFACT_STATUS_COMMITTED" {
						revealed++
					}
				}
			}
			f.OK = revealed == len(f.ids)
			f.Detail += fmt.Sprintf("; %d of %d revealed after the restart", revealed, len(f.ids))
		case faultWorkerCut:
			// Back: it measured, committed or attested in a later round.
			later := false
			for r := range rep.Curves[f.Target] {
				if r > f.Round {
					later = true
				}
			}
			f.OK = later
			f.Detail += fmt.Sprintf("; conditioned and measured again after round %d: %v", f.Round, later)
			if f.lost > 0 {
				f.Detail += fmt.Sprintf("; %d artifact(s) it committed just before the cut could not be revealed (their reveal phase fell inside the cut)", f.lost)
			}
		}
		rep.check("fault "+f.Kind+" survived", f.OK, "%s", f.Detail)
	}
}

// sortedRounds lists a curve's rounds in order.
func sortedRounds(c map[uint64]int) []uint64 {
	out := make([]uint64, 0, len(c))
	for r := range c {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
