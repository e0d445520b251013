package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// chromiumPath finds Debian's chromium (CI installs it); without it the
// browser checks skip, unless H3LIX_REQUIRE_CHROMIUM is set (CI), where
// they fail.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("H3LIX_REQUIRE_CHROMIUM") != "" {
		t.Fatal("H3LIX_REQUIRE_CHROMIUM is set but no chromium is installed (apt-get install -y chromium)")
	}
	t.Skip("no chromium: apt-get install -y chromium to run the dashboard's browser test")
	return ""
}

// browser starts headless Chromium with the flags this machine's closed
// network needs, and collects console errors and uncaught exceptions.
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &browser{ctx: ctx}
	// The first Do starts the browser; then subscribe to its console before
	// any page loads.
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("about:blank")))
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.errors = append(b.errors, m.String())
				b.mu.Unlock()
			}
		}
	}()
	return b
}

func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// pageView is what the dashboard shows, read from its DOM.
type pageView struct {
	Round       string            `json:"round"`
	FieldRound  string            `json:"fieldRound"`
	Field       map[string]string `json:"field"`       // artifact id -> weight ppm
	Leaderboard map[string]string `json:"leaderboard"` // operator -> score ppm
	Operator    string            `json:"operator"`
	Conn        string            `json:"conn"`
	Overflow    bool              `json:"overflow"`
	Curve       int               `json:"curve"`
}

const readPage = `(() => {
  const v = {round: document.getElementById("round").textContent,
    fieldRound: document.getElementById("last-field-round").textContent,
    field: {}, leaderboard: {},
    operator: document.getElementById("operator").textContent,
    conn: document.getElementById("conn").textContent,
    overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
    curve: typeof curveChart === "undefined" ? -1 : curveChart.data[0].length};
  document.querySelectorAll("#field tbody tr").forEach(r => {
    v.field[r.dataset.artifact] = r.cells[2].dataset.weightPpm; });
  document.querySelectorAll("#leaderboard tbody tr").forEach(r => {
    v.leaderboard[r.dataset.operator] = r.cells[2].dataset.scorePpm; });
  return v; })()`

func (b *browser) view() (pageView, error) {
	return chromedp.Run(b.ctx, chromedp.Evaluate[pageView](readPage))
}

// restView is the same facts read from the chain's REST API.
func restView(rest string) (pageView, error) {
	var firstErr error
	get := func(path string, v any) {
		if firstErr != nil {
			return
		}
		resp, err := http.Get(rest + path) //nolint:gosec // loopback
		if err != nil {
			firstErr = err
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("%s: %s: %s", path, resp.Status, body)
		}
		if err == nil {
			err = json.Unmarshal(body, v)
		}
		firstErr = err
	}
	var cr struct {
		Round struct {
			ID string `json:"id"`
		} `json:"round"`
	}
	get("/h3lix/ccf/v1/current_round", &cr)
	var lf struct {
		Field struct {
			Round   string `json:"round"`
			Entries []struct {
				ID     string `json:"artifact_id"`
				Weight uint32 `json:"weight_ppm"`
			} `json:"entries"`
		} `json:"field"`
	}
	get("/h3lix/ccf/v1/latest_field", &lf)
	var lb struct {
		Reputations []struct {
			Operator string `json:"operator"`
			Score    uint32 `json:"score_ppm"`
		} `json:"reputations"`
	}
	get("/h3lix/reputation/v1/leaderboard?pagination.limit=50", &lb)
	v := pageView{Round: cr.Round.ID, FieldRound: lf.Field.Round, Field: map[string]string{}, Leaderboard: map[string]string{}}
	for _, e := range lf.Field.Entries {
		v.Field[e.ID] = fmt.Sprint(e.Weight)
	}
	for _, r := range lb.Reputations {
		v.Leaderboard[r.Operator] = fmt.Sprint(r.Score)
	}
	return v, firstErr
}

