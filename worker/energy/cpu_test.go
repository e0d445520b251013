package energy_test

import (
	"testing"
	"time"

	"github.com/h3lix/h3lix/worker/energy"
)

func TestCPUTimeAdvancesWithWork(t *testing.T) {
	span := energy.Meter{WattsPerCore: 10}.Start()
	x := 0
	for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); {
		x++
	}
	r := span.Stop()
	if r.CPU <= 0 || r.Method != energy.MethodCPUTime {
		t.Fatalf("reading %+v after busy work (%d)", r, x)
	}
}

func TestOfAndSplit(t *testing.T) {
	m := energy.Meter{WattsPerCore: 10, GridGramsPerKWh: 360, RenewablePPM: 400_000}
	r := m.Of(10*time.Second, time.Time{})
	if r.Joules != 100 {
		t.Fatalf("10 s × 10 W = %d J, want 100", r.Joules)
	}
	// 100 J = 1/36000 kWh; × 360 g/kWh = 0.01 g = 10 mg.
	if r.MgCO2e != 10 {
		t.Fatalf("mg CO2e %d, want 10", r.MgCO2e)
	}
	parts := r.Split(3)
	var j, mg uint64
	for _, p := range parts {
		j += p.Joules
		mg += p.MgCO2e
	}
	if j != r.Joules || mg != r.MgCO2e {
		t.Fatalf("split does not add up: %d J %d mg", j, mg)
	}
	// Too little work for a joule per artifact still records some.
	small := m.Of(150*time.Millisecond, time.Time{})
	if small.Joules != 2 {
		t.Fatalf("0.15 s × 10 W = %d J, want 2 (1.5 rounded)", small.Joules)
	}
	for i, p := range small.Split(4) {
		if p.Joules != 1 {
			t.Fatalf("part %d of 2 J over 4 artifacts: %d J, want 1 (rounded up)", i, p.Joules)
		}
	}
	if z := m.Of(0, time.Time{}).Split(2); z[0].Joules != 0 || z[1].MgCO2e != 0 {
		t.Fatal("no work splits into nothing")
	}
	if r.Split(0) != nil {
		t.Fatal("split into 0 parts")
	}
	if d := (energy.Meter{}).Of(time.Second, time.Time{}); d.Joules != 8 {
		t.Fatalf("default watts: %d J", d.Joules)
	}
}
