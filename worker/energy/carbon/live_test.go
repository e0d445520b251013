package carbon_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/energy/carbon"
)

// Recorded responses in the documented formats, served from a local HTTP
// server: Electricity Maps v3 latest and forecast, and the Carbon Aware SDK
// WebAPI's emissions and current forecast.
const (
	emLatest   = `{"zone":"DE","carbonIntensity":302,"datetime":"2026-11-30T12:00:00.000Z","updatedAt":"2026-11-30T12:05:00.000Z","emissionFactorType":"lifecycle","isEstimated":true,"estimationMethod":"TIME_SLICER_AVERAGE"}`
	emForecast = `{"zone":"DE","forecast":[{"carbonIntensity":310,"datetime":"2026-11-30T13:00:00.000Z"},{"carbonIntensity":280,"datetime":"2026-11-30T14:00:00.000Z"}],"updatedAt":"2026-11-30T12:00:00.000Z"}`
	caEmission = `[{"location":"westeurope","time":"2026-11-30T11:00:00+00:00","rating":250.5,"duration":"01:00:00"},{"location":"westeurope","time":"2026-11-30T12:00:00+00:00","rating":240,"duration":"01:00:00"}]`
	caForecast = `[{"generatedAt":"2026-11-30T12:00:00+00:00","requestedAt":"2026-11-30T12:00:01+00:00","location":"westeurope","dataStartAt":"2026-11-30T12:05:00+00:00","dataEndAt":"2026-12-01T12:00:00+00:00","windowSize":0,
 "optimalDataPoints":[{"location":"westeurope","timestamp":"2026-11-30T15:00:00+00:00","duration":5,"value":190}],
 "forecastData":[{"location":"westeurope","timestamp":"2026-11-30T12:05:00+00:00","duration":5,"value":238},{"location":"westeurope","timestamp":"2026-11-30T12:10:00+00:00","duration":5,"value":236.5}]}]`
)

func TestElectricityMapsAPI(t *testing.T) {
	var gotToken atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotToken.Store(r.Header.Get("auth-token"))
		require.Equal(t, "DE", r.URL.Query().Get("zone"))
		switch r.URL.Path {
		case "/v3/carbon-intensity/latest":
			w.Write([]byte(emLatest))
		case "/v3/carbon-intensity/forecast":
			w.Write([]byte(emForecast))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	em := carbon.ElectricityMaps{BaseURL: srv.URL + "/v3", Zone: "DE", Token: "secret"}
	p, err := em.Current(context.Background())
	require.NoError(t, err)
	require.Equal(t, 302.0, p.GramsPerKWh)
	require.Equal(t, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), p.Time)
	require.Equal(t, "secret", gotToken.Load())
	fc, err := em.Forecast(context.Background())
	require.NoError(t, err)
	require.Len(t, fc, 2)
	require.Equal(t, 280.0, fc[1].GramsPerKWh)
}

func TestCarbonAwareAPI(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "westeurope", r.URL.Query().Get("location"))
		switch r.URL.Path {
		case "/emissions/bylocation":
			require.NotEmpty(t, r.URL.Query().Get("time"))
			w.Write([]byte(caEmission))
		case "/emissions/forecasts/current":
			w.Write([]byte(caForecast))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ca := carbon.CarbonAware{BaseURL: srv.URL, Location: "westeurope", Now: func() time.Time { return time.Date(2026, 11, 30, 12, 30, 0, 0, time.UTC) }}
	p, err := ca.Current(context.Background())
	require.NoError(t, err)
	require.Equal(t, 240.0, p.GramsPerKWh, "the latest rating")
	fc, err := ca.Forecast(context.Background())
	require.NoError(t, err)
	require.Len(t, fc, 2)
	require.Equal(t, 236.5, fc[1].GramsPerKWh)
}

func TestAPIErrorsSayWhatIsWrong(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("zone") {
		case "AUTH":
			http.Error(w, `{"error":"invalid token"}`, http.StatusUnauthorized)
		case "DOWN":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "JUNK":
			w.Write([]byte("<html>"))
		case "NULL":
			w.Write([]byte(`{"zone":"NULL","carbonIntensity":null,"datetime":"2026-11-30T12:00:00Z"}`))
		case "HUGE":
			w.Write([]byte(`{"zone":"HUGE","carbonIntensity":123456,"datetime":"2026-11-30T12:00:00Z"}`))
		}
	}))
	defer srv.Close()
	for zone, want := range map[string]string{
		"AUTH": "401 Unauthorized (check the API token)",
		"DOWN": "500 Internal Server Error",
		"JUNK": "invalid character",
		"NULL": "no carbonIntensity",
		"HUGE": "intensity 123456",
	} {
		_, err := carbon.ElectricityMaps{BaseURL: srv.URL, Zone: zone, Token: "s3cr3t-t0k3n"}.Current(context.Background())
		require.ErrorContains(t, err, want, zone)
		require.NotContains(t, err.Error(), "s3cr3t", "no token in errors")
	}
	_, err := carbon.ElectricityMaps{BaseURL: "http://127.0.0.1:1", Zone: "DE"}.Current(context.Background())
	require.Error(t, err, "unreachable server")
}

// source is a scripted Source.
type source struct {
	calls atomic.Int32
	fail  atomic.Bool
	delay time.Duration
	value float64
}

func (s *source) Current(ctx context.Context) (carbon.Point, error) {
	s.calls.Add(1)
	if s.delay > 0 {
		select {
		case <-time.After(s.delay):
		case <-ctx.Done():
			return carbon.Point{}, ctx.Err()
		}
	}
	if s.fail.Load() {
		return carbon.Point{}, context.Canceled
	}
	return carbon.Point{Time: time.Unix(0, 0), GramsPerKWh: s.value}, nil
}

func (s *source) Forecast(context.Context) ([]carbon.Point, error) { return nil, nil }

func TestCachedFallsBack(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	src := &source{value: 200}
	c := &carbon.Cached{Source: src, TTL: 5 * time.Minute, Static: 400, Now: func() time.Time { return now }}
	r := c.Current(context.Background())
	require.Equal(t, "live", r.Source)
	require.Equal(t, 200.0, r.GramsPerKWh)
	r = c.Current(context.Background())
	require.Equal(t, "cached", r.Source)
	require.EqualValues(t, 1, src.calls.Load(), "the cache spares the API")
	now = now.Add(10 * time.Minute)
	src.fail.Store(true)
	r = c.Current(context.Background())
	require.Equal(t, "last-known", r.Source)
	require.Equal(t, 200.0, r.GramsPerKWh)
	require.Error(t, r.Err)

	cold := &carbon.Cached{Source: &source{delay: time.Second}, Timeout: 20 * time.Millisecond, Static: 400}
	r = cold.Current(context.Background())
	require.Equal(t, "static", r.Source)
	require.Equal(t, 400.0, r.GramsPerKWh)
	require.True(t, strings.Contains(r.Err.Error(), "no answer within 20ms"), r.Err)
}
