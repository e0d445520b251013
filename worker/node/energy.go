package node

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/h3lix/h3lix/worker/energy/carbon"
	"github.com/h3lix/h3lix/worker/schedule"
)

// NewScheduler builds the carbon signal the config names and the
// scheduler that reads it. A live API's failure at run time never stops
// the worker (the cache falls back to the last reading, then to
// grid_g_per_kwh); a trace that cannot be read is a config error now.
func NewScheduler(cfg Config, log *slog.Logger) (*schedule.Scheduler, error) {
	e := cfg.Energy
	var (
		src     carbon.Source
		fc      carbon.Source
		history []carbon.Point
	)
	switch e.CarbonSource {
	case "static":
		// No source: the cache answers with grid_g_per_kwh.
	case "trace":
		tr, err := carbon.LoadTrace(e.CarbonTrace, e.GridZone)
		if err != nil {
			return nil, fmt.Errorf("energy.carbon_trace: %w", err)
		}
		ts := carbon.TraceSource{Trace: tr}
		if _, err := ts.Current(context.Background()); err != nil {
			return nil, fmt.Errorf("energy.carbon_trace: %w", err)
		}
		src, history = ts, ts.History(14*24*time.Hour)
	case "electricitymaps":
		em := carbon.ElectricityMaps{BaseURL: e.CarbonURL, Zone: e.GridZone, Token: e.CarbonToken}
		src, fc = em, em
	case "carbon-aware":
		ca := carbon.CarbonAware{BaseURL: e.CarbonURL, Location: e.GridZone}
		src, fc = ca, ca
	default:
		return nil, fmt.Errorf("energy.carbon_source %q: use static, trace, electricitymaps or carbon-aware", e.CarbonSource)
	}
	cached := &carbon.Cached{Source: src, TTL: e.CarbonTTL, Static: e.GridGPerKWh}
	p := schedule.Policy{Duty: cfg.Schedule.Duty, Window: schedule.Window(cfg.Schedule.Window), Ceiling: cfg.Schedule.Ceiling}
	s, err := schedule.NewScheduler(p, cfg.Schedule.Slot, cached, schedule.Options{
		Forecaster: fc, History: history, StatePath: filepath.Join(cfg.Home, "data", "schedule.json"),
	})
	if err != nil {
		return nil, err
	}
	log.Info("carbon signal", "source", e.CarbonSource, "zone", e.GridZone, "duty", p.Duty, "window", p.Window, "ceiling_g_per_kwh", p.Ceiling, "slot", cfg.Schedule.Slot)
	return s, nil
}
