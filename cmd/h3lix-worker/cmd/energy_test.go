package cmd

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// writeSineTrace writes 30 days of a daily cycle as a shared-format CSV.
func writeSineTrace(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("Time,Carbon Intensity\n")
	start := time.Date(2020, 3, 2, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 30*24; i++ {
		at := start.Add(time.Duration(i) * time.Hour)
		fmt.Fprintf(&b, "%s,%.2f\n", at.Format("2006-01-02 15:04:05"), 300+150*math.Sin(float64(i)/24*2*math.Pi))
	}
	p := filepath.Join(t.TempDir(), "sine.csv")
	require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o600))
	return p
}

func TestBenchEnergy(t *testing.T) {
	trace := writeSineTrace(t)
	out, _, err := run(t, "bench", "energy", "--trace", trace, "--duty", "0.45", "--window", "day")
	require.NoError(t, err)
	require.Contains(t, out, "out of sample")
	for _, s := range []string{"always_on", "policy", "oracle"} {
		require.Contains(t, out, s)
	}
	out, _, err = run(t, "bench", "energy", "--trace", trace, "--window", "week", "--forecast", "profile+anomaly/6h", "-o", "json")
	require.NoError(t, err)
	var rep struct {
		Zone       string `json:"zone"`
		Strategies []struct {
			Name            string  `json:"strategy"`
			ArtifactsPerDay float64 `json:"artifacts_per_day"`
			GPerArtifact    float64 `json:"g_co2e_per_artifact"`
			ShareOfOracle   float64 `json:"share_of_oracle"`
		} `json:"strategies"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	require.Equal(t, "sine", rep.Zone)
	require.Len(t, rep.Strategies, 3)
	require.Equal(t, "oracle", rep.Strategies[2].Name)
	require.Equal(t, 1.0, rep.Strategies[2].ShareOfOracle)
	require.Less(t, rep.Strategies[2].GPerArtifact, rep.Strategies[0].GPerArtifact)

	// --foresight is labelled a diagnostic in the text and the JSON.
	out, _, err = run(t, "bench", "energy", "--trace", trace, "--foresight", "3h")
	require.NoError(t, err)
	require.Contains(t, out, "diagnostic: the policy saw the true intensity of the next 3h0m0s")
	require.Contains(t, out, "+foresight/3h0m0s")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "energy"}, "--trace is required"},
		{[]string{"bench", "energy", "--trace", trace, "--foresight", "-1h"}, "--foresight -1h0m0s: must be 0"},
		{[]string{"bench", "energy", "--trace", trace, "--forecast", "learner+foresight/soon"}, `forecast "learner+foresight/soon"`},
		{[]string{"bench", "energy", "--trace", trace, "--window", "month"}, `window "month"`},
		{[]string{"bench", "energy", "--trace", trace, "--duty", "2"}, "duty 2"},
		{[]string{"bench", "energy", "--trace", trace, "--split", "soon"}, "--split"},
		{[]string{"bench", "energy", "--trace", filepath.Join(t.TempDir(), "none.csv")}, "no such file"},
	} {
		_, _, err := run(t, tc.args...)
		require.ErrorContains(t, err, tc.want, "%v", tc.args)
	}
}
