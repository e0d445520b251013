#!/usr/bin/env bash
# make test-kubo: runs worker/store's Kubo-mode tests (build tag kubo) against
# a real, throwaway Kubo daemon.
#
#  1. Builds Kubo $KUBO_VERSION from its Go module into ./bin/ipfs unless a
#     binary of that version is already there. (`go install …/cmd/ipfs@v…`
#     fails on some module proxies; `go get` + `go build` inside a scratch
#     module outside the repo works.)
#  2. Creates a temporary IPFS_PATH (`ipfs init --profile test`): API and
#     Gateway on 127.0.0.1 with kernel-chosen free ports, Swarm on 127.0.0.1
#     only, no bootstrap peers, no MDNS, no AutoConf, telemetry off, and a
#     random API.Authorizations bearer secret (so the Authorization header
#     path is exercised too).
#  3. Starts `ipfs daemon --offline`, waits for POST /api/v0/version, runs
#     H3LIX_KUBO_API=… H3LIX_KUBO_AUTH=… H3LIX_KUBO_GC=1 \
#       go test -tags kubo -count=1 -v -run Kubo ./worker/store/
#     (repo/gc is safe here: the daemon is ours and thrown away.)
#  4. Always stops the daemon and removes the temporary directories.
#
# Environment: KUBO_VERSION (default v0.43.0), IPFS_BIN (default ./bin/ipfs),
# KUBO_START_TIMEOUT (seconds, default 60), KUBO_TEST_RUN (default Kubo).
# Extra arguments go to `go test` (e.g. -short skips the 175 MiB payload).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

KUBO_VERSION=${KUBO_VERSION:-v0.43.0}
IPFS=${IPFS_BIN:-$REPO/bin/ipfs}
START_TIMEOUT=${KUBO_START_TIMEOUT:-60}
RUN=${KUBO_TEST_RUN:-Kubo}

log() { echo "test-kubo: $*" >&2; }
die() { echo "test-kubo: FAIL: $*" >&2; exit 1; }

command -v go >/dev/null || die "go not found in PATH"
command -v curl >/dev/null || die "curl not found in PATH (used to probe the daemon's RPC API)"

BUILD_DIR=""
IPFS_PATH=""
DAEMON_PID=""
DAEMON_LOG=""

