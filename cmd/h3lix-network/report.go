package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// report is network-report/report.json.
type report struct {
	Generated  time.Time    `json:"generated"`
	Definition definition   `json:"definition"`
	TaskSource string       `json:"task_source"`
	Sample     string       `json:"sample"`
	Grid       string       `json:"grid"`
	Mixes      []*mixReport `json:"mixes"`
}

func (r *report) mix(name string) *mixReport {
	for _, m := range r.Mixes {
		if m.Mix == name {
			return m
		}
	}
	return nil
}

// finalGain is the gain after the last measured round.
func (m *mixReport) finalGain() (float64, bool) {
	if len(m.Rounds) == 0 {
		return 0, false
	}
	last := m.Rounds[len(m.Rounds)-1]
	return last.Gain, last.Measured[0] > 0 && last.Measured[1] > 0
}

// write writes report.json, the plots and README.md into dir.
func (r *report) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "report.json"), b, 0o644); err != nil {
		return err
	}
	plots := []struct {
		file string
		draw func() (*plot.Plot, error)
	}{
		{"heldout.png", r.plotHeldOut},
		{"field.png", r.plotField},
		{"reputation.png", r.plotReputation},
		{"blocktime.png", r.plotBlockTime},
	}
	for _, p := range plots {
		pl, err := p.draw()
		if err != nil {
			return fmt.Errorf("%s: %w", p.file, err)
		}
		if err := pl.Save(7*vg.Inch, 4*vg.Inch, filepath.Join(dir, p.file)); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "README.md"), []byte(r.markdown()), 0o644)
}

func (r *report) plotHeldOut() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Held-out solve rate at %d candidates per task", r.Definition.HeldOutBudget)
	p.X.Label.Text = "measured round (0: before the first)"
	p.Y.Label.Text = "% of held-out tasks solved"
	var lines []any
	for _, m := range r.Mixes {
		cond, ctrl := plotter.XYs{}, plotter.XYs{}
		if b := m.Baseline; b.Measured[0] > 0 && b.Measured[1] > 0 {
			cond = append(cond, plotter.XY{X: 0, Y: b.Conditioned})
			ctrl = append(ctrl, plotter.XY{X: 0, Y: b.Control})
		}
		for _, row := range m.Rounds {
			if row.Measured[0] > 0 {
				cond = append(cond, plotter.XY{X: float64(row.K), Y: row.Conditioned})
			}
			if row.Measured[1] > 0 {
				ctrl = append(ctrl, plotter.XY{X: float64(row.K), Y: row.Control})
			}
		}
		lines = append(lines, "conditioned, "+m.Mix+" adversaries", cond, "control, "+m.Mix+" adversaries", ctrl)
	}
	return p, legendOnTop(p, false, lines...)
}

// legendOnTop adds the lines with the legend in the plot's top left, and
// raises the Y axis so that the legend sits above the data.
func legendOnTop(p *plot.Plot, fromZero bool, lines ...any) error {
	if err := plotutil.AddLinePoints(p, lines...); err != nil {
		return err
	}
	var ys []float64
	for _, l := range lines {
		if xys, ok := l.(plotter.XYs); ok {
			for _, xy := range xys {
				ys = append(ys, xy.Y)
			}
		}
	}
	lo, hi := 0.0, 1.0
	if len(ys) > 0 {
		lo, hi = ys[0], ys[0]
		for _, y := range ys {
			lo, hi = min(lo, y), max(hi, y)
		}
	}
	if fromZero {
		lo = 0
	} else {
		lo = max(0, lo-5)
	}
	rows := float64(len(lines) / 2)
	p.Y.Min, p.Y.Max = lo, hi+(hi-lo)*(0.07*rows+0.1)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs = 8
	return nil
}

func (r *report) plotField() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Field entries and poisoned artifacts per round"
	p.X.Label.Text = "measured round"
	p.Y.Label.Text = "artifacts"
	var lines []any
	for _, m := range r.Mixes {
		entries, poisoned, inField := plotter.XYs{}, plotter.XYs{}, plotter.XYs{}
		for _, row := range m.Rounds {
			entries = append(entries, plotter.XY{X: float64(row.K), Y: float64(row.FieldEntries)})
			poisoned = append(poisoned, plotter.XY{X: float64(row.K), Y: float64(row.Poisoned)})
			inField = append(inField, plotter.XY{X: float64(row.K), Y: float64(row.PoisonedInField)})
		}
		lines = append(lines, "field entries, "+m.Mix+" adversaries", entries)
		if m.Mix == "with" {
			lines = append(lines, "poisoned artifacts revealed", poisoned, "poisoned artifacts in the field", inField)
		}
	}
	return p, legendOnTop(p, true, lines...)
}

