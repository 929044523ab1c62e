#!/usr/bin/env bash
# Soak (issue 8, "Load and soak"): 200 simulated annotators against one
# `tessera serve` on loopback for 10 minutes, each on a fixed schedule doing
# GET next -> POST annotation -> GET next ... (bench/next_bench.cc, mode
# submit). Prints p50/p99/max latency, errors (must be 0), the server's
# resident memory every 30 s and at the start and end of the window, and
# checks the store afterwards (no task over its overlap, nobody twice on a
# task). Exit status 0 only when no request failed and the checks passed.
#
#   bash bench/soak.sh                      # 200 annotators, 600 s, 400 requests/s
#   SECONDS_=60 RATE=1000 bash bench/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ANNOTATORS=${ANNOTATORS:-200}
SECONDS_=${SECONDS_:-600}
RATE=${RATE:-400}      # requests/s from all annotators together (2 per labeled task)
TASKS=${TASKS:-100000} # enough that the queue never runs dry: RATE/2 * SECONDS_ / 3 tasks get done
BIN=${TESSERA_BIN:-build/tessera}
echo "soak: $ANNOTATORS annotators, $SECONDS_ s, $RATE requests/s offered, $TASKS tasks, overlap 3, server $BIN"
exec build/bench/next_bench --tasks "$TASKS" --annotators "$ANNOTATORS" --mode submit \
  --seconds "$SECONDS_" --warmup 5 --rate "$RATE" --sample 30 --server "$BIN" --dir "${TMPDIR:-/tmp}"
