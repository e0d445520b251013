#!/usr/bin/env bash
# Refreshes the dashboard's vendored chart library from the npm registry:
# uPlot's minified browser build, its stylesheet and its licence, into
# worker/api/dashboard/static/vendor/. The files are committed, so a build
# needs neither npm nor the network. Bump UPlotVersion in dashboard.go too.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=${1:-1.6.32}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "uplot@$VERSION" >/dev/null && tar xzf "uplot-$VERSION.tgz")
dst=worker/api/dashboard/static/vendor
cp "$tmp/package/dist/uPlot.iife.min.js" "$tmp/package/dist/uPlot.min.css" "$dst/"
cp "$tmp/package/LICENSE" "$dst/LICENSE-uPlot"
echo "uPlot $VERSION -> $dst"
