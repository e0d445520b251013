#!/usr/bin/env bash
# The network experiment (`make network`): 4 validators and 8 workers on
# 127.0.0.1 as networks/experiment/network.env defines them, run with and
# without the adversaries, with a validator stopped, a worker SIGKILLed
# between its commit and its reveal, and a worker cut off for a round. The
# report goes to network-report/ (README.md, report.json, PNG plots); the
# networks stay in .network/ for inspection (logs: .network/<mix>/).
#
# Any NETWORK_* variable of the definition can be set in the environment,
# e.g. NETWORK_MIXES=with NETWORK_ROUNDS=4 scripts/network.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in build/h3lixd build/h3lix-worker build/h3lix-network; do
  [ -x "$b" ] || { echo "network: no $b; run 'make build' first" >&2; exit 1; }
done
exec build/h3lix-network --definition "${NETWORK_DEFINITION:-networks/experiment/network.env}" "$@"
