#!/usr/bin/env bash
# The manager dashboards right after a server start (issue 7): starts
# `tessera serve` on a data folder a `next_bench --keep` run left, asks for
# both dashboards once (timing each, and whether the answer is a saved
# snapshot: "stale"), polls until both are live, stops the server; ROUNDS
# times. The first round on a folder without a snapshot shows the full read.
#
#   bash bench/dashboard_restart.sh DIR [ROUNDS=3] [PORT=18931]
# Environment: TESSERA_BIN (default build/tessera); TESSERA_TOKEN (an admin's
# API token; default: the one next-bench-seed.json in DIR names); SERVE_ARGS
# (more `tessera serve` options, e.g. --no-count-uncounted); PAGES (the
# project pages to ask, default "stats/project stats/annotators"; the
# agreement pages are "quality stats/guidelines").
set -euo pipefail
DIR=${1:?usage: dashboard_restart.sh DIR [ROUNDS] [PORT]}
ROUNDS=${2:-3}
PORT=${3:-18931}
BIN=${TESSERA_BIN:-$(dirname "$0")/../build/tessera}
TOKEN=${TESSERA_TOKEN:-$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['admin_token'])" "$DIR/next-bench-seed.json")}
PAGES=${PAGES:-stats/project stats/annotators}
BODY=$(mktemp)
trap 'rm -f "$BODY"; [[ -n "${SPID:-}" ]] && kill "$SPID" 2>/dev/null || true' EXIT

ask() {  # prints "<seconds> stale=<true|false>"
  local t
  t=$(curl -s -o "$BODY" -w '%{time_total}' -H "Authorization: Token $TOKEN" "localhost:$PORT/api/projects/1/$1")
  echo "$t stale=$(python3 -c "import json,sys;print(str(json.load(open(sys.argv[1])).get('stale')).lower())" "$BODY")"
}

for round in $(seq "$ROUNDS"); do
  # shellcheck disable=SC2086
  "$BIN" serve --data "$DIR" --port "$PORT" --no-access-log ${SERVE_ARGS:-} >/dev/null 2>&1 &
  SPID=$!
  for _ in $(seq 200); do curl -s -o /dev/null "localhost:$PORT/health" && break; sleep 0.1; done
  start=$(date +%s.%N)
  line="round $round:"
  for page in $PAGES; do line+="   $page $(ask "$page")"; done
  echo "$line"
  while true; do
    line=""
    live=1
    for page in $PAGES; do
      a=$(ask "$page")
      line+="   $page $a"
      [[ $a == *stale=false ]] || live=0
    done
    if [[ $live == 1 ]]; then
      echo "  live after $(python3 -c "import sys;print(round(float(sys.argv[2])-float(sys.argv[1]),1))" "$start" "$(date +%s.%N)") s:$line"
      break
    fi
    sleep 1
  done
  kill "$SPID"
  wait "$SPID" 2>/dev/null || true
  SPID=
done
