package carbon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Source is a live carbon-intensity signal.
type Source interface {
	// Current is the latest reading.
	Current(ctx context.Context) (Point, error)
	// Forecast is the source's forecast for the hours ahead, in time
	// order; nil when the source has none (the caller then learns one
	// with Profile).
	Forecast(ctx context.Context) ([]Point, error)
}

// maxResponse bounds what a carbon API may send back.
const maxResponse = 4 << 20

func getJSON(ctx context.Context, client *http.Client, u string, header http.Header, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	for k, vs := range header {
		for _, x := range vs {
			req.Header.Add(k, x)
		}
	}
	req.Header.Set("Accept", "application/json")
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return err
	}
	if len(body) > maxResponse {
		return fmt.Errorf("GET %s: response larger than %d bytes", redact(u), maxResponse)
	}
	if resp.StatusCode != http.StatusOK {
		hint := ""
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			hint = " (check the API token)"
		}
		return fmt.Errorf("GET %s: %s%s: %s", redact(u), resp.Status, hint, strings.TrimSpace(string(body[:min(len(body), 200)])))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", redact(u), err)
	}
	return nil
}

// redact drops the query, which may carry a token.
func redact(u string) string {
	if p, err := url.Parse(u); err == nil {
		p.RawQuery = ""
		return p.String()
	}
	return "the carbon API"
}

// ElectricityMaps reads Electricity Maps' v3 API: carbon-intensity/latest
// and carbon-intensity/forecast for a zone, with the auth-token header.
type ElectricityMaps struct {
	BaseURL string // e.g. https://api.electricitymap.org/v3
	Zone    string
	Token   string
	Client  *http.Client
}

func (e ElectricityMaps) get(ctx context.Context, path string, v any) error {
	h := http.Header{}
	if e.Token != "" {
		h.Set("auth-token", e.Token)
	}
	return getJSON(ctx, e.Client, strings.TrimRight(e.BaseURL, "/")+path+"?zone="+url.QueryEscape(e.Zone), h, v)
}

// Current implements Source.
func (e ElectricityMaps) Current(ctx context.Context) (Point, error) {
	var r struct {
		Zone            string   `json:"zone"`
		CarbonIntensity *float64 `json:"carbonIntensity"`
		Datetime        string   `json:"datetime"`
	}
	if err := e.get(ctx, "/carbon-intensity/latest", &r); err != nil {
		return Point{}, err
	}
	if r.CarbonIntensity == nil {
		return Point{}, fmt.Errorf("electricity maps latest for %s: no carbonIntensity", e.Zone)
	}
	ts, err := time.Parse(time.RFC3339, r.Datetime)
	if err != nil {
		return Point{}, fmt.Errorf("electricity maps latest for %s: datetime %q: %w", e.Zone, r.Datetime, err)
	}
	if err := checkValue(*r.CarbonIntensity); err != nil {
		return Point{}, fmt.Errorf("electricity maps latest for %s: %w", e.Zone, err)
	}
	return Point{ts.UTC(), *r.CarbonIntensity}, nil
}

// Forecast implements Source.
func (e ElectricityMaps) Forecast(ctx context.Context) ([]Point, error) {
	var raw json.RawMessage
	if err := e.get(ctx, "/carbon-intensity/forecast", &raw); err != nil {
		return nil, err
	}
	t, err := DecodeElectricityMaps(raw)
	if err != nil {
		return nil, err
	}
	return t.Points, nil
}

// CarbonAware reads the Carbon Aware SDK WebAPI: /emissions/bylocation for
// the latest rating and /emissions/forecasts/current for the forecast.
type CarbonAware struct {
	BaseURL  string // e.g. http://localhost:8080
	Location string
	Client   *http.Client
	// Now is the clock (time.Now when nil): the latest rating is asked for
	// the last hours up to it.
	Now func() time.Time
}

// Current implements Source.
func (c CarbonAware) Current(ctx context.Context) (Point, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	to := now().UTC()
	q := url.Values{"location": {c.Location}, "time": {to.Add(-6 * time.Hour).Format(time.RFC3339)}, "toTime": {to.Format(time.RFC3339)}}
	var raw json.RawMessage
	if err := getJSON(ctx, c.Client, strings.TrimRight(c.BaseURL, "/")+"/emissions/bylocation?"+q.Encode(), nil, &raw); err != nil {
		return Point{}, err
	}
	t, err := DecodeCarbonAware(raw, c.Location)
	if err != nil {
		return Point{}, err
	}
	return t.Points[len(t.Points)-1], nil
}

