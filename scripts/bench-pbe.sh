#!/usr/bin/env bash
# The solved-count tables of docs/pbe-engine.md, out of sample: priors are
# learned only on euphony-train and measured on sygus2018 (bench refuses a
# prior whose source tasks share an example with the evaluated ones), or
# learned by k-fold within a set with folds that share no example.
#
# usage: scripts/bench-pbe.sh [OUT_DIR]     (default bench-pbe/, ~8 min on 2 cores)
# env:   H3LIX_WORKER (default build/h3lix-worker), SHARED (default ../shared/bench/sygus-pbe)
#
# One core (GOMAXPROCS=1), one process at a time: time budgets depend on the
# machine, candidate budgets do not.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${H3LIX_WORKER:-build/h3lix-worker}
B=${SHARED:-../shared/bench/sygus-pbe}
OUT=${1:-bench-pbe}
export GOMAXPROCS=1
[ -x "$W" ] || { echo "build the worker first (make build) or set H3LIX_WORKER" >&2; exit 1; }
[ -d "$B/euphony-train" ] && [ -d "$B/sygus2018" ] || { echo "$B/{euphony-train,sygus2018} missing: the benchmark sets are not part of the repository" >&2; exit 1; }
mkdir -p "$OUT"

"$W" pbe learn --tasks "$B/euphony-train" --out "$OUT/prior-euphony.json" >&2

solved() { awk '$1 == "solved" { print $2; exit }'; }

run() { # name set budget-flags config-flags...
	local name=$1 set=$2 budget=$3
	shift 3
	"$W" bench pbe --tasks "$B/$set" $budget "$@" --json "$OUT/$name.json" 2>"$OUT/$name.log" | solved
}

table() { # set rows...
	local set=$1
	shift
	echo
	echo "$set: solved of $(ls "$B/$set"/*.sl | wc -l) ($(date -u +%F), GOMAXPROCS=1)"
	echo
	echo "| configuration | 10k cand. | 100k cand. | 1M cand. | 1 s | 10 s |"
	echo "|---|---|---|---|---|---|"
	for row in "$@"; do
		local label=${row%%=*} flags=${row#*=}
		local line="| $label |"
		for budget in "--candidates 10000 --timeout 60s" "--candidates 100000 --timeout 60s" "--candidates 1000000 --timeout 60s" "--timeout 1s" "--timeout 10s"; do
			local tag
			tag=$(echo "$set-$label-$budget" | tr -c 'A-Za-z0-9' '_')
			# shellcheck disable=SC2086
			line="$line $(run "$tag" "$set" "$budget" $flags) |"
		done
		echo "$line"
	done
}

PRIOR="--prior $OUT/prior-euphony.json --prior-tasks $B/euphony-train"
{
	table sygus2018 \
		"(a) uniform prior=" \
		"(a) + JIT=--jit" \
		"(b) prior learned on euphony-train=$PRIOR" \
		"(c) (b) + JIT=$PRIOR --jit" \
		"(d) 5-fold within sygus2018=--kfold 5" \
		"(e) 5-fold + JIT=--kfold 5 --jit"
	table euphony-train \
		"(a) uniform prior=" \
		"(d) 5-fold within euphony-train=--kfold 5"
} | tee "$OUT/tables.md"
