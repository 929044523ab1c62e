#!/usr/bin/env bash
# Installs every Debian package the build, the demo and the tests need.
# Idempotent and quick when everything is already there: a fresh Debian 12
# machine (as root) runs this once; `make build`, `make test` and `make demo`
# call it every time.
set -euo pipefail

DEB_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost-dev libboost-system-dev
  libsqlite3-dev sqlite3
  libpqxx-dev postgresql
  nginx  # the load-balancer test (tests/integration/lb_test.cc); no service is started
  libsimdjson-dev nlohmann-json3-dev libpugixml-dev zlib1g-dev
  libzip-dev  # datasets imported from a .zip (src/formats/zip_input.cc)
  libssl-dev  # libcrypto: the MD5 of an export (src/util/md5.cc); libssl: https webhooks
  libsodium-dev libspdlog-dev libfmt-dev libcli11-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl ca-certificates  # the system CA store that https webhook deliveries verify against
  openssl  # the openssl command: server/net/https_delivery_test.cc makes a throw-away CA with it
  wrk  # bench/limits.sh: the HTTP limit of this machine (nginx serving a static file)
  chromium chromium-driver
  clang libclang-rt-14-dev
)

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node.js 20+ builds the web app (Vite 7). The machine image ships Node 20;
# Debian 12's own nodejs is 18, so it is only a fallback.
if ! command -v node >/dev/null 2>&1; then
  echo "install-deps: installing nodejs npm (Debian's); the web build wants Node 20+" >&2
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
fi
