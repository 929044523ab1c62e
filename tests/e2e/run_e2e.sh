#!/usr/bin/env bash
# Browser end-to-end tests against the real server: starts build/tessera on a
# free port with a fresh data folder and an admin account, then runs
# web/e2e/run.mjs (Debian's chromium via playwright-core) against it.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${TESSERA_BIN:-build/tessera}
DATA=$(mktemp -d /tmp/tessera-e2e-data.XXXXXX)
LOG=$DATA/server.log
cleanup() {
  [[ -n "${SERVER_PID:-}" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$DATA"
}
trap cleanup EXIT

EMAIL=e2e@tessera.local
PASSWORD=e2e-password-123
"$BIN" user add --data "$DATA" --email "$EMAIL" --password "$PASSWORD" --admin >/dev/null
# The log exists before the server's own redirect opens it: the loop below
# reads it at once, and under a busy parallel ctest the forked server had
# not created it yet (sed failed, and set -e ended the run).
: >"$LOG"
"$BIN" serve --data "$DATA" --port 0 --static-dir "${TESSERA_WEB_DIST:-web/dist}" >>"$LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
  PORT=$(sed -n 's/.*http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$LOG" | head -1)
  [[ -n "$PORT" ]] && break
  sleep 0.1
done
[[ -n "${PORT:-}" ]] || { echo "server did not start:"; cat "$LOG"; exit 1; }

cd web
TESSERA_URL=http://127.0.0.1:$PORT TESSERA_EMAIL=$EMAIL TESSERA_PASSWORD=$PASSWORD node e2e/run.mjs
