#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: installs what is missing, builds windash (Release)
# and runs windash-server on the embedded SQLite default (./windash.db), printing its URLs and
# how to provision a device. Ctrl-C stops it cleanly (batches in flight are acknowledged first).
# Settings by environment: PORT (3000), WS_PORT (3001), DATABASE_URL (./windash.db),
# ADDRESS (127.0.0.1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build/release -j"${JOBS:-2}" --target windash-server windash-collect

server=build/release/examples/server/windash-server
port=${PORT:-3000}
ws_port=${WS_PORT:-3001}
db=${DATABASE_URL:-./windash.db}
cat <<TXT

== windash-server on ${db} ==
  health:     http://localhost:${port}/healthz   readiness: http://localhost:${port}/readyz
  metrics:    http://localhost:${port}/metrics   (Prometheus)
  agents:     ws://localhost:${ws_port}/agent?hostId=<hostId>  (also on port ${port})

Provision a device without a browser (in another terminal, from ${root}):
  echo 'a-long-password' | ${server} --database-url ${db} user add --email you@example.com --name You
  ${server} --database-url ${db} device add --email you@example.com --host-id \$(hostname)
The token is the last line; an agent sends it as 'Authorization: Bearer <token>'.
(The browser pairing flow, the dashboard and windash-agent come with their own issues.)

TXT
exec "$server" --database-url "$db" --port "$port" --ws-port "$ws_port"
