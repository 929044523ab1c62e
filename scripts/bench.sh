#!/usr/bin/env bash
# `make bench`: runs the benchmarks under bench/ and prints their figures.
# docs/performance.md records them with the machine they ran on.
set -euo pipefail
cd "$(dirname "$0")/.."
TASKS=${TASKS:-1000000}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
for run in 1 2 3; do
  echo "import_bench run $run:"
  build/bench/import_bench "$TASKS" "${TMPDIR:-/tmp}"
done
echo "quality_bench (agreement, aggregation, COCO evaluation; medians of 7):"
build/bench/quality_bench 7
echo "quality_reference.py (scikit-learn / statsmodels on the same data):"
if [ -x /usr/bin/python3 ]; then
  /usr/bin/python3 bench/quality_reference.py 7
else
  echo "skipped: /usr/bin/python3 not found"
fi
echo "next_bench (GET /api/projects/{id}/next: $TASKS tasks, overlap 3, 200 annotators over HTTP):"
for run in 1 2 3; do
  echo "next_bench run $run:"
  build/bench/next_bench --tasks "$TASKS" --annotators 200 --seconds 20 --server build/tessera \
    --dir "${TMPDIR:-/tmp}"
done
echo "export_bench ($TASKS image tasks with two boxes each; one process per format):"
bash bench/export_bench.sh "$TASKS"
echo "editor_bench (5,000 boxes pan/zoom, 50k-character text with 2,000 spans, submit -> next; 3 runs):"
TESSERA_BIN=${TESSERA_BIN:-build/tessera} bash bench/editor_bench.sh
echo "prefilter_bench (10,000 image files: read, decode, perceptual hash, sharpness; then judge):"
build/bench/prefilter_bench 10000 2 "${TMPDIR:-/tmp}"
