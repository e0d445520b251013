package schedule_test

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/energy/carbon"
	"github.com/h3lix/h3lix/worker/schedule"
)

func TestDecide(t *testing.T) {
	p := schedule.Policy{Duty: 0.5, Window: schedule.Day}
	require.False(t, p.Decide(100, 0, 10, nil).Work, "no quota left")
	require.True(t, p.Decide(900, 3, 3, nil).Work, "as many slots left as quota")
	d := p.Decide(200, 2, 5, []float64{100, 300, 400, 500})
	require.True(t, d.Work, d.Reason)
	require.Equal(t, 200.0, d.Threshold, "second cleanest of {200,100,300,400,500}")
	d = p.Decide(350, 2, 5, []float64{100, 300, 400, 500})
	require.False(t, d.Work, d.Reason)
	require.Contains(t, d.Reason, "waiting for a cleaner slot")
	// A short forecast counts the missing slots at the current intensity.
	require.True(t, p.Decide(300, 1, 4, []float64{400}).Work)
	capped := schedule.Policy{Duty: 0.5, Window: schedule.Day, Ceiling: 250}
	require.False(t, capped.Decide(300, 3, 3, nil).Work, "the owner's ceiling wins over the quota")
	require.True(t, capped.Decide(200, 3, 3, nil).Work)
}

func TestPolicyValidate(t *testing.T) {
	for _, p := range []schedule.Policy{
		{Duty: 0, Window: schedule.Day},
		{Duty: 1.5, Window: schedule.Day},
		{Duty: math.NaN(), Window: schedule.Day},
		{Duty: 0.5, Window: "month"},
		{Duty: 0.5, Window: schedule.Day, Ceiling: -1},
	} {
		require.Error(t, p.Validate(), "%+v", p)
	}
	require.NoError(t, schedule.Policy{Duty: 0.45, Window: schedule.Week, Ceiling: 300}.Validate())
}

