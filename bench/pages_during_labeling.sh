#!/usr/bin/env bash
# Labeling while a manager keeps the project's pages open (issue 7): runs
# `next_bench --reuse DIR --mode submit` (its own `tessera serve`) and, for
# the whole run, asks the four manager pages (/quality, /stats/guidelines,
# /stats/project, /stats/annotators) one after another every INTERVAL
# seconds, timing each. Prints next_bench's report, then each page's count,
# median and max.
#
#   bash bench/pages_during_labeling.sh DIR [SECONDS=60] [RATE=1000] [INTERVAL=3]
# DIR: a folder a `next_bench --keep` run left (its next-bench-seed.json
# names the admin token). Environment: NEXT_BENCH (default
# build/bench/next_bench), TESSERA_BIN (default build/tessera); PAGES=0 runs
# the same labeling without asking the pages (the baseline).
set -euo pipefail
DIR=${1:?usage: pages_during_labeling.sh DIR [SECONDS] [RATE] [INTERVAL]}
SECONDS_=${2:-60}
RATE=${3:-1000}
INTERVAL=${4:-3}
HERE=$(cd "$(dirname "$0")/.." && pwd)
BENCH=${NEXT_BENCH:-$HERE/build/bench/next_bench}
BIN=${TESSERA_BIN:-$HERE/build/tessera}
TOKEN=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['admin_token'])" "$DIR/next-bench-seed.json")
OUT=$(mktemp)
TIMES=$(mktemp)
trap 'rm -f "$OUT" "$TIMES"; [[ -n "${BPID:-}" ]] && kill "$BPID" 2>/dev/null || true' EXIT

"$BENCH" --reuse "$DIR" --mode submit --rate "$RATE" --seconds "$SECONDS_" --warmup 5 --server "$BIN" >"$OUT" 2>&1 &
BPID=$!
PORT=
for _ in $(seq 600); do
  PORT=$(sed -n 's/^server 1: pid [0-9]*, port \([0-9]*\).*/\1/p' "$OUT")
  [[ -n $PORT ]] && break
  kill -0 "$BPID" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $PORT ]]; then cat "$OUT"; echo "next_bench did not start a server"; exit 1; fi

if [[ ${PAGES:-1} != 0 ]]; then
  while kill -0 "$BPID" 2>/dev/null; do
    for page in quality stats/guidelines stats/project stats/annotators; do
      t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Token $TOKEN" \
            "localhost:$PORT/api/projects/1/$page" || echo "000 0")
      [[ $t == 200\ * ]] && echo "$page ${t#* }" >>"$TIMES"
    done
    sleep "$INTERVAL"
  done
fi
wait "$BPID" || true
BPID=
cat "$OUT"
python3 - "$TIMES" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    page, t = line.split()
    rows.setdefault(page, []).append(float(t) * 1000)
for page, ts in rows.items():
    print(f"page {page}: {len(ts)} answers, median {statistics.median(ts):.1f} ms, max {max(ts):.1f} ms")
EOF
