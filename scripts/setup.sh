#!/usr/bin/env bash
# Installs every Debian 12 package windash needs to build, test and benchmark.
# Idempotent: apt runs only when something is missing. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libboost1.81-dev libboost-json1.81-dev
  libsimdjson-dev libfmt-dev libspdlog-dev libcli11-dev
  libpq-dev libsqlite3-dev libssl-dev openssl libargon2-dev
  doctest-dev libbenchmark-dev nlohmann-json3-dev
  clang-14 libclang-rt-14-dev clang-format
  postgresql sqlite3 curl
  g++-mingw-w64-x86-64 wine64 python3-psutil procps time
  chromium fonts-dejavu-core
)
# Node.js and npm fetch the dashboard's and the browser tests' npm packages (lock files in
# src/dashboard and tests/browser). Debian's nodejs and npm when none is installed; a Node.js
# from elsewhere (NodeSource's nodejs package carries npm) is used as it is.
if ! command -v npm > /dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
