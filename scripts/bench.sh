#!/usr/bin/env bash
# `make bench`: runs the benchmarks under bench/, prints their figures, and
# writes the run (machine, command, figures, and each headline figure as a
# share of this machine's physical limit measured in the same run) into
# docs/performance.md between the "make bench" markers. The sections around
# the markers explain the figures and are written by hand.
#
# Environment: TASKS (default 1,000,000), BENCH_PARTS (default all of:
# limits import quality next scale export editor prefilter), NO_DOC=1 to leave
# docs/performance.md alone.
set -euo pipefail
cd "$(dirname "$0")/.."
TASKS=${TASKS:-1000000}
PARTS=${BENCH_PARTS:-limits import quality next scale export editor prefilter}
LOG=$(mktemp "${TMPDIR:-/tmp}/tessera-bench.XXXXXX")
trap 'rm -f "$LOG"' EXIT
want() { [[ " $PARTS " == *" $1 "* ]]; }
started=$(date -u +%Y-%m-%dT%H:%MZ)

{
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1e6 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
if want limits; then
  echo "limits.sh ($TASKS rows; physical limits of this machine):"
  bash bench/limits.sh "$TASKS"
fi
if want import; then
  for run in 1 2 3; do
    echo "import_bench run $run:"
    build/bench/import_bench "$TASKS" "${TMPDIR:-/tmp}"
  done
fi
if want quality; then
  echo "quality_bench (agreement, aggregation, COCO evaluation; medians of 7):"
  build/bench/quality_bench 7
  echo "agreement_bench (a project's agreement report from kept totals vs the rating tables; medians of 7):"
  build/bench/agreement_bench "$TASKS" 7
  echo "quality_reference.py (scikit-learn / statsmodels on the same data):"
  if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 bench/quality_reference.py 7 || echo "skipped: quality_reference.py failed (numpy/scikit-learn missing?)"
  else
    echo "skipped: /usr/bin/python3 not found"
  fi
fi
if want next; then
  echo "next_bench (GET /api/projects/{id}/next: $TASKS tasks, overlap 3, 200 annotators over HTTP):"
  for run in 1 2 3; do
    echo "next_bench run $run:"
    build/bench/next_bench --tasks "$TASKS" --annotators 200 --seconds 20 --server build/tessera \
      --dir "${TMPDIR:-/tmp}"
  done
fi
if want scale; then
  echo "scale_bench (next + submit on PostgreSQL: one server vs two, each capped at 0.2 cores):"
  bash bench/scale_bench.sh 200000 0.2 3 15
fi
if want export; then
  echo "export_bench ($TASKS image tasks with two boxes each; one process per format):"
  bash bench/export_bench.sh "$TASKS"
fi
if want editor; then
  echo "editor_bench (5,000 boxes pan/zoom, 50k-character text with 2,000 spans, submit -> next; 3 runs):"
  TESSERA_BIN=${TESSERA_BIN:-build/tessera} bash bench/editor_bench.sh
fi
if want prefilter; then
  echo "prefilter_bench (10,000 image files: read, decode, perceptual hash, sharpness; then judge):"
  build/bench/prefilter_bench 10000 2 "${TMPDIR:-/tmp}"
fi
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$LOG"

# Headline figures as shares of their limits (medians where there are runs).
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
limit() { awk -v k="$1" '$1 == "limit" && $2 == k { print $3 }' "$LOG"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.0f%%", 100 * a / b; else print "n/a" }'; }
next_rps=$(awk '/mode next/ { m = 1; next } m && $1 == "next" { print $4; m = 0 }' "$LOG" | median)
# (scale_bench's runs, printed after next_bench's, are not next_bench's figures)
submit_rps=$(awk '/^scale_bench/ { exit } /mode submit/ { m = 1; next } m && $1 == "all" { print $4; m = 0 }' "$LOG" | median)
SUMMARY=$(cat <<EOF
| figure | this run | limit on this machine, same run | share |
|---|---|---|---|
| \`tessera import\` into SQLite, $TASKS tasks | $(limit tessera_import_sqlite) tasks/s | sqlite3 shell bulk insert of the same rows: $(limit sqlite3_bulk_insert) rows/s | $(ratio "$(limit tessera_import_sqlite)" "$(limit sqlite3_bulk_insert)") |
| \`tessera import\` into PostgreSQL (test cluster, fsync off) | $(limit tessera_import_postgres) tasks/s | psql \`\\copy\` of the same rows: $(limit psql_copy) rows/s | $(ratio "$(limit tessera_import_postgres)" "$(limit psql_copy)") |
| GET next, 200 annotators, saturation (median of runs) | ${next_rps:-n/a} requests/s | nginx serving a 300-byte file to 200 connections: $(limit nginx_static_200_connections) requests/s | $(ratio "${next_rps:-0}" "$(limit nginx_static_200_connections)") |
| next + submit, 200 annotators (median of runs) | ${submit_rps:-n/a} requests/s | (same nginx limit) | $(ratio "${submit_rps:-0}" "$(limit nginx_static_200_connections)") |
| next + submit on PostgreSQL, two servers over one (each capped at 0.2 cores) | $(limit scale_ratio)x | 2x (twice the server CPU) | $(ratio "$(limit scale_ratio)" 2) |
EOF
)
echo
echo "$SUMMARY"

DOC=${PERF_DOC:-docs/performance.md}
if [[ "${NO_DOC:-0}" != 1 && -f "$DOC" ]]; then
  BLOCK=$(mktemp)
  {
    echo "<!-- make bench: begin (written by scripts/bench.sh; edits here are overwritten) -->"
    echo "## Latest \`make bench\` run"
    echo
    echo "Started $started; command: \`TASKS=$TASKS BENCH_PARTS=\"$PARTS\" make bench\`."
    echo "The machine is shared: read the load averages printed with the figures."
    echo
    echo "$SUMMARY"
    echo
    echo '```'
    cat "$LOG"
    echo '```'
    echo "<!-- make bench: end -->"
  } > "$BLOCK"
  python3 - "$BLOCK" "$DOC" <<'PY'
import re, sys
block = open(sys.argv[1]).read().rstrip("\n")
path = sys.argv[2]
text = open(path).read()
pattern = re.compile(r"<!-- make bench: begin.*?<!-- make bench: end -->", re.S)
if pattern.search(text):
    text = pattern.sub(lambda _: block, text)
else:
    marker = "\n## "
    at = text.find(marker)
    text = (text[:at] + "\n\n" + block + "\n" + text[at:]) if at >= 0 else text + "\n" + block + "\n"
open(path, "w").write(text)
PY
  rm -f "$BLOCK"
  echo "wrote the run into $DOC"
fi
