package schedule

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/h3lix/h3lix/worker/energy/carbon"
)

// Strategy is one strategy's outcome over a trace.
type Strategy struct {
	Name string `json:"strategy"`
	// ArtifactsPerDay counts full-capacity slot-hours as artifacts (one
	// artifact per hour of full work), so strategies compare by work done.
	ArtifactsPerDay float64 `json:"artifacts_per_day"`
	// GCO2ePerArtifact is the carbon of that work at Watts full power.
	GCO2ePerArtifact float64 `json:"g_co2e_per_artifact"`
	// Reduction is the cut in gCO2e per artifact against always-on.
	Reduction float64 `json:"reduction"`
	// ShareOfOracle is Reduction over the oracle's.
	ShareOfOracle float64 `json:"share_of_oracle"`
	// WorkVsAlwaysOn is the work done as a share of always-on's.
	WorkVsAlwaysOn float64 `json:"work_vs_always_on"`
}

// Report is a trace replayed through always-on, the policy and the oracle.
type Report struct {
	Trace      string     `json:"trace"`
	Zone       string     `json:"zone"`
	Duty       float64    `json:"duty"`
	Window     Window     `json:"window"`
	Slots      int        `json:"slots"`
	Step       string     `json:"step"`
	Days       float64    `json:"days"`
	Forecast   string     `json:"forecast"`
	From       time.Time  `json:"from,omitzero"`
	Until      time.Time  `json:"until,omitzero"`
	Strategies []Strategy `json:"strategies"`
}

// Watts is the machine's power at full capacity; at half capacity it draws
// half. Only ratios are reported, so its value only scales the grams.
const Watts = 65.0

// ProfileAlpha is the weight of each new day in the forecast profile. It
// was fixed before any trace was replayed (a day's weather should fade in
// about a week) and is not tuned on the benchmark traces.
const ProfileAlpha = 0.3

// Span limits which windows a Run reports: those starting in [From, Until)
// (zero values: no limit). The replay still observes every earlier point,
// which is the past, so a report over a later span is out of sample for
// choices made on an earlier one.
type Span struct{ From, Until time.Time }

func (s Span) has(t time.Time) bool {
	return (s.From.IsZero() || !t.Before(s.From)) && (s.Until.IsZero() || t.Before(s.Until))
}

// Forecast names how the policy forecasts: the online Learner, or the
// daily Profile with an anomaly half-life. Foresight is a diagnostic, not
// a forecast: the policy sees the trace's true intensity for the next
// Foresight in place of its forecast at those leads, which bounds what a
// forecast that good would give (bench energy --foresight).
type Forecast struct {
	Learner   bool
	HalfLife  time.Duration
	Foresight time.Duration
}

// Learner is the default forecast.
var Learner = Forecast{Learner: true}

func (f Forecast) String() string {
	s := "learner"
	switch {
	case f.Learner:
	case f.HalfLife == 0:
		s = "profile"
	default:
		s = "profile+anomaly/" + f.HalfLife.String()
	}
	if f.Foresight > 0 {
		s += "+foresight/" + f.Foresight.String()
	}
	return s
}

// ParseForecast reads a Forecast's String form.
func ParseForecast(s string) (Forecast, error) {
	bad := fmt.Errorf("forecast %q: want learner, profile or profile+anomaly/HALF-LIFE (e.g. profile+anomaly/6h), optionally followed by +foresight/DURATION", s)
	var fs time.Duration
	if i := strings.Index(s, "+foresight/"); i >= 0 {
		d, err := time.ParseDuration(s[i+len("+foresight/"):])
		if err != nil || d <= 0 {
			return Forecast{}, bad
		}
		s, fs = s[:i], d
	}
	switch {
	case s == "learner":
		return Forecast{Learner: true, Foresight: fs}, nil
	case s == "profile":
		return Forecast{Foresight: fs}, nil
	case strings.HasPrefix(s, "profile+anomaly/"):
		hl, err := time.ParseDuration(strings.TrimPrefix(s, "profile+anomaly/"))
		if err == nil && hl > 0 {
			return Forecast{HalfLife: hl, Foresight: fs}, nil
		}
	}
	return Forecast{}, bad
}

