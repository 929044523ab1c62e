#!/usr/bin/env bash
# Crash-safety soak (issue 8): runs the crash test (tests/integration/crash_test.cc:
# a server under load from three annotators and an importer is killed with
# SIGKILL five times at random moments; after each restart every acknowledged
# annotation must be there, intact, and every import whole or absent) ROUNDS
# times, each round with a fresh data folder and a fresh seed. Prints each
# round's seed and summary, then the totals. Exit 0 only when every round
# passed; a failing round's seed replays it (TESSERA_CRASH_SEED=<seed>).
#
#   bash bench/crash_soak.sh              # 20 rounds = 100 kills
#   ROUNDS=200 bash bench/crash_soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-20}
TEST=build/tests/integration/crash_test
if [ ! -x "$TEST" ] || [ ! -x build/tessera ]; then
  echo "crash_soak: build first (cmake --build build --target crash_test tessera)" >&2
  exit 2
fi
kills=0 annotations=0 imports=0 cut=0 failed=0
start=$(date +%s)
for round in $(seq 1 "$ROUNDS"); do
  if out=$("$TEST" 2>&1); then status=ok; else status=FAILED; failed=$((failed + 1)); fi
  seed=$(grep -o 'seed [0-9]*' <<<"$out" | head -1 | cut -d' ' -f2)
  summary=$(grep '^crash test: ' <<<"$out" || true)
  echo "round $round: $status, seed $seed; ${summary#crash test: }"
  if [ "$status" = FAILED ]; then grep -E 'Failure|error|Expected|Which is' <<<"$out" | head -20; fi
  pattern='([0-9]+) kills, ([0-9]+) acknowledged annotations and ([0-9]+) acknowledged imports.*; ([0-9]+) imports'
  if [[ $summary =~ $pattern ]]; then
    kills=$((kills + BASH_REMATCH[1]))
    annotations=$((annotations + BASH_REMATCH[2]))
    imports=$((imports + BASH_REMATCH[3]))
    cut=$((cut + BASH_REMATCH[4]))
  fi
done
echo "crash_soak: $ROUNDS rounds in $(( $(date +%s) - start )) s: $kills kills, $annotations acknowledged annotations" \
     "and $imports acknowledged imports checked intact, $cut imports cut off by a kill left nothing; $failed rounds failed"
[ "$failed" -eq 0 ]
