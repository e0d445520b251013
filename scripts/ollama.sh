#!/usr/bin/env bash
# make ollama: builds Ollama $OLLAMA_VERSION from its Go module into
# ./bin/ollama, for the llm engine's tests against a real model server
# (worker/engine/llm/llmtest). Nothing is downloaded but Go modules; the
# model the tests serve is ../shared/models/stories260K.gguf.
#
# `go install …@v…` does not work for Ollama (its go.mod has replace
# directives), so it is built inside a scratch module outside the repo.
# v0.6.5 is pinned: newer module zips lack the vendored C++ headers that
# cgo needs. A cold build takes about 4 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

OLLAMA_VERSION=${OLLAMA_VERSION:-v0.6.5}
OUT=${OLLAMA_BIN:-$(pwd)/bin/ollama}

log() { echo "ollama: $*" >&2; }
die() { echo "ollama: FAIL: $*" >&2; exit 1; }

command -v go >/dev/null || die "go not found in PATH"
command -v g++ >/dev/null || die "g++ not found: Ollama's llama.cpp runner is C++ built with cgo (apt-get install -y g++)"

want=${OLLAMA_VERSION#v}
if [ -x "$OUT" ] && "$OUT" --version 2>/dev/null | grep -q "$want"; then
	log "$OUT is already $want"
	exit 0
fi
BUILD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/h3lix-ollamabuild.XXXXXX")
trap 'rm -rf "$BUILD_DIR"; rm -f "$OUT.tmp"' EXIT
mkdir -p "$(dirname "$OUT")"
log "building ollama $OLLAMA_VERSION from its Go module into $OUT (a few minutes the first time)"
t0=$(date +%s)
(
	cd "$BUILD_DIR"
	export GOWORK=off GOFLAGS="${GOFLAGS:-} -mod=mod" CGO_ENABLED=1
	go mod init ollamabuild >/dev/null 2>&1
	go get "github.com/ollama/ollama@$OLLAMA_VERSION"
	# -X sets the version the binary reports, which is how a rebuild is skipped.
	go build -ldflags "-X github.com/ollama/ollama/version.Version=$want" -o "$OUT.tmp" github.com/ollama/ollama
) || die "could not build ollama $OLLAMA_VERSION (see the go output above)"
mv -f "$OUT.tmp" "$OUT"
"$OUT" --version 2>&1 | grep -q "$want" || die "built $OUT but '$OUT --version' does not say $want"
log "built ollama $want in $(($(date +%s) - t0))s"