// foresight replaces a forecaster's values within d of the time asked from
// by the trace's true ones.
type foresight struct {
	carbon.Forecaster
	tr carbon.Trace
	d  time.Duration
}

func (f foresight) Horizon(from time.Time, d time.Duration) []carbon.Point {
	ps := f.Forecaster.Horizon(from, d)
	for i := range ps {
		if ps[i].Time.Sub(from) <= f.d {
			if v, ok := f.tr.At(ps[i].Time); ok {
				ps[i].GramsPerKWh = v
			}
		}
	}
	return ps
}

// New makes the forecaster on slots of step.
func (f Forecast) New(step time.Duration) (carbon.Forecaster, error) {
	if f.Learner {
		return carbon.NewLearner(step)
	}
	p, err := carbon.NewProfile(step, ProfileAlpha)
	if err != nil {
		return nil, err
	}
	p.AnomalyHalfLife = f.HalfLife
	return p, nil
}

// Run replays tr through always-on, p and the oracle, reporting the windows
// in span. The slots are the trace's points; a window's quota follows the
// trace's step. The policy's forecasts come from fc fed by a
// carbon.Replay, so they only read the past.
func Run(tr carbon.Trace, p Policy, fc Forecast, span Span) (Report, error) {
	if err := p.Validate(); err != nil {
		return Report{}, err
	}
	if len(tr.Points) < 2 {
		return Report{}, fmt.Errorf("trace %s: at least two points needed", tr.Zone)
	}
	step := tr.Step()
	if (24*time.Hour)%step != 0 {
		return Report{}, fmt.Errorf("trace %s: step %s does not divide a day", tr.Zone, step)
	}
	share := p.Duty * float64(p.Window.length()/step)
	if share < 1 {
		return Report{}, fmt.Errorf("duty %v leaves no slot in a %s of %s slots", p.Duty, p.Window, step)
	}
	// Slots on a regular grid of the trace's step, each at the intensity in
	// force then (the last point at or before it), so gaps and irregular
	// stretches of the trace do not change the quota; whole windows only,
	// since a partial one would give the oracle and the policy a different
	// share.
	var windows [][]carbon.Point
	perWindow := int(p.Window.length() / step)
	first, last := tr.Points[0].Time, tr.Points[len(tr.Points)-1].Time
	ws := p.Window.start(first)
	if ws.Before(first) {
		ws = ws.Add(p.Window.length())
	}
	for ; !ws.Add(p.Window.length() - step).After(last); ws = ws.Add(p.Window.length()) {
		w := make([]carbon.Point, perWindow)
		for i := range w {
			at := ws.Add(time.Duration(i) * step)
			v, _ := tr.At(at)
			w[i] = carbon.Point{Time: at, GramsPerKWh: v}
		}
		windows = append(windows, w)
	}
	if len(windows) == 0 {
		return Report{}, fmt.Errorf("trace %s: no whole %s of %s slots", tr.Zone, p.Window, step)
	}

	forecaster, err := fc.New(step)
	if err != nil {
		return Report{}, err
	}
	if fc.Foresight > 0 {
		forecaster = foresight{forecaster, tr, fc.Foresight}
	}
	replay := carbon.NewReplay(tr, forecaster)
	hours := step.Hours()
	var always, policy, oracle acc
	reported := 0
	carry := 0.0
	for _, w := range windows {
		var quota int
		quota, carry = p.Quota(step, carry)
		in := span.has(w[0].Time)
		if !in {
			// Outside the span the policy only watches: the profile
			// learns from these points all the same.
			for _, pt := range w {
				if err := replay.Advance(pt.Time); err != nil {
					return Report{}, err
				}
			}
			continue
		}
		reported++
		// always-on: every slot at half capacity.
		for _, pt := range w {
			always.add(0.5, pt.GramsPerKWh, hours)
		}
		// oracle: the quota's cleanest slots at full capacity.
		sorted := make([]float64, len(w))
		for i, pt := range w {
			sorted[i] = pt.GramsPerKWh
		}
		sort.Float64s(sorted)
		for _, v := range sorted[:quota] {
			oracle.add(1, v, hours)
		}
		// policy: online, forecasting from the past.
		left := quota
		for i, pt := range w {
			if err := replay.Advance(pt.Time); err != nil {
				return Report{}, err
			}
			cur, _ := replay.Now()
			var fc []float64
			if left > 0 && left < len(w)-i {
				for _, f := range replay.Forecast(time.Duration(len(w)-i) * step) {
					if f.Time.After(pt.Time) {
						fc = append(fc, f.GramsPerKWh)
					}
				}
			}
			if d := p.Decide(cur, left, len(w)-i, fc); d.Work {
				policy.add(1, cur, hours)
				left--
			}
		}
	}
	if reported == 0 {
		return Report{}, fmt.Errorf("trace %s: no whole %s in the reported span", tr.Zone, p.Window)
	}
	days := float64(reported) * p.Window.length().Hours() / 24
	rep := Report{Zone: tr.Zone, Duty: p.Duty, Window: p.Window, Slots: reported * perWindow, Step: step.String(), Days: days,
		Forecast: fc.String(), From: span.From, Until: span.Until}
	base := always.perArtifact()
	oracleCut := 1 - oracle.perArtifact()/base
	for _, s := range []struct {
		name string
		a    acc
	}{{"always_on", always}, {"policy", policy}, {"oracle", oracle}} {
		cut := 1 - s.a.perArtifact()/base
		share := 0.0
		if oracleCut > 0 {
			share = cut / oracleCut
		}
		rep.Strategies = append(rep.Strategies, Strategy{
			Name: s.name, ArtifactsPerDay: s.a.work / days, GCO2ePerArtifact: s.a.perArtifact(),
			Reduction: cut, ShareOfOracle: share, WorkVsAlwaysOn: s.a.work / always.work,
		})
	}
	return rep, nil
}

