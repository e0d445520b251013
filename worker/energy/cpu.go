// Package energy estimates what the worker's work costs: from the RAPL
// energy counters when the machine exposes them, else from the process's
// CPU time times a per-core power draw (configured, or the TDP of the CPU
// model, as CodeCarbon does when no meter is readable). Every estimate says
// which method produced it, so the numbers of different meters are never
// mixed up.
package energy

import (
	"fmt"
	"syscall"
	"time"
)

// MethodCPUTime names the CPU-time × power-per-core estimate.
const MethodCPUTime = "cpu-time×tdp/cores"

// DefaultWattsPerCore is a desktop CPU's TDP spread over its cores (about
// 65 W over 8 cores), used when the config does not say.
const DefaultWattsPerCore = 8.0

// CPUTime returns the CPU time (user + system) the process has used.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Meter turns the work's CPU time, or the machine's RAPL counters, into
// joules and grams of CO2e.
type Meter struct {
	WattsPerCore float64
	// Method names how the meter measures (MethodCPUTime when empty).
	Method string
	// rapl and procStat, when set, measure with the energy counters.
	rapl     *RAPL
	procStat string
	// GridGramsPerKWh is the carbon intensity of the grid the node draws
	// from; zero means unknown (no CO2e is reported).
	GridGramsPerKWh float64
	// RenewablePPM is the renewable share of that grid, in ppm.
	RenewablePPM uint32
}

// Reading is the cost of one piece of work.
type Reading struct {
	Method string
	CPU    time.Duration
	// Exact is the joules before rounding (for benchmarks of small work).
	Exact   float64
	Joules  uint64
	MgCO2e  uint64
	Renew   uint32
	Started time.Time
}

// Span measures the CPU time between Start and Stop.
type Span struct {
	m       Meter
	cpu     time.Duration
	start   time.Time
	sample  Sample
	machine float64
}

// Start begins a measurement.
func (m Meter) Start() Span {
	s := Span{m: m, cpu: CPUTime(), start: time.Now()}
	if m.rapl != nil {
		var err error
		if s.sample, err = m.rapl.Read(); err == nil {
			s.machine, err = MachineCPUTime(m.procStat)
		}
		if err != nil {
			s.sample = nil
		}
	}
	return s
}

// Stop ends it. With RAPL, the worker gets the machine's measured joules
// times its share of the busy CPU time; if a counter cannot be read, the
// span falls back to the CPU-time model and says so in its method.
func (s Span) Stop() Reading {
	cpu := CPUTime() - s.cpu
	if s.sample != nil {
		after, err := s.m.rapl.Read()
		machine, merr := MachineCPUTime(s.m.procStat)
		if err == nil && merr == nil {
			j := Attribute(s.m.rapl.Joules(s.sample, after), cpu.Seconds(), machine-s.machine)
			return s.m.reading(MethodRAPL, cpu, j, s.start)
		}
	}
	return s.m.Of(cpu, s.start)
}

func (m Meter) reading(method string, cpu time.Duration, joules float64, started time.Time) Reading {
	// 1 kWh = 3.6e6 J; g/kWh × J / 3.6e6 = g; × 1000 = mg.
	mg := joules * m.GridGramsPerKWh / 3600
	return Reading{Method: method, CPU: cpu, Exact: joules, Joules: whole(joules), MgCO2e: whole(mg), Renew: m.RenewablePPM, Started: started}
}

// whole rounds to the nearest unit, except that some work never rounds
// to none: the chain's records are whole joules and milligrams, and a
// record of 0 would say nothing was spent.
func whole(x float64) uint64 {
	if x <= 0 {
		return 0
	}
	return max(1, uint64(x+0.5))
}

// Of converts a CPU time to a reading with the CPU-time model.
func (m Meter) Of(cpu time.Duration, started time.Time) Reading {
	w := m.WattsPerCore
	if w <= 0 {
		w = DefaultWattsPerCore
	}
	method := m.Method
	if method == "" || method == MethodRAPL {
		method = MethodCPUTime
	}
	return m.reading(method, cpu, cpu.Seconds()*w, started)
}

// Paths are where NewMeter looks on Linux.
type Paths struct {
	Powercap, CPUInfo, ProcStat string
}

// LinuxPaths are the real files.
var LinuxPaths = Paths{Powercap: "/sys/class/powercap", CPUInfo: "/proc/cpuinfo", ProcStat: "/proc/stat"}

// NewMeter picks the best method the machine allows and says why: RAPL
// counters when readable; otherwise CPU time × the configured watts per
// core when set (wattsPerCore > 0); otherwise × the CPU model family's
// TDP per thread; otherwise × DefaultWattsPerCore.
func NewMeter(wattsPerCore, gridGramsPerKWh float64, renewablePPM uint32, p Paths) (Meter, string) {
	m := Meter{GridGramsPerKWh: gridGramsPerKWh, RenewablePPM: renewablePPM}
	r, rerr := OpenRAPL(p.Powercap)
	if rerr == nil {
		if _, err := MachineCPUTime(p.ProcStat); err != nil {
			rerr = err
		}
	}
	if rerr == nil && wattsPerCore <= 0 {
		m.rapl, m.procStat, m.Method, m.WattsPerCore = r, p.ProcStat, MethodRAPL, DefaultWattsPerCore
		return m, fmt.Sprintf("RAPL counters (%d domains), attributed by CPU share", len(r.Domains))
	}
	if wattsPerCore > 0 {
		m.WattsPerCore, m.Method = wattsPerCore, MethodCPUTime
		return m, fmt.Sprintf("CPU time × %.1f W per core (energy.watts_per_core)", wattsPerCore)
	}
	if ci, err := ReadCPUInfo(p.CPUInfo); err == nil {
		if w, ok := ci.WattsPerCore(); ok {
			m.WattsPerCore, m.Method = w, MethodTDP
			return m, fmt.Sprintf("CPU time × %.1f W per core (a typical %q's TDP per thread; no RAPL: %v)", w, ci.Model, rerr)
		}
	}
	m.WattsPerCore, m.Method = DefaultWattsPerCore, MethodCPUTime
	return m, fmt.Sprintf("CPU time × %.1f W per core (default; no RAPL: %v; CPU model not in the TDP table)", DefaultWattsPerCore, rerr)
}

// Split divides a reading evenly among n artifacts (the remainder one unit
// each to the first), so the per-artifact records add up to the whole;
// when the whole is less than one unit per artifact, each artifact is
// rounded up to one (see whole).
func (r Reading) Split(n int) []Reading {
	if n <= 0 {
		return nil
	}
	out := make([]Reading, n)
	for i := range out {
		out[i] = r
		out[i].CPU = r.CPU / time.Duration(n)
		out[i].Joules = share(r.Joules, n, i)
		out[i].MgCO2e = share(r.MgCO2e, n, i)
	}
	return out
}

// share is part i of total split into n.
func share(total uint64, n, i int) uint64 {
	if total == 0 {
		return 0
	}
	p := total / uint64(n)
	if uint64(i) < total%uint64(n) {
		p++
	}
	return max(p, 1)
}