func sineTrace(days int, step time.Duration, after time.Time, flip bool) carbon.Trace {
	start := time.Date(2020, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday
	var tr carbon.Trace
	tr.Zone = "sine"
	for t := start; t.Before(start.AddDate(0, 0, days)); t = t.Add(step) {
		h := t.Sub(start).Hours()
		v := 300 + 150*math.Sin(h/24*2*math.Pi) + 50*math.Sin(h/70)
		if flip && t.After(after) {
			v = 600 - v
		}
		tr.Points = append(tr.Points, carbon.Point{Time: t, GramsPerKWh: v})
	}
	return tr
}

// The scheduler never sees the future: two traces that agree up to a cut
// and differ after it give the same report on the windows before the cut.
func TestPolicyNeverSeesTheFuture(t *testing.T) {
	cut := time.Date(2020, 3, 20, 0, 0, 0, 0, time.UTC)
	a := sineTrace(40, 30*time.Minute, cut, false)
	b := sineTrace(40, 30*time.Minute, cut, true)
	p := schedule.Policy{Duty: 0.45, Window: schedule.Day}
	for _, fc := range schedule.Forecasts {
		ra, err := schedule.Run(a, p, fc, schedule.Span{Until: cut})
		require.NoError(t, err)
		rb, err := schedule.Run(b, p, fc, schedule.Span{Until: cut})
		require.NoError(t, err)
		require.Equal(t, ra, rb, "forecast %s", fc)
		// After the cut they differ, so the comparison above can fail.
		fa, err := schedule.Run(a, p, fc, schedule.Span{From: cut})
		require.NoError(t, err)
		fb, err := schedule.Run(b, p, fc, schedule.Span{From: cut})
		require.NoError(t, err)
		require.NotEqual(t, fa.Strategies, fb.Strategies)
	}
	// On a clean daily cycle the policy gets most of the oracle's cut and
	// does the duty's share of the work.
	rep, err := schedule.Tune(a, p, cut, 0)
	require.NoError(t, err)
	pol := rep.Strategies[1]
	require.InDelta(t, 0.9, pol.WorkVsAlwaysOn, 0.01)
	require.Greater(t, pol.ShareOfOracle, 0.8)
}

// Foresight is a diagnostic that bounds the policy by a forecast that good:
// seeing a whole window ahead, the policy does what the oracle does; seeing
// nothing ahead, it is the plain policy; and more foresight never costs.
func TestForesight(t *testing.T) {
	cut := time.Date(2020, 3, 20, 0, 0, 0, 0, time.UTC)
	tr := sineTrace(40, 30*time.Minute, cut, true)
	p := schedule.Policy{Duty: 0.45, Window: schedule.Day}
	plain, err := schedule.Run(tr, p, schedule.Learner, schedule.Span{})
	require.NoError(t, err)
	zero, err := schedule.Run(tr, p, schedule.Forecast{Learner: true, Foresight: 0}, schedule.Span{})
	require.NoError(t, err)
	require.Equal(t, plain, zero)
	some, err := schedule.Run(tr, p, schedule.Forecast{Learner: true, Foresight: 6 * time.Hour}, schedule.Span{})
	require.NoError(t, err)
	all, err := schedule.Run(tr, p, schedule.Forecast{Learner: true, Foresight: 24 * time.Hour}, schedule.Span{})
	require.NoError(t, err)
	require.Less(t, plain.Strategies[1].ShareOfOracle, 0.999)
	require.GreaterOrEqual(t, some.Strategies[1].ShareOfOracle, plain.Strategies[1].ShareOfOracle)
	require.InDelta(t, 1.0, all.Strategies[1].ShareOfOracle, 1e-9)
	require.Equal(t, "learner+foresight/24h0m0s", all.Forecast)

	for _, s := range []string{"learner", "profile+foresight/4h0m0s", "profile+anomaly/6h0m0s+foresight/30m0s"} {
		fc, err := schedule.ParseForecast(s)
		require.NoError(t, err)
		require.Equal(t, s, fc.String())
	}
	for _, s := range []string{"learner+foresight/", "learner+foresight/-1h", "oracle+foresight/1h", "profile+anomaly/0s"} {
		_, err := schedule.ParseForecast(s)
		require.ErrorContains(t, err, "optionally followed by +foresight/DURATION", s)
	}
}

func TestRunRefuses(t *testing.T) {
	p := schedule.Policy{Duty: 0.45, Window: schedule.Day}
	_, err := schedule.Run(carbon.Trace{Zone: "x", Points: []carbon.Point{{Time: time.Now(), GramsPerKWh: 1}}}, p, schedule.Learner, schedule.Span{})
	require.ErrorContains(t, err, "at least two points")
	odd := sineTrace(3, 7*time.Minute, time.Time{}, false)
	_, err = schedule.Run(odd, p, schedule.Learner, schedule.Span{})
	require.ErrorContains(t, err, "does not divide a day")
	short := sineTrace(1, time.Hour, time.Time{}, false)
	short.Points = short.Points[3:]
	_, err = schedule.Run(short, p, schedule.Learner, schedule.Span{})
	require.ErrorContains(t, err, "no whole day")
	_, err = schedule.Run(sineTrace(3, time.Hour, time.Time{}, false), schedule.Policy{Duty: 0.01, Window: schedule.Day}, schedule.Learner, schedule.Span{})
	require.ErrorContains(t, err, "leaves no slot")
	_, err = schedule.Run(sineTrace(3, time.Hour, time.Time{}, false), p, schedule.Learner, schedule.Span{From: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)})
	require.ErrorContains(t, err, "no whole day in the reported span")
}

// The oracle reproduces the bound ../shared/bench/carbon/SOURCES.md gives
// for the shared traces (within a point).
func TestOracleMatchesSources(t *testing.T) {
	dir := "../../../shared/bench/carbon"
	for _, tc := range []struct {
		file string
		duty float64
		w    schedule.Window
		cut  float64
	}{
		{"de-2020.csv", 0.45, schedule.Day, 12.2}, {"gb-2020.csv", 0.45, schedule.Day, 15.0},
		{"de-2020.csv", 0.9, schedule.Day, 2.2}, {"gb-2020.csv", 0.3, schedule.Day, 19.9},
		{"de-2020.csv", 0.45, schedule.Week, 21.3}, {"gb-2020.csv", 0.45, schedule.Week, 23.1},
	} {
		path := filepath.Join(dir, tc.file)
		if _, err := os.Stat(path); err != nil {
			t.Skipf("%s not here: the shared benchmark data is outside the repository", path)
		}
		tr, err := carbon.LoadTrace(path, "")
		require.NoError(t, err)
		rep, err := schedule.Run(tr, schedule.Policy{Duty: tc.duty, Window: tc.w}, schedule.Learner, schedule.Span{})
		require.NoError(t, err)
		require.InDelta(t, tc.cut, 100*rep.Strategies[2].Reduction, 1, "%s duty %v %s", tc.file, tc.duty, tc.w)
	}
}
