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