// acc sums work (artifacts: full-capacity hours) and grams of CO2e.
type acc struct{ work, grams float64 }

func (a *acc) add(capacity, gramsPerKWh, hours float64) {
	a.work += capacity * hours
	a.grams += capacity * Watts / 1000 * hours * gramsPerKWh
}

func (a acc) perArtifact() float64 {
	if a.work == 0 {
		return 0
	}
	return a.grams / a.work
}

// Forecasts are the forecasts Tune chooses among: the learner, and the
// profile with anomaly half-lives (0: the profile alone; 1000 h: today's
// level throughout).
var Forecasts = []Forecast{Learner, {}, {HalfLife: 3 * time.Hour}, {HalfLife: 6 * time.Hour},
	{HalfLife: 12 * time.Hour}, {HalfLife: 24 * time.Hour}, {HalfLife: 1000 * time.Hour}}

// Tune picks the forecast whose policy comes closest to the oracle on the
// windows before until, then reports the windows from until on with it: a
// temporal split, so the reported figure is out of sample. A positive
// foresight gives every forecast that diagnostic (see Forecast).
func Tune(tr carbon.Trace, p Policy, until time.Time, foresight time.Duration) (Report, error) {
	var best Forecast
	bestShare := -1.0
	for _, fc := range Forecasts {
		fc.Foresight = foresight
		rep, err := Run(tr, p, fc, Span{Until: until})
		if err != nil {
			return Report{}, fmt.Errorf("tuning on the windows before %s: %w", until.Format(time.DateOnly), err)
		}
		if s := rep.Strategies[1].ShareOfOracle; s > bestShare {
			best, bestShare = fc, s
		}
	}
	return Run(tr, p, best, Span{From: until})
}
