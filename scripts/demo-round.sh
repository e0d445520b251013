#!/usr/bin/env bash
# Runs one full H3LIX round by hand against a running localnet (make localnet):
# four nodes (alice, bob, carol, dave) register, commit, reveal, attest
# (sealed, with proofs of retrieval) and disclose; dave lies as a verifier. Then it prints the field, the rewards and the
# reputations from REST. Uses only h3lixd, bash and coreutils (curl optional).
#
# Environment: H3LIXD (default ./build/h3lixd), H3LIXD_HOME (default ./.localnet/1val/node0),
# API (default http://127.0.0.1:1317).
set -euo pipefail

H3LIXD=${H3LIXD:-./build/h3lixd}
export H3LIXD_HOME=${H3LIXD_HOME:-./.localnet/1val/node0}
API=${API:-http://127.0.0.1:1317}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
NODES=(alice bob carol dave)
LIAR=dave

say() { printf '\n== %s\n' "$*"; }
field() { sed -n "s/.*\"$1\": *\"\{0,1\}\([^\",}]*\)\"\{0,1\}.*/\1/p" | head -1; }
addr() { "$H3LIXD" keys show "$1" -a; }

# send broadcasts a transaction and prints its hash; wait_tx waits until it
# is in a block and fails on a non-zero result code; tx does both. The four
# nodes sign with different accounts, so a phase's transactions are sent
# together and then awaited: that keeps the demo inside short phases.
send() {
  local out
  out=$("$H3LIXD" tx "$@" --gas auto --gas-adjustment 1.5 -y -o json 2>&1) || { echo "$out" >&2; return 1; }
  echo "$out" | tail -1 | field txhash
}
wait_tx() {
  local res
  res=$("$H3LIXD" query wait-tx "$1" --timeout 30s -o json)
  if [ "$(echo "$res" | field code)" != "0" ]; then echo "$res" >&2; return 1; fi
}
tx() { local h; h=$(send "$@") && wait_tx "$h"; }
# send_bg NAME ARGS... sends in the background, writing the hash to a file:
# the four CLI processes then share the phase instead of queueing in it.
send_bg() { local n=$1; shift; send "$@" >"$WORK/$n.hash" 2>"$WORK/$n.err" & }
# wait_all NAME...: every background send succeeded and its tx is in a block.
wait_all() {
  wait || true
  local n
  for n in "$@"; do
    [ -s "$WORK/$n.hash" ] || { cat "$WORK/$n.err" >&2; return 1; }
    wait_tx "$(cat "$WORK/$n.hash")"
  done
}

round_json() { "$H3LIXD" query ccf current-round -o json; }
height() { round_json | field height; }
wait_height() { while [ "$(height)" -lt "$1" ]; do sleep 0.5; done; }

say "register nodes (${NODES[*]})"
for n in "${NODES[@]}"; do
  if "$H3LIXD" query identity node "$(addr "$n")" >/dev/null 2>&1; then
    echo "$n already registered"
  else
    tx identity register-node --from "$n" --bond 10000000uhlx --roles worker,verifier \
      --node-key-file "$WORK/$n.key" --engine-kind pbe --grid-zone DE
    echo "$n registered"
  fi
done

say "wait for a commit phase with room for four commits"
while :; do
  r=$(round_json)
  phase=$(echo "$r" | field phase); h=$(echo "$r" | field height); reveal=$(echo "$r" | field reveal_start)
  [ "$phase" = PHASE_COMMIT ] && [ $((reveal - h)) -ge 6 ] && break
  sleep 1
done
ROUND=$(echo "$r" | field id); ATTEST=$(echo "$r" | field attest_start); FINAL=$(echo "$r" | field finalize_start)
echo "round $ROUND: commit until $reveal, reveal until $ATTEST, then attest, disclose and finalize (from $FINAL)"

say "commit: the commitment is computed locally from --cid and --salt"
declare -A CID SALT ID
for n in "${NODES[@]}"; do
  printf 'artifact of %s in round %s: a program with its check vectors\n' "$n" "$ROUND" >"$WORK/$n.payload"
  CID[$n]=$("$H3LIXD" tx artifact cid "$WORK/$n.payload")
  SALT[$n]=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  send_bg "$n" artifact commit "$ROUND" --cid "${CID[$n]}" --salt "${SALT[$n]}" --from "$n"
done
wait_all "${NODES[@]}"
for n in "${NODES[@]}"; do
  ID[$n]=$("$H3LIXD" query artifact by-node "$(addr "$n")" --page-reverse --page-limit 1 -o json | field id)
  echo "$n committed artifact ${ID[$n]} (${CID[$n]})"
done

say "reveal (manifest from JSON) once the reveal phase starts at height $reveal"
wait_height "$reveal"
for i in "${!NODES[@]}"; do
  n=${NODES[$i]}
  emb=$(head -c 64 /dev/zero | tr '\0' "\\$(printf '%03o' $((10 + i % 2)))" | base64 | tr -d '\n')
  cat >"$WORK/$n.manifest.json" <<JSON
{"kind":"pbe.program","domain":"strings/slia","embedding":"$emb","confidence_ppm":900000,
 "payload_size":"$(wc -c <"$WORK/$n.payload")","energy":{"joules":"120","mg_co2e":"15","renewable_ppm":600000},"dp_epsilon_milli":0}
JSON
done
for n in "${NODES[@]}"; do
  send_bg "$n" artifact reveal "${ID[$n]}" --cid "${CID[$n]}" --salt "${SALT[$n]}" --manifest "$WORK/$n.manifest.json" \
    --payload "$WORK/$n.payload" --from "$n"
done
wait_all "${NODES[@]}"
for n in "${NODES[@]}"; do echo "$n revealed artifact ${ID[$n]}"; done

say "attest to the assigned artifacts once the attest phase starts at height $ATTEST ($LIAR lies)"
wait_height "$ATTEST"
# The validators' beacon draws the seed a block into the attest phase.
until round_json | grep -q '"seed"'; do sleep 0.5; done
r=$(round_json)
DISCLOSE=$(echo "$r" | field disclose_start); FINAL=$(echo "$r" | field finalize_start)
declare -A VOTES PAYLOAD
for n in "${NODES[@]}"; do PAYLOAD[${ID[$n]}]="$WORK/$n.payload"; done
attesters=()
for n in "${NODES[@]}"; do
  ids=$("$H3LIXD" query artifact assignments "$ROUND" "$(addr "$n")" -o json | tr -d '\n ' | sed -n 's/.*"artifact_ids":\[\([^]]*\)\].*/\1/p' | tr -d '"' | tr ',' ' ')
  [ -n "$ids" ] || { echo "$n has no assignment"; continue; }
  votes=(); payloads=()
  for id in $ids; do
    if [ "$n" = "$LIAR" ]; then votes+=("$id:invalid"); else votes+=("$id:valid:850000"); fi
    # Each verifier proves it holds the chunk its seed selects (here the
    # payload files stand in for fetching them from the producers' IPFS).
    payloads+=(--payload "$id=${PAYLOAD[$id]}")
  done
  VOTES[$n]="${votes[*]}"
  attesters+=("$n")
  send_bg "$n" artifact attest "${votes[@]}" "${payloads[@]}" --openings "$WORK/$n.openings.json" --from "$n"
done
wait_all "${attesters[@]}"
for n in "${attesters[@]}"; do echo "$n attested (sealed): ${VOTES[$n]}"; done
echo "on chain the verdicts are hidden until the disclose phase:"
"$H3LIXD" query artifact attestations "${ID[alice]}" -o json | head -c 400; echo

say "disclose the sealed verdicts once the disclose phase starts at height $DISCLOSE"
wait_height "$DISCLOSE"
for n in "${attesters[@]}"; do
  send_bg "$n" artifact disclose "$WORK/$n.openings.json" --from "$n"
done
wait_all "${attesters[@]}"
for n in "${attesters[@]}"; do echo "$n disclosed: ${VOTES[$n]}"; done

say "wait for finalization (height $FINAL)"
until "$H3LIXD" query ccf field "$ROUND" >/dev/null 2>&1; do sleep 1; done

say "field of round $ROUND: GET $API/h3lix/ccf/v1/fields/$ROUND"
if command -v curl >/dev/null; then curl -s "$API/h3lix/ccf/v1/fields/$ROUND"; echo; else "$H3LIXD" query ccf field "$ROUND" -o json; fi

say "reputations: GET $API/h3lix/reputation/v1/leaderboard"
for n in "${NODES[@]}"; do
  printf '%-6s score %s ppm\n' "$n" "$("$H3LIXD" query reputation score "$(addr "$n")" -o json | field score_ppm)"
done
