#!/usr/bin/env bash
# What differential privacy costs: solved counts on sygus2018 (out of
# sample) with priors learned on euphony-train and released at ε = ∞ (the
# private format without noise), 4 and 1, each ε over DRAWS noise draws
# (fixed --dp-seed 1..DRAWS, so the table reproduces; such priors are not
# private), next to the uniform prior and the exact learned prior.
#
# usage: scripts/bench-dp.sh [OUT_DIR]      (default bench-dp/, ~3 min)
# env:   H3LIX_WORKER (default build/h3lix-worker), SHARED (default ../shared/bench/sygus-pbe), DRAWS (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
W=${H3LIX_WORKER:-build/h3lix-worker}
B=${SHARED:-../shared/bench/sygus-pbe}
OUT=${1:-bench-dp}
DRAWS=${DRAWS:-5}
export GOMAXPROCS=1
[ -x "$W" ] || { echo "build the worker first (make build) or set H3LIX_WORKER" >&2; exit 1; }
[ -d "$B/euphony-train" ] && [ -d "$B/sygus2018" ] || { echo "$B/{euphony-train,sygus2018} missing: the benchmark sets are not part of the repository" >&2; exit 1; }
mkdir -p "$OUT"
: >"$OUT/bench.log"
BUDGETS=(10000 100000 1000000)

solved() { # prior-file budget
	local prior=()
	[ -n "$1" ] && prior=(--prior "$1" --prior-tasks "$B/euphony-train")
	"$W" bench pbe --tasks "$B/sygus2018" --candidates "$2" --timeout 60s "${prior[@]}" 2>>"$OUT/bench.log" |
		awk '$1 == "solved" { print $2; found = 1; exit } END { if (!found) { print "bench pbe failed: see '"$OUT"'/bench.log" > "/dev/stderr"; exit 1 } }'
}

# mean and range over draws: "mean (min–max)"
summary() { awk '{ s += $1; if (NR == 1 || $1 < lo) lo = $1; if (NR == 1 || $1 > hi) hi = $1 } END { if (NR == 0) exit 1; printf "%.1f (%d–%d)", s / NR, lo, hi }'; }

row() { # label prior-files...
	local label=$1
	shift
	local line="| $label |"
	for c in "${BUDGETS[@]}"; do
		if [ $# -eq 1 ] || [ $# -eq 0 ]; then
			line="$line $(solved "${1:-}" "$c") |"
		else
			line="$line $(for p in "$@"; do solved "$p" "$c"; done | summary) |"
		fi
	done
	echo "$line"
}

"$W" pbe learn --tasks "$B/euphony-train" --out "$OUT/exact.json" 2>>"$OUT/bench.log"
"$W" pbe learn --tasks "$B/euphony-train" --out "$OUT/inf.json" --epsilon inf 2>>"$OUT/bench.log"
for eps in 4 1; do
	for d in $(seq "$DRAWS"); do
		"$W" pbe learn --tasks "$B/euphony-train" --out "$OUT/eps$eps-$d.json" --epsilon "$eps" --dp-seed "$d" 2>>"$OUT/bench.log"
	done
done
{
	echo "sygus2018 solved of 86, out of sample (priors learned on euphony-train), $(date -u +%F), GOMAXPROCS=1"
	echo
	echo "| prior | 10k cand. | 100k cand. | 1M cand. |"
	echo "|---|---|---|---|"
	row "uniform (nothing learned)" ""
	row "learned, exact (counts, context counts, library)" "$OUT/exact.json"
	row "private format, ε = ∞ (counts only, no noise)" "$OUT/inf.json"
	row "ε = 4, mean (min–max) of $DRAWS draws" "$OUT"/eps4-*.json
	row "ε = 1, mean (min–max) of $DRAWS draws" "$OUT"/eps1-*.json
} | tee "$OUT/table.md"
