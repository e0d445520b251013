package carbon_test

import (
	"strings"
	"testing"

	"github.com/h3lix/h3lix/worker/energy/carbon"
)

// FuzzTraceDecoders: no input makes a decoder panic, and what they accept is
// a sorted trace of plausible intensities without duplicate times.
func FuzzTraceDecoders(f *testing.F) {
	f.Add("Time,Carbon Intensity\n2020-01-01 00:00:00,218.29\n2020-01-01 00:15:00,217.88\n")
	f.Add("Time,Carbon Intensity\n\"2020-01-01,1\n")
	f.Add(`[{"location":"eastus","time":"2022-06-01T14:45:00Z","duration":"00:05:00","rating":467.38}]`)
	f.Add(`{"zone":"DE","history":[{"carbonIntensity":302,"datetime":"2019-05-21T00:00:00.000Z"}]}`)
	f.Fuzz(func(t *testing.T, in string) {
		check := func(tr carbon.Trace, err error) {
			if err != nil {
				return
			}
			if len(tr.Points) == 0 {
				t.Fatal("accepted an empty trace")
			}
			for i, p := range tr.Points {
				if p.GramsPerKWh < 0 || p.GramsPerKWh > 5000 || p.GramsPerKWh != p.GramsPerKWh {
					t.Fatalf("accepted intensity %v", p.GramsPerKWh)
				}
				if i > 0 && !tr.Points[i-1].Time.Before(p.Time) {
					t.Fatalf("points out of order at %d", i)
				}
			}
		}
		check(carbon.ReadCSV(strings.NewReader(in), "z"))
		check(carbon.DecodeCarbonAware([]byte(in), ""))
		check(carbon.DecodeElectricityMaps([]byte(in)))
	})
}
