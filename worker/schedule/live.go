package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/h3lix/h3lix/worker/energy/carbon"
)

// Signal is the current carbon intensity with its provenance
// (carbon.Cached is one).
type Signal interface {
	Current(ctx context.Context) carbon.Reading
}

// Status is the scheduler's latest decision, as /status shows it.
type Status struct {
	Work   bool   `json:"work"`
	Reason string `json:"reason"`
	// IntensityGPerKWh is the grid's intensity when the slot was decided,
	// and IntensitySource where it came from (live, cached, last-known,
	// static); SignalError is the source's error when it fell back.
	IntensityGPerKWh float64 `json:"intensity_g_per_kwh"`
	IntensitySource  string  `json:"intensity_source"`
	SignalError      string  `json:"signal_error,omitempty"`
	// ThresholdGPerKWh is the intensity at or under which the slot was
	// worked, when the rule needed one.
	ThresholdGPerKWh *float64 `json:"threshold_g_per_kwh,omitempty"`
	// Forecast says where the forecast came from: "source" or "learned".
	Forecast  string    `json:"forecast,omitempty"`
	Slot      time.Time `json:"slot"`
	SlotsLeft int       `json:"slots_left"`
	QuotaLeft int       `json:"quota_left"`
	Quota     int       `json:"quota"`
	Duty      float64   `json:"duty"`
	Window    Window    `json:"window"`
	Ceiling   float64   `json:"ceiling_g_per_kwh,omitempty"`
	SlotsWork int       `json:"slots_worked"`
	SlotsWait int       `json:"slots_waited"`
}

// state is what survives a restart: the window's quota, its carry, and
// the decision of the slot in progress (so a restart within a slot does
// not decide it twice).
type state struct {
	Window    time.Time `json:"window"`
	QuotaLeft int       `json:"quota_left"`
	Quota     int       `json:"quota"`
	Carry     float64   `json:"carry"`
	Last      Status    `json:"last"`
}

// Scheduler is the policy run live: it cuts time into slots, gives each
// window its quota of slots (duty × slots, the fraction carried to the
// next window), and decides each slot once, when the worker first asks in
// it. Decisions come from the current intensity and a forecast: the
// source's own when it has one, else one the scheduler learns from the
// readings it has seen.
type Scheduler struct {
	Policy Policy
	Slot   time.Duration

	signal   Signal
	forecast carbon.Source // optional: a source with its own forecast
	learner  *carbon.Learner
	now      func() time.Time
	path     string

	mu      sync.Mutex
	st      state
	lastObs time.Time
}

// Options complete a Scheduler.
type Options struct {
	// Forecaster, when set, is asked for a forecast first (a live API).
	Forecaster carbon.Source
	// History warms the learner with past readings (time order).
	History []carbon.Point
	// StatePath keeps the quota across restarts ("" keeps it in memory).
	StatePath string
	Now       func() time.Time
}

// NewScheduler makes a scheduler with slots of the given length (which
// must divide a day).
func NewScheduler(p Policy, slot time.Duration, signal Signal, o Options) (*Scheduler, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if slot <= 0 || (24*time.Hour)%slot != 0 {
		return nil, fmt.Errorf("schedule slot %s: must divide a day (e.g. 15m, 30m, 1h)", slot)
	}
	if signal == nil {
		return nil, errors.New("schedule: no carbon signal")
	}
	l, err := carbon.NewLearner(slot)
	if err != nil {
		return nil, err
	}
	s := &Scheduler{Policy: p, Slot: slot, signal: signal, forecast: o.Forecaster, learner: l, now: o.Now, path: o.StatePath}
	if s.now == nil {
		s.now = time.Now
	}
	for _, pt := range o.History {
		if err := l.Observe(pt.Time, pt.GramsPerKWh); err != nil {
			return nil, fmt.Errorf("schedule history: %w", err)
		}
		s.lastObs = pt.Time
	}
	if s.path != "" {
		b, err := os.ReadFile(s.path)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, err
		default:
			if err := json.Unmarshal(b, &s.st); err != nil {
				return nil, fmt.Errorf("schedule state %s: %w (delete the file to start the window afresh)", s.path, err)
			}
		}
	}
	return s, nil
}

