#!/usr/bin/env bash
# Editor speed benchmark (see bench/editor_bench.mjs and docs/performance.md):
# builds the web app into /tmp/dist-bench (never web/dist) and runs the bench
# three times, each against a fresh server and browser profile.
# TESSERA_BIN picks the server binary; extra arguments go to the bench.
set -euo pipefail
cd "$(dirname "$0")/../web"
DIST=${TESSERA_WEB_DIST:-/tmp/dist-bench}
npx vite build --outDir "$DIST" --emptyOutDir >/dev/null
node ../bench/editor_bench.mjs --dist "$DIST" --runs 3 "$@"
