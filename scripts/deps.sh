#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, run and test Bangban.
# Idempotent: does nothing when everything is present. Run as root (or with sudo available).
#   scripts/deps.sh          build + test dependencies (Debian packages and npm test packages)
#   scripts/deps.sh --run    only what building and running the server needs
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-all}
run_pkgs=(build-essential cmake pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev
          libpq-dev)
test_pkgs=(libcmocka-dev libcurl4-openssl-dev chromium fonts-noto-cjk sqlite3 curl
           postgresql-15 python3)

pkgs=("${run_pkgs[@]}")
[ "$mode" = "--run" ] || pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Debian's npm only when no npm at all: another Node.js (e.g. 20 from NodeSource) conflicts with it.
if [ "$mode" != "--run" ] && ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ "$mode" != "--run" ]; then
  # Browser-test packages, pinned in tests/e2e/package-lock.json (playwright-core 1.49 runs on node 18).
  if [ ! -d tests/e2e/node_modules/playwright-core ] || [ ! -d tests/e2e/node_modules/axe-core ]; then
    echo "deps: installing npm test packages"
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