func (r *report) plotReputation() (*plot.Plot, error) {
	p := plot.New()
	m := r.mix("with")
	if m == nil {
		m = r.Mixes[0]
	}
	p.Title.Text = fmt.Sprintf("Reputation per worker (%s adversaries)", m.Mix)
	p.X.Label.Text = "measured round"
	p.Y.Label.Text = "score"
	var lines []any
	for _, w := range m.Workers {
		xys := plotter.XYs{}
		for _, row := range m.Rounds {
			xys = append(xys, plotter.XY{X: float64(row.K), Y: float64(row.Reputation[w.Name]) / 1e6})
		}
		name := w.Name + " " + w.Role
		if w.Behaviour != "" {
			name += " (" + w.Behaviour + ")"
		}
		lines = append(lines, name, xys)
	}
	return p, legendOnTop(p, true, lines...)
}

func (r *report) plotBlockTime() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Block time per round"
	for _, f := range r.Definition.Faults {
		if f.Kind == faultValidator {
			p.Title.Text += fmt.Sprintf(" (a validator is down in round %d)", f.Round)
		}
	}
	p.X.Label.Text = "measured round"
	p.Y.Label.Text = "seconds"
	var lines []any
	for _, m := range r.Mixes {
		mean, worst := plotter.XYs{}, plotter.XYs{}
		for _, row := range m.Rounds {
			mean = append(mean, plotter.XY{X: float64(row.K), Y: row.BlockMean})
			worst = append(worst, plotter.XY{X: float64(row.K), Y: row.BlockMax})
		}
		lines = append(lines, "mean, "+m.Mix+" adversaries", mean, "max, "+m.Mix+" adversaries", worst)
	}
	return p, legendOnTop(p, true, lines...)
}

// identicalCurves is how many workers of role there are when all of
// them measured the same counts in every round they share (0 otherwise).
func (m *mixReport) identicalCurves(role string) int {
	var ws []*worker
	for _, w := range m.Workers {
		if w.Role == role {
			ws = append(ws, w)
		}
	}
	for _, w := range ws[min(1, len(ws)):] {
		for r, v := range m.Curves[w.Name] {
			if u, ok := m.Curves[ws[0].Name][r]; ok && u != v {
				return 0
			}
		}
	}
	return len(ws)
}

// perValid is joules per valid artifact, "-" without one.
func perValid(joules, valid uint64) string {
	if valid == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(joules)/float64(valid))
}