// checkDashboard opens a worker's dashboard in headless Chromium and checks
// that it loads without console errors, shows the round, the latest field
// and the leaderboard as the chain's REST API does, follows the chain to
// the next finalized field, and fits a phone's width. Screenshots go to the
// test's artifact directory (go test -artifacts).
func checkDashboard(t *testing.T, workerAPI, rest string, timeout time.Duration) {
	t.Helper()
	b := newBrowser(t)
	url := "http://" + workerAPI + "/"
	ready := `document.body.dataset.updated && document.getElementById("conn").textContent === "live"`
	require.NoError(t, chromedp.Do(b.ctx,
		chromedp.EmulateViewport(1280, 1000),
		chromedp.Navigate(url),
	))
	_, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](ready, chromedp.WithPollingTimeout(30*time.Second)))
	require.NoError(t, err, "the dashboard did not come up live; console: %v", b.consoleErrors())

	// The page agrees with REST. Both move with the chain, so read the page,
	// then REST, until one pair agrees.
	// A read that fails (the chain between blocks, the page between
	// renders) is retried, not fatal.
	var page, chain pageView
	var lastErr error
	agree := func() bool {
		var err error
		if page, err = b.view(); err != nil {
			lastErr = err
			return false
		}
		if chain, err = restView(rest); err != nil {
			lastErr = err
			return false
		}
		return page.FieldRound == chain.FieldRound && equalMaps(page.Field, chain.Field) &&
			equalMaps(page.Leaderboard, chain.Leaderboard) && page.Round == chain.Round
	}
	require.Eventually(t, agree, 30*time.Second, 500*time.Millisecond, "page %+v\nREST %+v\nlast error %v", page, chain, lastErr)
	require.NotEmpty(t, page.Leaderboard, "the leaderboard is empty")
	require.Positive(t, page.Curve, "the learning curve chart has no points (or the page has no chart)")
	require.False(t, page.Overflow, "the page is wider than the window")
	first := page.FieldRound
	shot(t, b, "dashboard-desktop.png")

	// It follows the chain: the next finalized field appears without a reload.
	require.Eventually(t, func() bool { v, err := b.view(); return err == nil && v.FieldRound != first }, timeout, time.Second,
		"the page still shows the field of round %s", first)
	require.Eventually(t, agree, 30*time.Second, 500*time.Millisecond, "after the next field: page %+v\nREST %+v\nlast error %v", page, chain, lastErr)
	t.Logf("dashboard at %s: field of round %s -> %s, %d entries, %d on the leaderboard",
		url, first, page.FieldRound, len(page.Field), len(page.Leaderboard))

	// A phone's width: everything stacks, nothing overflows.
	require.NoError(t, chromedp.Do(b.ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)))
	require.Eventually(t, func() bool { v, err := b.view(); return err == nil && !v.Overflow }, 10*time.Second, 250*time.Millisecond,
		"the page overflows a 390 px wide screen")
	shot(t, b, "dashboard-phone.png")
	require.Empty(t, b.consoleErrors(), "the dashboard logged errors")
}

func shot(t *testing.T, b *browser, name string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	path := filepath.Join(t.ArtifactDir(), name)
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}

// TestDashboardAgainstRunningNetwork runs the browser check against a
// worker that is already running (e.g. 'make localnet'): set
// H3LIX_DASHBOARD_WORKER=127.0.0.1:8480 (and H3LIX_DASHBOARD_REST, default
// http://127.0.0.1:1317). TestWorkers runs the same check on its own
// network.
func TestDashboardAgainstRunningNetwork(t *testing.T) {
	w := os.Getenv("H3LIX_DASHBOARD_WORKER")
	if w == "" {
		t.Skip("set H3LIX_DASHBOARD_WORKER=HOST:PORT of a running worker's API")
	}
	rest := os.Getenv("H3LIX_DASHBOARD_REST")
	if rest == "" {
		rest = "http://127.0.0.1:1317"
	}
	checkDashboard(t, w, rest, 2*time.Minute)
}
