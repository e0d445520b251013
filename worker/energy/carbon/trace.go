// Package carbon gives the worker the carbon intensity of its grid, in
// gCO2e/kWh: now, and a forecast for the hours ahead. A Trace is a recorded
// series (the benchmark traces, or the history a carbon API returns), read
// from the formats the worker meets: the CSV of ../shared/bench/carbon, the
// Carbon Aware SDK's /emissions/bylocation JSON and Electricity Maps'
// history JSON. Replay serves a trace as a live source would; Profile learns
// a forecast from what the node has seen, never from the future.
package carbon

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Point is the carbon intensity from Time on, in gCO2e/kWh.
type Point struct {
	Time        time.Time
	GramsPerKWh float64
}

// Trace is a series of points in time order, for one zone.
type Trace struct {
	Zone   string
	Points []Point
}

// maxIntensity bounds a plausible reading: the dirtiest grids stay under
// about 1,200 gCO2e/kWh; a value far above is a unit or parsing error.
const maxIntensity = 5000

func checkValue(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > maxIntensity {
		return fmt.Errorf("intensity %v gCO2e/kWh is not a number in [0, %d]", v, maxIntensity)
	}
	return nil
}

// finish sorts the points, refuses duplicates and an empty trace.
func finish(t Trace, what string) (Trace, error) {
	if len(t.Points) == 0 {
		return t, fmt.Errorf("%s: no data points", what)
	}
	sort.SliceStable(t.Points, func(i, j int) bool { return t.Points[i].Time.Before(t.Points[j].Time) })
	for i := 1; i < len(t.Points); i++ {
		if t.Points[i].Time.Equal(t.Points[i-1].Time) {
			return t, fmt.Errorf("%s: two points at %s", what, t.Points[i].Time.Format(time.RFC3339))
		}
	}
	return t, nil
}

// csvTimeLayout is the Time column of the shared traces (UTC).
const csvTimeLayout = "2006-01-02 15:04:05"

// ReadCSV reads a trace with the header "Time,Carbon Intensity": times as
// "YYYY-MM-DD HH:MM:SS" in UTC (or RFC 3339), intensities in gCO2e/kWh.
// Errors name the line.
func ReadCSV(r io.Reader, zone string) (Trace, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	t := Trace{Zone: zone}
	header, err := cr.Read()
	if err != nil {
		return t, fmt.Errorf("csv trace line 1: %w", err)
	}
	if len(header) != 2 || !strings.EqualFold(strings.TrimSpace(header[0]), "Time") || !strings.EqualFold(strings.TrimSpace(header[1]), "Carbon Intensity") {
		return t, fmt.Errorf("csv trace line 1: header %q, want \"Time,Carbon Intensity\"", strings.Join(header, ","))
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// A csv.ParseError names its line; FieldPos is only valid
			// after a successful read.
			return t, fmt.Errorf("csv trace: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != 2 {
			return t, fmt.Errorf("csv trace line %d: %d fields, want 2", line, len(rec))
		}
		ts, err := parseTime(strings.TrimSpace(rec[0]))
		if err != nil {
			return t, fmt.Errorf("csv trace line %d: %w", line, err)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		if err == nil {
			err = checkValue(v)
		}
		if err != nil {
			return t, fmt.Errorf("csv trace line %d: %w", line, err)
		}
		t.Points = append(t.Points, Point{ts, v})
	}
	return finish(t, "csv trace")
}

func parseTime(s string) (time.Time, error) {
	if ts, err := time.Parse(csvTimeLayout, s); err == nil {
		return ts.UTC(), nil
	}
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return ts, fmt.Errorf("time %q: want YYYY-MM-DD HH:MM:SS (UTC) or RFC 3339", s)
	}
	return ts.UTC(), nil
}

// carbonAwareItem is one item of the Carbon Aware SDK's
// GET /emissions/bylocation(s) response.
type carbonAwareItem struct {
	Location string   `json:"location"`
	Time     string   `json:"time"`
	Duration string   `json:"duration"`
	Rating   *float64 `json:"rating"`
}