func (r *report) markdown() string {
	var b strings.Builder
	d := r.Definition
	fmt.Fprintf(&b, "# H3LIX network experiment\n\n")
	fmt.Fprintf(&b, "Generated %s by `make network` (networks/experiment/network.env). %d validators, %d workers: adversaries %v, %d controls (conditioning = own), the rest conditioned on the field. "+
		"Every worker: %d task(s) per round at %d candidates; held-out rate at %d candidates.\n\n",
		r.Generated.Format(time.RFC3339), d.Validators, d.Workers, d.Adversaries, d.Controls, d.TasksPerRound, d.Candidates, d.HeldOutBudget)
	fmt.Fprintf(&b, "Tasks: %s. Held-out rates are **%s**. Grid: %s.\n\n", r.TaskSource, r.Sample, r.Grid)
	b.WriteString("## Headline\n\n")
	with, without := r.mix("with"), r.mix("without")
	for _, m := range r.Mixes {
		g, ok := m.finalGain()
		if !ok {
			fmt.Fprintf(&b, "- %s adversaries: no final measurement of both groups.\n", m.Mix)
			continue
		}
		last := m.Rounds[len(m.Rounds)-1]
		fmt.Fprintf(&b, "- %s adversaries, after round %d: conditioned %.1f %% vs control %.1f %%: **%+.1f points**.\n", m.Mix, last.K, last.Conditioned, last.Control, g)
	}
	if with != nil && without != nil {
		gw, ok1 := with.finalGain()
		g0, ok2 := without.finalGain()
		if ok1 && ok2 && g0 > 0 {
			fmt.Fprintf(&b, "- The gain with adversaries is %.0f %% of the gain without them.\n", 100*gw/g0)
		} else if ok1 && ok2 {
			fmt.Fprintf(&b, "- Without adversaries the gain is %+.1f points, so no share of it can be quoted.\n", g0)
		}
	}
	b.WriteString("\n![held-out](heldout.png)\n\n")
	for _, m := range r.Mixes {
		fmt.Fprintf(&b, "## %s adversaries (chain rounds %d..%d, %.0f s)\n\n", strings.ToUpper(m.Mix[:1])+m.Mix[1:], m.FirstRound, m.LastRound, m.Seconds)
		b.WriteString("| k | round | conditioned % | control % | gain | field | committed | accepted | rejected | unrevealed | poisoned (in field) | J / valid | mg CO2e / valid | block s (max) |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, row := range m.Rounds {
			fmt.Fprintf(&b, "| %d | %d | %.1f (%d) | %.1f (%d) | %+.1f | %d | %d | %d | %d | %d | %d (%d) | %s | %.2f | %.2f (%.2f) |\n",
				row.K, row.Round, row.Conditioned, row.Measured[0], row.Control, row.Measured[1], row.Gain, row.FieldEntries,
				row.Committed, row.Accepted, row.Rejected, row.Unrevealed, row.Poisoned, row.PoisonedInField, perValid(row.Joules, row.Accepted),
				float64(row.UgCO2ePerValid)/1000, row.BlockMean, row.BlockMax)
		}
		b.WriteString("\n(n) is how many workers of the group were measured after the round.")
		if k := m.identicalCurves(roleConditioned); k > 1 {
			fmt.Fprintf(&b, " The %d conditioned workers solved the same number of held-out tasks after every round they were measured: they start from the same prior and condition on the same field, so their mean is one draw, not %d.", k, k)
		}
		b.WriteString("\n\n")
		b.WriteString("| worker | role | tasks | held-out solved after each round | reputation (ppm) |\n|---|---|---|---|---|\n")
		for _, w := range m.Workers {
			role := w.Role
			if w.Behaviour != "" {
				role += " (" + w.Behaviour + ")"
			}
			var pts []string
			for _, r := range sortedRounds(m.Curves[w.Name]) {
				pts = append(pts, fmt.Sprintf("%d:%d", r, m.Curves[w.Name][r]))
			}
			rep := uint32(0)
			if len(m.Rounds) > 0 {
				rep = m.Rounds[len(m.Rounds)-1].Reputation[w.Name]
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %s | %d |\n", w.Name, role, len(w.Tasks), strings.Join(pts, " "), rep)
		}
		if len(m.Energy) > 0 {
			b.WriteString("\n| group | artifacts revealed | J per artifact | mg CO2e per artifact | method |\n|---|---|---|---|---|\n")
			for _, role := range []string{roleConditioned, roleControl, roleAdversary} {
				g, ok := m.Energy[role]
				if !ok || g.Artifacts == 0 {
					continue
				}
				fmt.Fprintf(&b, "| %s | %d | %.2f | %.2f | %s |\n", role, g.Artifacts, float64(g.Joules)/float64(g.Artifacts),
					float64(g.MgCO2e)/float64(g.Artifacts), strings.ToLower(strings.TrimPrefix(g.Method, "ENERGY_METHOD_")))
			}
			b.WriteString("\nEnergy as the producers report it in their reveals (self-reported; the chain cannot verify it): the work of a round, solved or not, over the artifacts it yielded.")
			floor := true
			for _, g := range m.Energy {
				floor = floor && g.Joules == uint64(g.Artifacts)
			}
			if floor {
				b.WriteString(" Every record is 1 J: records are whole joules and milligrams, rounded up, and at this budget a round's work is below one joule per artifact, so these figures are a floor, not a measurement.")
			}
			b.WriteString("\n")
		}
		b.WriteString("\n| check | ok | detail |\n|---|---|---|\n")
		for _, c := range m.Checks {
			fmt.Fprintf(&b, "| %s | %v | %s |\n", c.Name, c.OK, c.Detail)
		}
		b.WriteString("\n")
	}
	b.WriteString("![field](field.png)\n\n![reputation](reputation.png)\n\n![block time](blocktime.png)\n")
	return b.String()
}
