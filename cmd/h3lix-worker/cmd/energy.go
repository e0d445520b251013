package cmd

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/h3lix/h3lix/worker/energy/carbon"
	"github.com/h3lix/h3lix/worker/schedule"
)

func newBenchEnergyCmd() *cobra.Command {
	var (
		tracePath, zone, window, split, output string
		duty                                   float64
		forecast                               string
		foresightD                             time.Duration
	)
	c := &cobra.Command{
		Use:   "energy --trace FILE",
		Short: "Replay a carbon-intensity trace through always-on, the scheduler's policy and a clairvoyant oracle",
		Long: `energy replays a grid carbon-intensity trace (the CSV of ../shared/bench/carbon,
or Carbon Aware SDK or Electricity Maps JSON) slot by slot. Always-on works every
slot at half the machine's capacity; the policy and the oracle work at full
capacity in at most a share --duty of each window's slots; the oracle knows the
whole window in advance, the policy only the past: an online learner (one
linear model per lead time, fitted by recursive least squares on the targets
already seen) or a daily profile plus today's departure from it, fading with a
half-life. It prints, for each strategy,
artifacts per day (one per hour of full work), gCO2e per artifact, the cut
against always-on and the policy's cut as a share of the oracle's.

The forecast is chosen on the windows before --split (default: the middle of
the trace) and the figures are those of the windows after it, so they are out
of sample; --forecast fixes it instead and reports the whole trace.

--foresight D is a diagnostic, not a policy: the policy sees the trace's true
intensity for the next D in place of its forecast at those leads. It bounds
what a forecast that good would give, and shows which lead times the policy's
gap to the oracle comes from.`,
		Example: `h3lix-worker bench energy --trace ../shared/bench/carbon/de-2020.csv --duty 0.45 --window day
h3lix-worker bench energy --trace gb-2020.csv --duty 0.45 --window week -o json
h3lix-worker bench energy --trace ../shared/bench/carbon/de-2020.csv --foresight 4h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if tracePath == "" {
				return fmt.Errorf("--trace is required: a carbon-intensity trace file")
			}
			w, err := schedule.ParseWindow(window)
			if err != nil {
				return err
			}
			if foresightD < 0 {
				return fmt.Errorf("--foresight %s: must be 0 (none) or positive", foresightD)
			}
			if !(duty > 0 && duty <= 1) { // also refuses NaN
				return fmt.Errorf("--duty %v: must be in (0, 1], e.g. 0.45", duty)
			}
			p := schedule.Policy{Duty: duty, Window: w}
			tr, err := carbon.LoadTrace(tracePath, zone)
			if err != nil {
				return err
			}
			var rep schedule.Report
			if cmd.Flags().Changed("forecast") {
				fc, err := schedule.ParseForecast(forecast)
				if err != nil {
					return err
				}
				if foresightD > 0 {
					fc.Foresight = foresightD
				}
				rep, err = schedule.Run(tr, p, fc, schedule.Span{})
			} else {
				var until time.Time
				if split != "" {
					if until, err = time.Parse(time.DateOnly, split); err != nil {
						return fmt.Errorf("--split %q: want YYYY-MM-DD", split)
					}
				} else {
					first, last := tr.Points[0].Time, tr.Points[len(tr.Points)-1].Time
					until = first.Add(last.Sub(first) / 2).Truncate(24 * time.Hour)
				}
				rep, err = schedule.Tune(tr, p, until, foresightD)
			}
			if err != nil {
				return err
			}
			rep.Trace = tracePath
			out := cmd.OutOrStdout()
			if output == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			span := fmt.Sprintf("whole trace, forecast %s fixed by --forecast", rep.Forecast)
			if !rep.From.IsZero() {
				span = fmt.Sprintf("windows from %s (out of sample: the forecast %s was chosen on the windows before)", rep.From.Format(time.DateOnly), rep.Forecast)
			}
			fmt.Fprintf(out, "%s (%s), %.0f days of %s slots, duty %.2f, window %s; %s\n", tr.Zone, tracePath, rep.Days, rep.Step, rep.Duty, rep.Window, span)
			if foresightD > 0 {
				fmt.Fprintf(out, "diagnostic: the policy saw the true intensity of the next %s (--foresight); its row bounds a forecast that good and is not a policy result\n", foresightD)
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "strategy\tartifacts/day\tgCO2e/artifact\tcut vs always-on\twork vs always-on\tshare of oracle's cut\t")
			for _, s := range rep.Strategies {
				fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.1f %%\t%.2f\t%.2f\t\n", s.Name, s.ArtifactsPerDay, s.GCO2ePerArtifact, 100*s.Reduction, s.WorkVsAlwaysOn, s.ShareOfOracle)
			}
			return tw.Flush()
		},
	}
	f := c.Flags()
	f.StringVar(&tracePath, "trace", "", "carbon-intensity trace: CSV (Time,Carbon Intensity), Carbon Aware SDK or Electricity Maps JSON")
	f.StringVar(&zone, "zone", "", "zone name (CSV) or location to pick (Carbon Aware SDK JSON)")
	f.Float64Var(&duty, "duty", 0.45, "share of each window's slots the scheduled strategies may use")
	f.StringVar(&window, "window", "day", "window the duty applies to: day or week")
	f.StringVar(&split, "split", "", "YYYY-MM-DD: tune on the windows before, report those after (default: mid-trace)")
	f.StringVar(&forecast, "forecast", "learner", "fix the forecast instead of choosing it: learner, profile, or profile+anomaly/HALF-LIFE (e.g. profile+anomaly/6h)")
	f.DurationVar(&foresightD, "foresight", 0, "diagnostic: let the policy see the true intensity of the next DURATION (e.g. 4h), a bound for a forecast that good")
	f.StringVarP(&output, "output", "o", "text", "text or json")
	return c
}