cleanup() {
	local rc=$?
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		log "stopping ipfs daemon (pid $DAEMON_PID)"
		kill -TERM "$DAEMON_PID" 2>/dev/null || true
		for _ in $(seq 1 100); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$DAEMON_PID" 2>/dev/null; then
			log "daemon did not stop within 10s; killing it"
			kill -KILL "$DAEMON_PID" 2>/dev/null || true
		fi
		wait "$DAEMON_PID" 2>/dev/null || true
	fi
	if [ "$rc" -ne 0 ] && [ -n "$DAEMON_LOG" ] && [ -s "$DAEMON_LOG" ]; then
		log "last lines of the daemon log:"
		tail -n 30 "$DAEMON_LOG" | sed 's/^/    /' >&2
	fi
	[ -n "$IPFS_PATH" ] && rm -rf "$IPFS_PATH"
	if [ -n "$BUILD_DIR" ]; then
		rm -rf "$BUILD_DIR"
		rm -f "$IPFS.tmp" # an interrupted build
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 1. Kubo binary ----------------------------------------------------------
want=${KUBO_VERSION#v}
have=""
[ -x "$IPFS" ] && have=$("$IPFS" version --number 2>/dev/null || true)
if [ "$have" = "$want" ]; then
	log "using $IPFS (kubo $have)"
elif [ -n "${IPFS_BIN:-}" ]; then
	die "IPFS_BIN=$IPFS_BIN is kubo '${have:-?}' (or not runnable), want $want; unset IPFS_BIN to build ./bin/ipfs"
else
	if [ -n "$have" ]; then
		log "$IPFS is kubo $have, want $want: rebuilding"
	fi
	log "building kubo $KUBO_VERSION from its Go module into $IPFS (takes a few minutes the first time)"
	BUILD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/h3lix-kubobuild.XXXXXX")
	mkdir -p "$(dirname "$IPFS")"
	t0=$(date +%s)
	(
		cd "$BUILD_DIR"
		export GOWORK=off GOFLAGS="${GOFLAGS:-} -mod=mod"
		go mod init kubobuild >/dev/null 2>&1 || { echo "go mod init failed" >&2; exit 1; }
		go get "github.com/ipfs/kubo@$KUBO_VERSION" || { echo "go get github.com/ipfs/kubo@$KUBO_VERSION failed" >&2; exit 1; }
		# Build next to the target and rename, so an interrupted build
		# never leaves a half-written ./bin/ipfs behind.
		go build -o "$IPFS.tmp" github.com/ipfs/kubo/cmd/ipfs || { echo "go build github.com/ipfs/kubo/cmd/ipfs failed" >&2; exit 1; }
	) || { rm -f "$IPFS.tmp"; die "could not build kubo $KUBO_VERSION (see the go output above)"; }
	mv -f "$IPFS.tmp" "$IPFS"
	have=$("$IPFS" version --number 2>/dev/null || true)
	[ "$have" = "$want" ] || die "built $IPFS but it reports version '$have', want $want"
	log "built kubo $have in $(($(date +%s) - t0))s"
fi
case "$IPFS" in
"$REPO"/bin/*) git check-ignore -q "$IPFS" 2>/dev/null || log "warning: $IPFS is not git-ignored; do not commit it" ;;
esac

# --- 2. Throwaway repo ---------------------------------------------------------
export IPFS_PATH
IPFS_PATH=$(mktemp -d "${TMPDIR:-/tmp}/h3lix-ipfs.XXXXXX")
export IPFS_TELEMETRY=off
DAEMON_LOG=$IPFS_PATH/daemon.log

"$IPFS" init --profile test --empty-repo >"$IPFS_PATH/init.log" 2>&1 ||
	{ cat "$IPFS_PATH/init.log" >&2; die "ipfs init --profile test failed"; }

cfg() { "$IPFS" config "$@" >/dev/null 2>>"$IPFS_PATH/config.log" || { cat "$IPFS_PATH/config.log" >&2; die "ipfs config $* failed"; }; }
# Port 0: the kernel picks free ports; the daemon writes the real API
# address to $IPFS_PATH/api once it listens.
cfg Addresses.API /ip4/127.0.0.1/tcp/0
cfg Addresses.Gateway /ip4/127.0.0.1/tcp/0
cfg --json Addresses.Swarm '["/ip4/127.0.0.1/tcp/0"]'
cfg --json Addresses.Announce '[]'
cfg --json Addresses.NoAnnounce '["/ip4/0.0.0.0/ipcidr/0"]'
cfg --json Bootstrap '[]'
cfg --json Discovery.MDNS.Enabled false
cfg --json AutoConf.Enabled false
cfg Routing.Type none
SECRET=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
cfg --json API.Authorizations "{\"h3lix-test\":{\"AuthSecret\":\"bearer:$SECRET\",\"AllowedPaths\":[\"/api/v0\"]}}"
AUTH="Bearer $SECRET"

# --- 3. Daemon -----------------------------------------------------------------
log "starting ipfs daemon --offline (IPFS_PATH=$IPFS_PATH)"
"$IPFS" daemon --offline --migrate=false >"$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!

API=""
deadline=$((SECONDS + START_TIMEOUT))
while :; do
	kill -0 "$DAEMON_PID" 2>/dev/null || die "ipfs daemon exited during startup"
	if [ -z "$API" ] && [ -s "$IPFS_PATH/api" ]; then
		maddr=$(cat "$IPFS_PATH/api")
		# /ip4/127.0.0.1/tcp/PORT
		if [[ $maddr =~ ^/ip4/([0-9.]+)/tcp/([0-9]+) ]]; then
			API="http://${BASH_REMATCH[1]}:${BASH_REMATCH[2]}"
		else
			die "unexpected API address in $IPFS_PATH/api: $maddr"
		fi
	fi
	if [ -n "$API" ] && version=$(curl -fsS -X POST --max-time 2 -H "Authorization: $AUTH" "$API/api/v0/version" 2>/dev/null); then
		break
	fi
	[ "$SECONDS" -lt "$deadline" ] || die "ipfs daemon did not answer POST ${API:-<no api file yet>}/api/v0/version within ${START_TIMEOUT}s"
	sleep 0.2
done
log "daemon ready at $API: $version"

# --- 4. Tests ------------------------------------------------------------------
log "running: H3LIX_KUBO_API=$API H3LIX_KUBO_AUTH='Bearer …' H3LIX_KUBO_GC=1 go test -tags kubo -count=1 -v -run $RUN ./worker/store/ $*"
if ! H3LIX_KUBO_API=$API H3LIX_KUBO_AUTH=$AUTH H3LIX_KUBO_GC=1 go test -tags kubo -count=1 -v -run "$RUN" ./worker/store/ "$@"; then
	die "go test -tags kubo failed against kubo $have"
fi
kill -0 "$DAEMON_PID" 2>/dev/null || die "ipfs daemon died during the tests"
log "PASS against kubo $have"