// Forecast implements Source.
func (c CarbonAware) Forecast(ctx context.Context) ([]Point, error) {
	var fs []struct {
		Location     string `json:"location"`
		ForecastData []struct {
			Timestamp string   `json:"timestamp"`
			Value     *float64 `json:"value"`
		} `json:"forecastData"`
	}
	u := strings.TrimRight(c.BaseURL, "/") + "/emissions/forecasts/current?location=" + url.QueryEscape(c.Location)
	if err := getJSON(ctx, c.Client, u, nil, &fs); err != nil {
		return nil, err
	}
	var out []Point
	for _, f := range fs {
		if !strings.EqualFold(f.Location, c.Location) {
			continue
		}
		for i, d := range f.ForecastData {
			ts, err := time.Parse(time.RFC3339, d.Timestamp)
			if err != nil {
				return nil, fmt.Errorf("carbon aware sdk forecast item %d: timestamp %q: %w", i, d.Timestamp, err)
			}
			if d.Value == nil {
				return nil, fmt.Errorf("carbon aware sdk forecast item %d: no value", i)
			}
			if err := checkValue(*d.Value); err != nil {
				return nil, fmt.Errorf("carbon aware sdk forecast item %d: %w", i, err)
			}
			out = append(out, Point{ts.UTC(), *d.Value})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}

// Reading is a current intensity and where it came from.
type Reading struct {
	Point
	// Source: "live", "cached" (a live reading younger than the TTL),
	// "last-known" (the source failed; the last live reading) or "static"
	// (the source failed and nothing was read yet).
	Source string
	// Err is the source's error when the reading is a fallback.
	Err error
}

// Cached puts a cache, a timeout and a fallback around a Source: a live
// reading is reused for TTL; when the source fails, the last known reading
// is used, and before any, the static value. A carbon API being down never
// stops the worker. Without a Source it always answers the static value.
type Cached struct {
	Source  Source
	TTL     time.Duration
	Timeout time.Duration
	// Static is the fallback intensity before any live reading (the
	// config's grid_g_per_kwh); zero means unknown.
	Static float64
	Now    func() time.Time

	mu   sync.Mutex
	last *Point
	at   time.Time
}

// Current returns the intensity to use now.
func (c *Cached) Current(ctx context.Context) Reading {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	if c.Source == nil {
		return Reading{Point: Point{Time: now(), GramsPerKWh: c.Static}, Source: "static"}
	}
	c.mu.Lock()
	if c.last != nil && now().Sub(c.at) < c.TTL {
		r := Reading{Point: *c.last, Source: "cached"}
		c.mu.Unlock()
		return r
	}
	c.mu.Unlock()
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p, err := c.Source.Current(cctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		c.last, c.at = &p, now()
		return Reading{Point: p, Source: "live"}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no answer within %s: %w", timeout, err)
	}
	if c.last != nil {
		return Reading{Point: *c.last, Source: "last-known", Err: err}
	}
	return Reading{Point: Point{Time: now(), GramsPerKWh: c.Static}, Source: "static", Err: err}
}

// TraceSource serves a recorded trace as a live signal, for a worker on a
// localnet or a demo: the clock is mapped onto the trace's year (same
// month, day and time of day), and points come back shifted to the
// present. It has no forecast, so the scheduler learns one; History feeds
// that learner the trace's past, as a live API's history endpoint would.
type TraceSource struct {
	Trace Trace
	Now   func() time.Time
}

// mapped puts now onto the trace: the same month, day and time in the
// trace's year (the year of its middle point, or the one before or after
// when now's date falls outside it), and returns the years shifted.
func (s TraceSource) mapped(now time.Time) (time.Time, int, bool) {
	n := len(s.Trace.Points)
	if n == 0 {
		return time.Time{}, 0, false
	}
	first, last := s.Trace.Points[0].Time, s.Trace.Points[n-1].Time
	base := now.Year() - s.Trace.Points[n/2].Time.Year()
	for _, y := range []int{base, base + 1, base - 1} {
		at := now.AddDate(-y, 0, 0)
		if !at.Before(first) && !at.After(last) {
			return at, y, true
		}
	}
	return time.Time{}, 0, false
}

func (s TraceSource) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Current implements Source.
func (s TraceSource) Current(context.Context) (Point, error) {
	now := s.now()
	at, _, ok := s.mapped(now)
	if !ok {
		return Point{}, fmt.Errorf("trace %s does not cover %s of any year", s.Trace.Zone, now.Format("January 2 15:04"))
	}
	v, _ := s.Trace.At(at)
	return Point{Time: now, GramsPerKWh: v}, nil
}

// Forecast implements Source: a trace replayed live has no forecast (the
// recorded future is not a forecast the node could have had).
func (s TraceSource) Forecast(context.Context) ([]Point, error) { return nil, nil }

// History returns the trace's points of the last d before now, shifted to
// the present, in time order.
func (s TraceSource) History(d time.Duration) []Point {
	now := s.now()
	_, y, ok := s.mapped(now)
	if !ok {
		return nil
	}
	var out []Point
	for _, p := range s.Trace.Points {
		t := p.Time.AddDate(y, 0, 0)
		if t.After(now) {
			break
		}
		if now.Sub(t) <= d {
			out = append(out, Point{t, p.GramsPerKWh})
		}
	}
	return out
}
