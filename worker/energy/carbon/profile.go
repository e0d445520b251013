package carbon

import (
	"fmt"
	"math"
	"time"
)

// Profile forecasts the next hours from what the node has seen: for each
// slot of the day (UTC) it keeps an exponentially weighted mean of the
// intensities observed in that slot, so a day's shape (solar noon, evening
// peak) carries to the next day while older days fade. Observations must
// arrive in time order; the forecast for any time uses only observations
// made before it was asked, never the future.
type Profile struct {
	// AnomalyHalfLife, when positive, carries today's departure from the
	// profile into the forecast: the latest observation's deviation from
	// its slot's mean is added to each slot's mean, halving every
	// AnomalyHalfLife ahead (a windy day stays windy for a while, then the
	// forecast returns to the usual day). Zero forecasts the profile alone.
	AnomalyHalfLife time.Duration

	slot  time.Duration
	alpha float64
	mean  []float64
	seen  []bool
	last  time.Time
	level float64 // the latest observation
	n     int
}

// NewProfile makes a profile with slots of the given length (which must
// divide a day) and weight alpha for each new day's observation (0 < alpha
// ≤ 1; about 0.3 forgets a day's weather within a week).
func NewProfile(slot time.Duration, alpha float64) (*Profile, error) {
	if slot <= 0 || (24*time.Hour)%slot != 0 {
		return nil, fmt.Errorf("profile slot %s: must divide a day", slot)
	}
	if !(alpha > 0 && alpha <= 1) {
		return nil, fmt.Errorf("profile alpha %v: must be in (0, 1]", alpha)
	}
	n := int(24 * time.Hour / slot)
	return &Profile{slot: slot, alpha: alpha, mean: make([]float64, n), seen: make([]bool, n)}, nil
}

func (p *Profile) index(t time.Time) int {
	t = t.UTC()
	since := time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second
	return int(since / p.slot)
}

// Observe records the intensity seen at t. An observation older than the
// last one is refused: the profile would otherwise learn from a future it
// has already forecast.
func (p *Profile) Observe(t time.Time, gramsPerKWh float64) error {
	if err := checkValue(gramsPerKWh); err != nil {
		return err
	}
	if p.n > 0 && t.Before(p.last) {
		return fmt.Errorf("observation at %s is older than the last one (%s)", t.Format(time.RFC3339), p.last.Format(time.RFC3339))
	}
	i := p.index(t)
	if p.seen[i] {
		p.mean[i] += p.alpha * (gramsPerKWh - p.mean[i])
	} else {
		p.mean[i], p.seen[i] = gramsPerKWh, true
	}
	p.last, p.level = t, gramsPerKWh
	p.n++
	return nil
}

// Observed is the number of observations so far.
func (p *Profile) Observed() int { return p.n }

// Forecast is the expected intensity at time at: the slot's learned mean,
// or, for a slot not seen yet, the latest observation. ok is false before
// any observation.
func (p *Profile) Forecast(at time.Time) (float64, bool) {
	if p.n == 0 {
		return 0, false
	}
	i := p.index(at)
	if !p.seen[i] {
		return p.level, true
	}
	v := p.mean[i]
	if p.AnomalyHalfLife > 0 && at.After(p.last) {
		anomaly := p.level - p.mean[p.index(p.last)]
		v += anomaly * math.Exp2(-at.Sub(p.last).Hours()/p.AnomalyHalfLife.Hours())
	}
	return max(v, 0), true
}

// Horizon forecasts the slots from `from` (rounded down to its slot) for
// the given duration.
func (p *Profile) Horizon(from time.Time, d time.Duration) []Point {
	return horizon(p.Forecast, p.slot, from, d)
}

// horizon forecasts the slots of length slot from `from` (rounded down to
// its slot) for d.
func horizon(forecast func(time.Time) (float64, bool), slot time.Duration, from time.Time, d time.Duration) []Point {
	var out []Point
	for t := from.UTC().Truncate(slot); t.Before(from.Add(d)); t = t.Add(slot) {
		if v, ok := forecast(t); ok {
			out = append(out, Point{t, v})
		}
	}
	return out
}

// Replay serves a recorded trace as a live source would: Advance moves the
// clock, feeding the profile every point up to now and none after, and
// Forecast answers from the profile alone. A benchmark that replays a year
// through the scheduler can then not see the future by accident.
type Replay struct {
	trace   Trace
	profile Forecaster
	next    int
	now     time.Time
}

// NewReplay replays trace into a forecaster.
func NewReplay(trace Trace, profile Forecaster) *Replay {
	return &Replay{trace: trace, profile: profile}
}

// Advance moves the clock to now (never back) and observes the points up
// to it.
func (r *Replay) Advance(now time.Time) error {
	if now.Before(r.now) {
		return fmt.Errorf("replay clock moved back from %s to %s", r.now.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	r.now = now
	for r.next < len(r.trace.Points) && !r.trace.Points[r.next].Time.After(now) {
		p := r.trace.Points[r.next]
		if err := r.profile.Observe(p.Time, p.GramsPerKWh); err != nil {
			return err
		}
		r.next++
	}
	return nil
}

// Now is the intensity in force at the replay's clock.
func (r *Replay) Now() (float64, bool) { return r.trace.At(r.now) }

// Forecast is the profile's forecast for the next d from the clock.
func (r *Replay) Forecast(d time.Duration) []Point { return r.profile.Horizon(r.now, d) }
