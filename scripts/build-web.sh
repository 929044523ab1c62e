#!/usr/bin/env bash
# Builds the browser app into web/dist/ (index.html + hashed assets/).
# Idempotent: runs `npm ci` only when node_modules is missing or
# package-lock.json changed since the last install, then `npm run build`.
set -euo pipefail

cd "$(dirname "$0")/../web"

if ! command -v npm >/dev/null 2>&1; then
  echo "build-web: npm not found; install Node.js 20+ (Debian: apt-get install -y nodejs npm)" >&2
  exit 1
fi

stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -d node_modules || ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
  echo "build-web: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

npm run --silent build
test -f dist/index.html || { echo "build-web: dist/index.html was not produced" >&2; exit 1; }
