#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: installs what is missing, builds windash (Release),
# runs windash-server on the embedded SQLite default (./windash.db) and a windash-agent for this
# machine next to it, and prints the URLs to open: sign up, then approve the agent's pairing code;
# from then on its samples flow. Ctrl-C stops both cleanly (batches in flight are acknowledged
# first; samples not yet acknowledged stay in the agent's spool for the next run).
# Settings by environment: PORT (3000), WS_PORT (3001), DATABASE_URL (./windash.db),
# ADDRESS (127.0.0.1), WINDASH_INTERVAL (2 seconds). The agent keeps its settings and spool in
# ./.windash-agent/, so a second run streams at once without pairing again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build/release -j"${JOBS:-2}" --target windash-server windash-agent

server=build/release/examples/server/windash-server
agent=build/release/examples/agent/windash-agent
port=${PORT:-3000}
ws_port=${WS_PORT:-3001}
address=${ADDRESS:-127.0.0.1}
db=${DATABASE_URL:-./windash.db}
state=$root/.windash-agent

server_pid="" agent_pid=""
stop() {
  trap - INT TERM EXIT
  [ -n "$agent_pid" ] && kill -TERM "$agent_pid" 2> /dev/null || true
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2> /dev/null || true
  wait 2> /dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

"$server" --database-url "$db" --address "$address" --port "$port" --ws-port "$ws_port" &
server_pid=$!
for _ in $(seq 1 100); do  # up to 10 s for the listeners
  curl -fsS "http://127.0.0.1:${port}/healthz" > /dev/null 2>&1 && break
  kill -0 "$server_pid" 2> /dev/null || { echo "windash-server did not start" >&2; exit 1; }
  sleep 0.1
done

cat <<TXT

== windash-server on ${db} ==
  sign up:    http://localhost:${port}/signup   (the first account; later ones need --signup open)
  sign in:    http://localhost:${port}/login
  health:     http://localhost:${port}/healthz   readiness: http://localhost:${port}/readyz
  metrics:    http://localhost:${port}/metrics   (Prometheus)
  agents:     ws://localhost:${ws_port}/agent?hostId=<hostId>  (also on port ${port})

== windash-agent for this machine ==
  Once signed up, open the pairing URL it prints below and approve; its samples then flow
  (every ${WINDASH_INTERVAL:-2} s) and show in http://localhost:${port}/ and /api/devices.
  Other machines: windash-agent run --server http://<this host>:${port}

TXT

run_agent() {
  "$agent" run --server "http://127.0.0.1:${port}" --config "$state/agent.json" \
      --spool-dir "$state/spool" --no-browser &
  agent_pid=$!
  local rc=0
  wait "$agent_pid" || rc=$?
  agent_pid=""
  return "$rc"
}
rc=0
run_agent || rc=$?
if [ "$rc" -eq 3 ]; then  # the device is not known to this database (a new windash.db): pair again
  echo "The server does not know this agent's device: pairing again." >&2
  rm -f "$state/agent.json"
  rc=0
  run_agent || rc=$?
fi
[ "$rc" -eq 0 ] || echo "windash-agent ended with exit code $rc; the server keeps running (Ctrl-C stops it)" >&2
wait "$server_pid"
