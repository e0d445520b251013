#!/usr/bin/env bash
# Runs a local H3LIX network of validator processes on 127.0.0.1 (no Docker).
#
#   scripts/localnet.sh start [N]     create (first time) and start N validators (default 1)
#   scripts/localnet.sh stop          stop every validator of the network (state is kept)
#   scripts/localnet.sh stop-node I   stop validator I        scripts/localnet.sh start-node I
#   scripts/localnet.sh stop-worker I  stop worker I          scripts/localnet.sh start-worker I
#   scripts/localnet.sh status        heights of the running validators
#   scripts/localnet.sh reset         stop and delete the network
#
# The network is defined in networks/local/network.env (chain, validators, workers, ports, round
# lengths); the environment overrides it.
# Environment: LOCALNET_DIR (default ./.localnet/<N>val), H3LIXD (default ./build/h3lixd),
# LOCALNET_PORT_OFFSET (default 0), LOCALNET_BLOCK_TIME (default 1s), LOCALNET_VOTING_PERIOD (default 30s),
# LOCALNET_ROUND_BLOCKS (commit,reveal,attest[,disclose]; default 10,5,10, disclose = reveal), LOCALNET_MAX_COMMITS (default 4),
# LOCALNET_WORKERS (workers to run next to validator 0; default 0, `make localnet` sets 3),
# H3LIX_WORKER (default ./build/h3lix-worker). Worker i listens on p2p 4001+offset+i and API 8480+offset+i,
# signs with key worker<i> of node0's test keyring, and works on an endless private stream of tasks
# generated from seed i+1 (round.tasks_dir = "gen:<i+1>").
set -euo pipefail

# The network's definition is data: networks/local/network.env (or the file
# named by LOCALNET_DEFINITION). Variables set in the environment win.
DEFINITION=${LOCALNET_DEFINITION:-"$(dirname "$0")/../networks/local/network.env"}
if [ -f "$DEFINITION" ]; then
  while IFS='=' read -r key value; do
    case "$key" in '' | \#*) continue ;; esac
    [ -z "${!key+set}" ] && export "$key=$value"
  done <"$DEFINITION"
fi

cmd=${1:-}
H3LIXD=${H3LIXD:-./build/h3lixd}
OFFSET=${LOCALNET_PORT_OFFSET:-0}
BLOCK_TIME=${LOCALNET_BLOCK_TIME:-1s}
VOTING_PERIOD=${LOCALNET_VOTING_PERIOD:-30s}
ROUND_BLOCKS=${LOCALNET_ROUND_BLOCKS:-10,5,10}
MAX_COMMITS=${LOCALNET_MAX_COMMITS:-4}
CHAIN_ID=${LOCALNET_CHAIN_ID:-h3lix-local}
WORKERS=${LOCALNET_WORKERS:-0}
H3LIX_WORKER=${H3LIX_WORKER:-./build/h3lix-worker}
RPC_BASE=${LOCALNET_RPC_PORT:-26657}
REST_BASE=${LOCALNET_REST_PORT:-1317}
GRPC_BASE=${LOCALNET_GRPC_PORT:-9090}
WORKER_P2P_BASE=${LOCALNET_WORKER_P2P_PORT:-4001}
WORKER_API_BASE=${LOCALNET_WORKER_API_PORT:-8480}

die() { echo "localnet: $*" >&2; exit 1; }
[ -x "$H3LIXD" ] || die "no h3lixd binary at $H3LIXD: run 'make build' first (or set H3LIXD)"

dir_for() { echo "${LOCALNET_DIR:-./.localnet/${1}val}"; }
# The port offset is fixed when a network is created and kept in its directory.
load_offset() { [ -f "$1/port_offset" ] && OFFSET=$(cat "$1/port_offset"); return 0; }
rpc_port() { echo $((RPC_BASE + OFFSET + $1)); }
api_port() { echo $((REST_BASE + OFFSET + $1)); }
grpc_port() { echo $((GRPC_BASE + OFFSET + $1)); }
p2p_port() { echo $((WORKER_P2P_BASE + OFFSET + $1)); }
wapi_port() { echo $((WORKER_API_BASE + OFFSET + $1)); }

# count_nodes DIR prints how many validator homes DIR holds.
count_nodes() {
  local n=0 d
  for d in "$1"/node[0-9]*; do [ -d "$d" ] && n=$((n + 1)); done
  echo "$n"
}

