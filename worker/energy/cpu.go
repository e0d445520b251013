// Package energy estimates what the worker's work costs. For now it knows
// one method: the process's CPU time times a per-core power draw (the model
// CodeCarbon falls back to when no power meter is readable). Every estimate
// says which method produced it, so better meters can be added without
// mixing their numbers up with this one's.
package energy

import (
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

// Meter turns CPU time into joules and grams of CO2e.
type Meter struct {
	WattsPerCore float64
	// GridGramsPerKWh is the carbon intensity of the grid the node draws
	// from; zero means unknown (no CO2e is reported).
	GridGramsPerKWh float64
	// RenewablePPM is the renewable share of that grid, in ppm.
	RenewablePPM uint32
}

// Reading is the cost of one piece of work.
type Reading struct {
	Method  string
	CPU     time.Duration
	Joules  uint64
	MgCO2e  uint64
	Renew   uint32
	Started time.Time
}

// Span measures the CPU time between Start and Stop.
type Span struct {
	m     Meter
	cpu   time.Duration
	start time.Time
}

// Start begins a measurement.
func (m Meter) Start() Span { return Span{m: m, cpu: CPUTime(), start: time.Now()} }

// Stop ends it.
func (s Span) Stop() Reading { return s.m.Of(CPUTime()-s.cpu, s.start) }

// Of converts a CPU time to a reading.
func (m Meter) Of(cpu time.Duration, started time.Time) Reading {
	w := m.WattsPerCore
	if w <= 0 {
		w = DefaultWattsPerCore
	}
	j := cpu.Seconds() * w
	// 1 kWh = 3.6e6 J; g/kWh × J / 3.6e6 = g; × 1000 = mg.
	mg := j * m.GridGramsPerKWh / 3600
	return Reading{Method: MethodCPUTime, CPU: cpu, Joules: uint64(j + 0.5), MgCO2e: uint64(mg + 0.5), Renew: m.RenewablePPM, Started: started}
}

// Split divides a reading evenly among n artifacts (the remainder goes to
// the first), so the per-artifact records add up to the whole.
func (r Reading) Split(n int) []Reading {
	if n <= 0 {
		return nil
	}
	out := make([]Reading, n)
	for i := range out {
		out[i] = r
		out[i].CPU = r.CPU / time.Duration(n)
		out[i].Joules = r.Joules / uint64(n)
		out[i].MgCO2e = r.MgCO2e / uint64(n)
	}
	out[0].Joules += r.Joules % uint64(n)
	out[0].MgCO2e += r.MgCO2e % uint64(n)
	return out
}