// DecodeCarbonAware reads the Carbon Aware SDK's emissions JSON: an array of
// {location, time, duration, rating}. Items of other locations than zone
// (when zone is set) are skipped.
func DecodeCarbonAware(data []byte, zone string) (Trace, error) {
	var items []carbonAwareItem
	if err := json.Unmarshal(data, &items); err != nil {
		return Trace{Zone: zone}, fmt.Errorf("carbon aware sdk json: %w", err)
	}
	t := Trace{Zone: zone}
	for i, it := range items {
		if zone != "" && !strings.EqualFold(it.Location, zone) {
			continue
		}
		if t.Zone == "" {
			t.Zone = it.Location
		}
		ts, err := time.Parse(time.RFC3339, it.Time)
		if err != nil {
			return t, fmt.Errorf("carbon aware sdk json item %d: time %q: %w", i, it.Time, err)
		}
		if it.Rating == nil {
			return t, fmt.Errorf("carbon aware sdk json item %d: no rating", i)
		}
		if err := checkValue(*it.Rating); err != nil {
			return t, fmt.Errorf("carbon aware sdk json item %d: %w", i, err)
		}
		t.Points = append(t.Points, Point{ts.UTC(), *it.Rating})
	}
	return finish(t, "carbon aware sdk json")
}

// electricityMapsHistory is Electricity Maps' carbon-intensity/history (and
// forecast, with "forecast" in place of "history") response.
type electricityMapsHistory struct {
	Zone     string                `json:"zone"`
	History  []electricityMapsItem `json:"history"`
	Forecast []electricityMapsItem `json:"forecast"`
}

type electricityMapsItem struct {
	Datetime        string   `json:"datetime"`
	CarbonIntensity *float64 `json:"carbonIntensity"`
}

// DecodeElectricityMaps reads Electricity Maps' history or forecast JSON:
// {zone, history: [{datetime, carbonIntensity}]} (or forecast: [...]).
func DecodeElectricityMaps(data []byte) (Trace, error) {
	var h electricityMapsHistory
	if err := json.Unmarshal(data, &h); err != nil {
		return Trace{}, fmt.Errorf("electricity maps json: %w", err)
	}
	items, key := h.History, "history"
	if len(items) == 0 {
		items, key = h.Forecast, "forecast"
	}
	t := Trace{Zone: h.Zone}
	for i, it := range items {
		ts, err := time.Parse(time.RFC3339, it.Datetime)
		if err != nil {
			return t, fmt.Errorf("electricity maps json %s[%d]: datetime %q: %w", key, i, it.Datetime, err)
		}
		if it.CarbonIntensity == nil {
			// Electricity Maps leaves gaps as null: skip them.
			continue
		}
		if err := checkValue(*it.CarbonIntensity); err != nil {
			return t, fmt.Errorf("electricity maps json %s[%d]: %w", key, i, err)
		}
		t.Points = append(t.Points, Point{ts.UTC(), *it.CarbonIntensity})
	}
	return finish(t, "electricity maps json")
}

// LoadTrace reads a trace file in any of the three formats, told apart by
// content: a JSON array is Carbon Aware SDK, a JSON object Electricity Maps,
// anything else CSV. zone names the trace (CSV has none) or picks the
// location in a Carbon Aware SDK file.
func LoadTrace(path, zone string) (Trace, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Trace{}, err
	}
	first := bytes.TrimLeft(data, " \t\r\n\ufeff")
	var t Trace
	switch {
	case len(first) > 0 && first[0] == '[':
		t, err = DecodeCarbonAware(data, zone)
	case len(first) > 0 && first[0] == '{':
		t, err = DecodeElectricityMaps(data)
	default:
		if zone == "" {
			zone = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		}
		t, err = ReadCSV(bufio.NewReader(bytes.NewReader(data)), zone)
	}
	if err != nil {
		return t, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// At is the intensity in force at time at: the last point at or before it.
// It never looks past at. ok is false before the first point.
func (t Trace) At(at time.Time) (float64, bool) {
	i := sort.Search(len(t.Points), func(i int) bool { return t.Points[i].Time.After(at) })
	if i == 0 {
		return 0, false
	}
	return t.Points[i-1].GramsPerKWh, true
}

// Step is the trace's usual spacing (the median gap between points).
func (t Trace) Step() time.Duration {
	if len(t.Points) < 2 {
		return time.Hour
	}
	gaps := make([]time.Duration, 0, len(t.Points)-1)
	for i := 1; i < len(t.Points); i++ {
		gaps = append(gaps, t.Points[i].Time.Sub(t.Points[i-1].Time))
	}
	sort.Slice(gaps, func(i, j int) bool { return gaps[i] < gaps[j] })
	return gaps[len(gaps)/2]
}
