// Package dashboard is the page a worker serves at / on its API port: the
// round and its countdown, the latest field, the reputation leaderboard,
// the node's learning curve, energy and CO2e per round, and the artifacts
// it produced and verified. It reads the worker's /status and the chain's
// REST API through the worker's /chain/ proxy (same origin, so the chain
// needs no CORS settings), and polls both. The assets are embedded; the
// chart library is uPlot (MIT), vendored from npm by
// scripts/dashboard-vendor.sh.
package dashboard

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// UPlotVersion is the vendored chart library's version.
const UPlotVersion = "1.6.32"

// Assets is the embedded file tree (index.html, app.js, style.css, vendor/).
func Assets() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Index serves the page itself.
func Index() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := fs.ReadFile(Assets(), "index.html")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	})
}

// Files serves the assets under the given prefix (e.g. /dashboard/).
func Files(prefix string) http.Handler {
	return http.StripPrefix(prefix, http.FileServerFS(Assets()))
}
