#!/usr/bin/env bash
# Scale-out of next + submit over several servers on one PostgreSQL database
# (issue 7: "with PostgreSQL and two servers, throughput of next+submit scales
# to >= 1.6x one server when the database is not the bottleneck").
#
# This machine has two cores for the database, the servers and the load
# generator together, so two uncapped servers only split the same cores.
# Instead each server is capped at CAP cores (a cgroup cpu quota, see
# next_bench --server-cpu): the server tier is then the bottleneck, and the
# run shows whether a second server adds what the first one does, or whether
# something they share (the database, its locks) holds it back. next_bench
# prints the CPU the servers and PostgreSQL used per request, so the run also
# says where the bottleneck would be without the caps.
#
# Steps: a throw-away PostgreSQL cluster (fsync off, as in the tests), one
# project with TASKS tasks (overlap 3) and 200 annotators seeded once, then
# RUNS rounds of: one server, two servers (annotator i talks to server i % 2),
# each a SECONDS-second window of GET next -> POST annotation -> GET next ...
#
# Usage: bash bench/scale_bench.sh [TASKS=200000] [CAP=0.2] [RUNS=3] [SECONDS=15]
# Needs root for the cgroup (CAP=0: no caps). Prints "scale servers=K rps=R"
# per run, then "limit scale_ratio X" (median two-server over median one-server).
set -euo pipefail
cd "$(dirname "$0")/.."
TASKS=${1:-200000}
CAP=${2:-0.2}
RUNS=${3:-3}
SECONDS_PER_RUN=${4:-15}
BENCH=${NEXT_BENCH:-build/bench/next_bench}
SERVER=${TESSERA_BIN:-build/tessera}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tessera-scale.XXXXXX")
PG_DIR="${TMPDIR:-/tmp}/tessera-scale-pg-$$"  # outside WORK: the postgres user must reach it
cleanup() {
  build/src/store/pg_test_cluster stop "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf "$PG_DIR" "$WORK"
}
trap cleanup EXIT

PG_START=$(build/src/store/pg_test_cluster start "$PG_DIR" 2>&1 || true)
if [[ "$PG_START" != *"cluster at "* ]]; then
  echo "scale_bench: skipped, no PostgreSQL cluster: $PG_START"
  exit 0
fi
URL=${PG_START##*cluster at }
psql -q "$URL" -c "CREATE DATABASE scale" >/dev/null
URL="${URL%/*}/scale"

echo "scale_bench: $TASKS tasks, 200 annotators, overlap 3; servers capped at $CAP cores each; $RUNS rounds of $SECONDS_PER_RUN s"
"$BENCH" --database "$URL" --server "$SERVER" --tasks "$TASKS" --annotators 200 --mode none \
  --dir "$WORK" --keep > "$WORK/seed.log"
DATA=$(awk '/^kept / { print $2 }' "$WORK/seed.log")
[[ -n "$DATA" ]] || { cat "$WORK/seed.log"; echo "scale_bench: seeding failed"; exit 1; }
grep '^seeded' "$WORK/seed.log"

declare -A RPS
for run in $(seq 1 "$RUNS"); do
  for servers in 1 2; do
    "$BENCH" --database "$URL" --server "$SERVER" --reuse "$DATA" --servers "$servers" \
      --server-cpu "$CAP" --mode submit --seconds "$SECONDS_PER_RUN" --warmup 3 > "$WORK/run.log" 2>&1 ||
      { cat "$WORK/run.log"; echo "scale_bench: a run failed"; exit 1; }
    rps=$(awk '$1 == "all" { print $4 }' "$WORK/run.log")
    echo "scale servers=$servers run=$run rps=$rps"
    sed -n '/mode submit/,/^check:/p' "$WORK/run.log" | sed 's/^/    /'
    RPS[$servers]+="$rps "
  done
done
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
one=$(echo "${RPS[1]}" | median)
two=$(echo "${RPS[2]}" | median)
echo "median requests/s: one server $one, two servers $two"
echo "limit scale_ratio $(awk -v a="$two" -v b="$one" 'BEGIN { printf "%.2f", a / b }')"
