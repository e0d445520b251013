package schedule_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/energy/carbon"
	"github.com/h3lix/h3lix/worker/schedule"
)

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// liveOn replays a sine trace as a live signal (through the same cache the
// worker uses) on a clock in 2026, mapped onto the trace's 2020.
func liveOn(t *testing.T, c *clock) (*carbon.Cached, carbon.TraceSource) {
	src := carbon.TraceSource{Trace: sineTrace(20, 30*time.Minute, time.Time{}, false), Now: c.now}
	return &carbon.Cached{Source: src, TTL: time.Minute, Now: c.now}, src
}

// Walking a live scheduler through days of a trace: each day works exactly
// its quota of slots, the cleaner ones more than the dirtier ones, a slot
// is decided once however often the worker asks, and a restart in the
// middle of a day keeps the quota it had spent.
func TestSchedulerLive(t *testing.T) {
	ctx := context.Background()
	c := &clock{time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)} // day 7 of the trace's March
	signal, src := liveOn(t, c)
	path := filepath.Join(t.TempDir(), "schedule.json")
	p := schedule.Policy{Duty: 0.25, Window: schedule.Day}
	opts := schedule.Options{StatePath: path, Now: c.now, History: src.History(7 * 24 * time.Hour)}
	require.NotEmpty(t, opts.History, "a week of history before the clock")
	s, err := schedule.NewScheduler(p, time.Hour, signal, opts)
	require.NoError(t, err)
	var worked, waited []float64
	for day := 0; day < 3; day++ {
		n := 0
		for h := 0; h < 24; h++ {
			for k := 0; k < 3; k++ { // three rounds in each slot
				st, err := s.Decide(ctx)
				require.NoError(t, err)
				require.Equal(t, c.t.Truncate(time.Hour), st.Slot)
				if k == 0 {
					if st.Work {
						n++
						worked = append(worked, st.IntensityGPerKWh)
					} else {
						waited = append(waited, st.IntensityGPerKWh)
					}
					if st.SlotsLeft > 1 {
						require.Equal(t, "learned", st.Forecast, "the trace has no forecast: the scheduler learns one")
					}
					require.Equal(t, "live", st.IntensitySource)
				}
				c.t = c.t.Add(20 * time.Minute)
			}
			if day == 1 && h == 11 {
				// Restart mid-day: the quota spent so far is kept.
				before := s.Last()
				s, err = schedule.NewScheduler(p, time.Hour, signal, opts)
				require.NoError(t, err)
				require.Equal(t, before, s.Last())
			}
		}
		require.Equal(t, 6, n, "day %d works its quota of 0.25 × 24 slots", day)
	}
	require.Less(t, mean(worked), mean(waited)-50, "it works the cleaner slots")

	// Duty 1 never waits; a ceiling does.
	always, err := schedule.NewScheduler(schedule.Policy{Duty: 1, Window: schedule.Day}, time.Hour, signal, schedule.Options{Now: c.now})
	require.NoError(t, err)
	st, err := always.Decide(ctx)
	require.NoError(t, err)
	require.True(t, st.Work)
	require.Contains(t, st.Reason, "duty 1")
	capped, err := schedule.NewScheduler(schedule.Policy{Duty: 1, Window: schedule.Day, Ceiling: 1}, time.Hour, signal, schedule.Options{Now: c.now})
	require.NoError(t, err)
	st, err = capped.Decide(ctx)
	require.NoError(t, err)
	require.False(t, st.Work)
	require.Contains(t, st.Reason, "above the ceiling")
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// A signal that fails falls back to the static value, and the scheduler
// says so; bad settings and a broken state file are refused with errors
// that say what to do.
func TestSchedulerRefuses(t *testing.T) {
	c := &clock{time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)}
	signal, _ := liveOn(t, c)
	p := schedule.Policy{Duty: 0.5, Window: schedule.Day}
	_, err := schedule.NewScheduler(p, 7*time.Minute, signal, schedule.Options{})
	require.ErrorContains(t, err, "must divide a day")
	_, err = schedule.NewScheduler(schedule.Policy{Duty: 2, Window: schedule.Day}, time.Hour, signal, schedule.Options{})
	require.ErrorContains(t, err, "duty")
	_, err = schedule.NewScheduler(p, time.Hour, nil, schedule.Options{})
	require.ErrorContains(t, err, "no carbon signal")
	path := filepath.Join(t.TempDir(), "schedule.json")
	require.NoError(t, os.WriteFile(path, []byte("{not json"), 0o600))
	_, err = schedule.NewScheduler(p, time.Hour, signal, schedule.Options{StatePath: path})
	require.ErrorContains(t, err, "delete the file")

	// The trace does not cover the clock's date: the cache falls back to
	// the static intensity and the status carries the error.
	c.t = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	broken := &carbon.Cached{Source: carbon.TraceSource{Trace: sineTrace(5, time.Hour, time.Time{}, false), Now: c.now}, Static: 321, Now: c.now}
	s, err := schedule.NewScheduler(p, time.Hour, broken, schedule.Options{Now: c.now})
	require.NoError(t, err)
	st, err := s.Decide(context.Background())
	require.NoError(t, err)
	require.Equal(t, "static", st.IntensitySource)
	require.Equal(t, 321.0, st.IntensityGPerKWh)
	require.Contains(t, st.SignalError, "does not cover")
}

// With a live API that has a forecast, the scheduler uses it: a forecast
// that the next hours are much cleaner makes it wait now, one that they
// are dirtier makes it work now.
func TestSchedulerUsesTheSourceForecast(t *testing.T) {
	var cleaner atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v3/carbon-intensity/latest":
			w.Write([]byte(`{"zone":"DE","carbonIntensity":300,"datetime":"2026-11-30T12:00:00.000Z"}`))
		case "/v3/carbon-intensity/forecast":
			v := 500
			if cleaner.Load() {
				v = 100
			}
			var pts []string
			for h := 13; h < 24; h++ {
				pts = append(pts, fmt.Sprintf(`{"carbonIntensity":%d,"datetime":"2026-11-30T%02d:00:00.000Z"}`, v, h))
			}
			w.Write([]byte(`{"zone":"DE","forecast":[` + strings.Join(pts, ",") + `]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	em := carbon.ElectricityMaps{BaseURL: srv.URL + "/v3", Zone: "DE"}
	c := &clock{time.Date(2026, 11, 30, 12, 10, 0, 0, time.UTC)}
	p := schedule.Policy{Duty: 0.25, Window: schedule.Day}
	for _, tc := range []struct {
		cleaner bool
		work    bool
	}{{true, false}, {false, true}} {
		cleaner.Store(tc.cleaner)
		s, err := schedule.NewScheduler(p, time.Hour, &carbon.Cached{Source: em, Now: c.now}, schedule.Options{Forecaster: em, Now: c.now})
		require.NoError(t, err)
		st, err := s.Decide(context.Background())
		require.NoError(t, err)
		require.Equal(t, "source", st.Forecast)
		require.Equal(t, 300.0, st.IntensityGPerKWh)
		require.Equal(t, tc.work, st.Work, st.Reason)
		require.Equal(t, 12, st.SlotsLeft)
	}
}
