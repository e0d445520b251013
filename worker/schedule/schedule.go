// Package schedule decides when the worker does its heavy work (solving
// and distilling) so that it runs when the grid is clean. The model follows
// issue #11: time is cut into slots (a trace's step); an always-on worker
// works every slot at half the machine's capacity; a scheduled worker works
// the slots it picks at full capacity, at most a share D (the duty) of each
// window's slots (a day or a week), so D = 0.45 does 90 % of always-on's
// work. Verification and attestation are cheap and owed to the network: the
// scheduler never gates them.
//
// Policy is the online rule the worker uses, which sees only the past;
// Oracle is the clairvoyant bound (it knows the whole window); Replay runs
// both and always-on over a recorded trace.
package schedule

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Window is the period over which the duty applies.
type Window string

const (
	Day  Window = "day"
	Week Window = "week"
)

// start is the first instant of the window holding t (UTC; weeks start on
// Monday).
func (w Window) start(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if w == Week {
		back := (int(d.Weekday()) + 6) % 7
		d = d.AddDate(0, 0, -back)
	}
	return d
}

// length of the window.
func (w Window) length() time.Duration {
	if w == Week {
		return 7 * 24 * time.Hour
	}
	return 24 * time.Hour
}

// ParseWindow reads "day" or "week".
func ParseWindow(s string) (Window, error) {
	switch Window(s) {
	case Day, Week:
		return Window(s), nil
	}
	return "", fmt.Errorf("window %q: want day or week", s)
}

// Decision is what the policy decided for one slot, and why.
type Decision struct {
	Work   bool
	Reason string
	// Threshold is the intensity at or under which a slot is worked now
	// (gCO2e/kWh); NaN when the rule did not need one.
	Threshold float64
}

// Policy is the online rule: in each window it has a quota of slots
// (duty × slots in the window). At each slot it forecasts the intensity of
// the window's remaining slots from the past alone, and works now if the
// current intensity is among the quota-many cleanest of the remaining ones
// (now included); when the remaining slots equal the remaining quota it
// works regardless, so the quota is always used and the work done.
type Policy struct {
	Duty   float64
	Window Window
	// Ceiling, when positive, is a gCO2e/kWh above which the policy never
	// works, even if that leaves quota unused (the owner's limit).
	Ceiling float64
}

// Validate checks the policy's settings.
func (p Policy) Validate() error {
	if !(p.Duty > 0 && p.Duty <= 1) {
		return fmt.Errorf("duty %v: must be in (0, 1]", p.Duty)
	}
	if _, err := ParseWindow(string(p.Window)); err != nil {
		return err
	}
	if p.Ceiling < 0 || math.IsNaN(p.Ceiling) {
		return fmt.Errorf("ceiling %v gCO2e/kWh: must be 0 (none) or positive", p.Ceiling)
	}
	return nil
}

// Quota is the number of slots of step the policy may work in the next
// window, given the fraction of a slot carried from the windows before,
// and the fraction it carries on: duty × slots is rarely whole (0.45 of 48
// half-hours is 21.6), so windows get 21 or 22 and the share over time is
// exact.
func (p Policy) Quota(step time.Duration, carry float64) (int, float64) {
	share := p.Duty*float64(p.Window.length()/step) + carry
	q := int(math.Floor(share + 1e-9))
	return q, share - float64(q)
}

// Decide decides slot `now` given the current intensity, the quota left in
// the window, the slots left in it (now included) and the forecast of the
// later ones (at most left-1 values; missing ones count as the current
// intensity).
func (p Policy) Decide(current float64, quotaLeft, slotsLeft int, forecast []float64) Decision {
	switch {
	case quotaLeft <= 0:
		return Decision{Reason: "the window's quota is used", Threshold: math.NaN()}
	case p.Ceiling > 0 && current > p.Ceiling:
		return Decision{Reason: fmt.Sprintf("intensity %.0f above the ceiling %.0f gCO2e/kWh", current, p.Ceiling), Threshold: math.NaN()}
	case quotaLeft >= slotsLeft:
		return Decision{Work: true, Reason: "as many slots left as quota: work to do the window's share", Threshold: math.NaN()}
	}
	rest := make([]float64, 0, slotsLeft)
	rest = append(rest, current)
	for i := 0; i < slotsLeft-1; i++ {
		if i < len(forecast) {
			rest = append(rest, forecast[i])
		} else {
			rest = append(rest, current)
		}
	}
	sort.Float64s(rest)
	th := rest[quotaLeft-1]
	if current <= th {
		return Decision{Work: true, Reason: fmt.Sprintf("intensity %.0f is among the %d cleanest of the %d slots left (threshold %.0f)", current, quotaLeft, slotsLeft, th), Threshold: th}
	}
	return Decision{Reason: fmt.Sprintf("intensity %.0f above the forecast threshold %.0f: waiting for a cleaner slot", current, th), Threshold: th}
}