// Last is the latest decision (zero before the first).
func (s *Scheduler) Last() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.Last
}

// Decide returns whether to do heavy work now. The first call in a slot
// decides it (and spends quota when it works); later calls in the slot
// return the same decision.
func (s *Scheduler) Decide(ctx context.Context) (Status, error) {
	now := s.now().UTC()
	read := s.signal.Current(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if read.Source != "static" && read.Time.After(s.lastObs) {
		if err := s.learner.Observe(read.Time, read.GramsPerKWh); err == nil {
			s.lastObs = read.Time
		}
	}
	slot := now.Truncate(s.Slot)
	if s.st.Last.Slot.Equal(slot) {
		return s.st.Last, nil
	}
	ws := s.Policy.Window.start(now)
	if !s.st.Window.Equal(ws) {
		quota, carry := s.Policy.Quota(s.Slot, s.st.Carry)
		s.st = state{Window: ws, Quota: quota, QuotaLeft: quota, Carry: carry, Last: s.st.Last}
	}
	left := int(ws.Add(s.Policy.Window.length()).Sub(slot) / s.Slot)
	fc, from := s.forecastFor(ctx, slot, left)
	d := s.Policy.Decide(read.GramsPerKWh, s.st.QuotaLeft, left, fc)
	if s.Policy.Duty >= 1 && d.Work {
		d.Reason = "duty 1: heavy work in every slot (set schedule.duty below 1 to follow the grid)"
	}
	st := Status{Work: d.Work, Reason: d.Reason, IntensityGPerKWh: read.GramsPerKWh, IntensitySource: read.Source,
		Forecast: from, Slot: slot, SlotsLeft: left, Duty: s.Policy.Duty, Window: s.Policy.Window, Ceiling: s.Policy.Ceiling,
		SlotsWork: s.st.Last.SlotsWork, SlotsWait: s.st.Last.SlotsWait, Quota: s.st.Quota}
	if read.Err != nil {
		st.SignalError = read.Err.Error()
	}
	if !math.IsNaN(d.Threshold) {
		th := d.Threshold
		st.ThresholdGPerKWh = &th
	}
	if d.Work {
		s.st.QuotaLeft--
		st.SlotsWork++
	} else {
		st.SlotsWait++
	}
	st.QuotaLeft = s.st.QuotaLeft
	s.st.Last = st
	return st, s.save()
}

// forecastFor returns the forecast of the slots after slot (left-1 of
// them): the source's when it answers, else the learner's.
func (s *Scheduler) forecastFor(ctx context.Context, slot time.Time, left int) ([]float64, string) {
	if left <= 1 {
		return nil, ""
	}
	if s.forecast != nil {
		if pts, err := s.forecast.Forecast(ctx); err == nil && len(pts) > 0 {
			tr := carbon.Trace{Points: pts}
			var out []float64
			for i := 1; i < left; i++ {
				at := slot.Add(time.Duration(i) * s.Slot)
				if at.After(pts[len(pts)-1].Time) {
					break
				}
				if v, ok := tr.At(at); ok {
					out = append(out, v)
				}
			}
			if len(out) > 0 {
				return out, "source"
			}
		}
	}
	var out []float64
	for _, p := range s.learner.Horizon(slot.Add(s.Slot), time.Duration(left-1)*s.Slot) {
		out = append(out, p.GramsPerKWh)
	}
	if len(out) == 0 {
		return nil, ""
	}
	return out, "learned"
}

func (s *Scheduler) save() error {
	if s.path == "" {
		return nil
	}
	b, err := json.Marshal(s.st)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return err
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, s.path)
}
