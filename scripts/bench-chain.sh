#!/usr/bin/env bash
# make bench-chain: starts a fresh single-validator localnet (./.localnet/bench,
# ports +800, 30/20/30-block phases, 32 commits per node), runs
# h3lix-loadtest against it (bank sends, then commit, reveal and attest txs in
# one run) and stops it. Prints a table of committed tx/s and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
export H3LIXD=${H3LIXD:-./build/h3lixd}
export LOCALNET_DIR=./.localnet/bench LOCALNET_PORT_OFFSET=800 LOCALNET_ROUND_BLOCKS=${BENCH_ROUND_BLOCKS:-30,20,30} LOCALNET_MAX_COMMITS=32 LOCALNET_WORKERS=0
ACCOUNTS=${BENCH_ACCOUNTS:-64}
TXS=${BENCH_TXS:-24}

[ -d "$LOCALNET_DIR" ] && ./scripts/localnet.sh reset >/dev/null
./scripts/localnet.sh start 1 >/dev/null
trap './scripts/localnet.sh reset >/dev/null' EXIT
go run ./cmd/h3lix-loadtest --home "$LOCALNET_DIR/node0" --node tcp://127.0.0.1:27457 --grpc 127.0.0.1:9890 \
  --chain-id h3lix-local --accounts "$ACCOUNTS" --txs "$TXS"
