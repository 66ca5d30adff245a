#!/usr/bin/env bash
# The agent's footprint (issue #10): windash-agent streaming a sample every 2 s to a real
# windash-server (SQLite, in a temp dir) for DURATION seconds, next to a baseline in the same run:
# psutil collecting the same figures every 2 s in Python (bench/collector/psutil_collect.py),
# which is what the seed's agents and many peers' agents do, before sending anything.
# Each process's RSS is read from /proc every 10 s; CPU is its utime+stime over the run.
# Prints one row per process: RSS median and peak (VmHWM), CPU seconds, CPU seconds per hour,
# and for the agent how many samples the server stored.
# Usage: bench/agent/footprint.sh [BUILD_DIR]     DURATION=600 (default) bench/agent/footprint.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
duration=${DURATION:-600}
cmake --build "$build" --target windash-server windash-agent > /dev/null
server_bin=$build/examples/server/windash-server
agent_bin=$build/examples/agent/windash-agent

work=$(mktemp -d /tmp/windash-agent-bench.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2> /dev/null && wait "$p" 2> /dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

db=$work/windash.db
echo 'footprint-password' |
    "$server_bin" --database-url "$db" user add --email bench@example.com --name Bench > /dev/null
token=$("$server_bin" --database-url "$db" device add --email bench@example.com \
            --host-id footprint | tail -1)
"$server_bin" --database-url "$db" --address 127.0.0.1 --port 0 --ws-port 0 \
    > "$work/server.log" 2>&1 &
pids+=($!)
port=""
for _ in $(seq 1 100); do  # the listening line names the port chosen
    port=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/server.log" | head -1 | cut -d: -f3 || true)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { cat "$work/server.log"; echo "server did not start"; exit 1; }

"$agent_bin" run --server "http://127.0.0.1:$port" --token "$token" --host-id footprint \
    --interval 2 --config "$work/agent.json" --spool-dir "$work/spool" 2> "$work/agent.log" &
agent_pid=$!
pids+=("$agent_pid")
/usr/bin/python3 "$root/bench/collector/psutil_collect.py" --every 2 --count $((duration / 2 + 10)) \
    > /dev/null &
psutil_pid=$!
pids+=("$psutil_pid")

rss_kib() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM/{print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sleep 5  # past start-up: the first connection, the collector's first readings
: > "$work/agent.rss"
: > "$work/psutil.rss"
agent_cpu0=$(cpu_ticks "$agent_pid")
psutil_cpu0=$(cpu_ticks "$psutil_pid")
started=$(date +%s)
while [ $(( $(date +%s) - started )) -lt "$duration" ]; do
    rss_kib "$agent_pid" >> "$work/agent.rss"
    rss_kib "$psutil_pid" >> "$work/psutil.rss"
    sleep 10
done
elapsed=$(( $(date +%s) - started ))
agent_cpu=$(( $(cpu_ticks "$agent_pid") - agent_cpu0 ))
psutil_cpu=$(( $(cpu_ticks "$psutil_pid") - psutil_cpu0 ))
agent_hwm=$(hwm_kib "$agent_pid")
psutil_hwm=$(hwm_kib "$psutil_pid")
kill -TERM "$agent_pid"
wait "$agent_pid" || true
stored=$(python3 - "$db" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("select count(*) from metrics").fetchone()[0])
PY
)
hz=$(getconf CLK_TCK)
median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
row() {  # name rss-file hwm ticks
    python3 - "$@" "$elapsed" "$hz" <<'PY'
import sys
name, median_kib, hwm, ticks, elapsed, hz = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
cpu = ticks / hz
print(f"| {name} | {median_kib/1024:.2f} | {hwm/1024:.2f} | {cpu:.2f} | {cpu * 3600 / elapsed:.2f} |")
PY
}
echo "windash-agent footprint: ${elapsed} s, a sample every 2 s ($(date -u +%FT%TZ), commit $(git -C "$root" rev-parse --short HEAD))"
echo "| process | RSS median MiB | RSS peak MiB | CPU s | CPU s per hour |"
echo "|---|---:|---:|---:|---:|"
row windash-agent "$(median "$work/agent.rss")" "$agent_hwm" "$agent_cpu"
row "psutil every 2 s (baseline, collects only)" "$(median "$work/psutil.rss")" "$psutil_hwm" "$psutil_cpu"
echo "samples stored by the server: $stored (agent: $(grep -o 'stopped: .*' "$work/agent.log" || true))"