running() { # running DIR I
  local pidf="$1/node$2.pid"
  [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null
}

height() { # height DIR I: latest height, or empty when the node does not answer
  "$H3LIXD" status --node "tcp://127.0.0.1:$(rpc_port "$2")" 2>/dev/null |
    sed -n 's/.*"latest_block_height":"\([0-9]*\)".*/\1/p'
}

start_node() { # start_node DIR I
  local d=$1 i=$2
  if running "$d" "$i"; then echo "node$i already running (pid $(cat "$d/node$i.pid"))"; return; fi
  nohup "$H3LIXD" start --home "$d/node$i" >>"$d/node$i.log" 2>&1 &
  echo $! >"$d/node$i.pid"
  echo "started node$i (pid $!, log $d/node$i.log)"
}

stop_node() { # stop_node DIR I
  local d=$1 i=$2
  if ! running "$d" "$i"; then rm -f "$d/node$i.pid"; return; fi
  local pid; pid=$(cat "$d/node$i.pid")
  kill "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$d/node$i.pid"
  echo "stopped node$i"
}

wait_height() { # wait_height DIR I H TIMEOUT_S
  local h
  for _ in $(seq 1 $(($4 * 4))); do
    h=$(height "$1" "$2")
    [ -n "$h" ] && [ "$h" -ge "$3" ] && return 0
    sleep 0.25
  done
  return 1
}

worker_running() { # worker_running DIR I
  local pidf="$1/worker$2.pid"
  [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null
}

count_workers() {
  local n=0 d
  for d in "$1"/worker[0-9]*; do [ -d "$d" ] && n=$((n + 1)); done
  echo "$n"
}

# setup_workers DIR N: create, fund and register N workers (once each).
setup_workers() {
  local d=$1 n=$2 home i names=() addrs=()
  home="$d/node0"
  [ -x "$H3LIX_WORKER" ] || die "no h3lix-worker binary at $H3LIX_WORKER: run 'make build' first (or set H3LIX_WORKER)"
  for i in $(seq 0 $((n - 1))); do
    [ -f "$d/worker$i/config.toml" ] && continue
    "$H3LIXD" keys show "worker$i" --keyring-backend test --home "$home" >/dev/null 2>&1 ||
      "$H3LIXD" keys add "worker$i" --keyring-backend test --home "$home" >/dev/null 2>&1
    names+=("$i")
    addrs+=("$("$H3LIXD" keys show "worker$i" -a --keyring-backend test --home "$home")")
  done
  [ ${#names[@]} -eq 0 ] && return 0
  echo "funding ${#names[@]} worker account(s) from alice"
  "$H3LIXD" tx bank multi-send alice "${addrs[@]}" 100000000uhlx --home "$home" --keyring-backend test \
    --chain-id "$CHAIN_ID" --node "tcp://127.0.0.1:$(rpc_port 0)" --gas auto --gas-adjustment 1.5 -y -o json >/dev/null ||
    die "funding the workers failed"
  wait_height "$d" 0 $(($(height "$d" 0) + 2)) 30 || die "no new block after funding the workers"
  for i in "${names[@]}"; do
    local w="$d/worker$i"
    mkdir -p "$w"
    "$H3LIX_WORKER" init --home "$w" --chain-id "$CHAIN_ID" --node "tcp://127.0.0.1:$(rpc_port 0)" \
      --grpc "127.0.0.1:$(grpc_port 0)" --rest "http://127.0.0.1:$(api_port 0)" --from "worker$i" --keyring-backend test --keyring-dir "$home" \
      --p2p-listen "/ip4/127.0.0.1/tcp/$(p2p_port "$i")" --api-listen "127.0.0.1:$(wapi_port "$i")" \
      --tasks "gen:$((i + 1))" --grid-zone DE >/dev/null || die "h3lix-worker init failed for worker$i"
    "$H3LIX_WORKER" register --home "$w" --bond 10000000uhlx >/dev/null || die "registering worker$i failed"
    echo "registered worker$i ($w)"
  done
}

start_worker() { # start_worker DIR I
  local d=$1 i=$2
  if worker_running "$d" "$i"; then echo "worker$i already running (pid $(cat "$d/worker$i.pid"))"; return; fi
  nohup "$H3LIX_WORKER" run --home "$d/worker$i" >>"$d/worker$i.log" 2>&1 &
  echo $! >"$d/worker$i.pid"
  echo "started worker$i (pid $!, API http://127.0.0.1:$(wapi_port "$i"), log $d/worker$i.log)"
}

stop_worker() { # stop_worker DIR I
  local d=$1 i=$2
  if ! worker_running "$d" "$i"; then rm -f "$d/worker$i.pid"; return; fi
  local pid; pid=$(cat "$d/worker$i.pid")
  kill "$pid"
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$d/worker$i.pid"
  echo "stopped worker$i"
}

find_dir() { # the network directory the stop/status commands act on
  if [ -n "${LOCALNET_DIR:-}" ]; then echo "$LOCALNET_DIR"; return; fi
  local found=()
  for d in ./.localnet/*val; do [ -d "$d" ] && found+=("$d"); done
  [ ${#found[@]} -eq 1 ] || die "found ${#found[@]} networks under ./.localnet; set LOCALNET_DIR"
  echo "${found[0]}"
}

net_dir() { # net_dir: find_dir plus its port offset
  NET=$(find_dir)
  load_offset "$NET"
}

case "$cmd" in
start)
  n=${2:-${LOCALNET_VALIDATORS:-1}}
  d=$(dir_for "$n")
  if [ ! -f "$d/node0/config/genesis.json" ]; then
    "$H3LIXD" testnet init-files --v "$n" --output-dir "$d" --chain-id "$CHAIN_ID" \
      --keyring-backend test --block-time "$BLOCK_TIME" --port-offset "$OFFSET" \
      --voting-period "$VOTING_PERIOD" --round-blocks "$ROUND_BLOCKS" --max-commits-per-node "$MAX_COMMITS" >/dev/null
    echo "$OFFSET" >"$d/port_offset"
    echo "initialised $n validator(s) in $d"
  fi
  load_offset "$d"
  n=$(count_nodes "$d")
  for i in $(seq 0 $((n - 1))); do start_node "$d" "$i"; done
  wait_height "$d" 0 2 60 || die "node0 produced no block in 60 s; see $d/node0.log"
  home=$(cd "$d/node0" && pwd)
  if [ "$WORKERS" -gt 0 ]; then setup_workers "$d" "$WORKERS"; fi
  nw=$(count_workers "$d")
  for i in $(seq 0 $((nw - 1))); do start_worker "$d" "$i"; done
  cat <<MSG

H3LIX localnet is up: $n validator(s), chain id $CHAIN_ID, height $(height "$d" 0).
  RPC  http://127.0.0.1:$(rpc_port 0)   REST http://127.0.0.1:$(api_port 0)   gRPC 127.0.0.1:$(grpc_port 0)
  keys alice, bob, carol and dave (test keyring) hold 1,000,000 HLX each; the ccf reward pool 1,000,000 HLX.

Try:
  export H3LIXD_HOME=$home
  $H3LIXD tx identity register-node --from alice --bond 10000000uhlx --roles worker,verifier \\
      --multiaddrs /ip4/127.0.0.1/tcp/4901 --grid-zone DE --gas auto --gas-adjustment 1.5 -y
  curl -s http://127.0.0.1:$(api_port 0)/h3lix/identity/v1/nodes
  ./scripts/demo-round.sh     # four nodes through one full round
  $H3LIXD query identity nodes -o json
MSG
  if [ "$nw" -gt 0 ]; then
    cat <<MSG
  $nw worker(s) take part in every round: $H3LIX_WORKER status --home $d/worker0
  curl -s http://127.0.0.1:$(wapi_port 0)/status     # logs: $d/worker<i>.log
MSG
  fi
  cat <<MSG

Stop with 'make localnet-stop' (state is kept; 'make localnet' starts it again).
MSG
  ;;
stop)
  net_dir; d=$NET
  nw=$(count_workers "$d")
  for i in $(seq 0 $((nw - 1))); do stop_worker "$d" "$i"; done
  n=$(count_nodes "$d")
  for i in $(seq 0 $((n - 1))); do stop_node "$d" "$i"; done
  ;;
stop-worker)
  [ -n "${2:-}" ] || die "usage: $0 stop-worker I"
  net_dir; stop_worker "$NET" "$2"
  ;;
start-worker)
  [ -n "${2:-}" ] || die "usage: $0 start-worker I"
  net_dir; start_worker "$NET" "$2"
  ;;
stop-node)
  [ -n "${2:-}" ] || die "usage: $0 stop-node I"
  net_dir; stop_node "$NET" "$2"
  ;;
start-node)
  [ -n "${2:-}" ] || die "usage: $0 start-node I"
  net_dir; start_node "$NET" "$2"
  ;;
status)
  net_dir; d=$NET
  n=$(count_nodes "$d")
  for i in $(seq 0 $((n - 1))); do
    if running "$d" "$i"; then echo "node$i running, height $(height "$d" "$i")"; else echo "node$i stopped"; fi
  done
  nw=$(count_workers "$d")
  for i in $(seq 0 $((nw - 1))); do
    if worker_running "$d" "$i"; then echo "worker$i running, API http://127.0.0.1:$(wapi_port "$i")"; else echo "worker$i stopped"; fi
  done
  ;;
reset)
  net_dir; d=$NET
  nw=$(count_workers "$d")
  for i in $(seq 0 $((nw - 1))); do stop_worker "$d" "$i"; done
  n=$(count_nodes "$d")
  for i in $(seq 0 $((n - 1))); do stop_node "$d" "$i"; done
  rm -rf "$d"
  echo "deleted $d"
  ;;
*)
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
  ;;
esac
