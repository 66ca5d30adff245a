#!/usr/bin/env bash
# The agent's footprint (issue #10): windash-agent streaming a sample every 2 s to a real
# windash-server (SQLite, in a temp dir) for DURATION seconds, next to a baseline in the same run:
# psutil collecting the same figures every 2 s in Python (bench/collector/psutil_collect.py),
# which is what the seed's agents and many peers' agents do, before sending anything.
# Each process's RSS is read from /proc every 10 s. CPU is measured two ways over the run: the
# scheduler's exact run time (/proc/PID/schedstat, nanoseconds), which is the figure to quote,
# and utime+stime in clock ticks (what ps and top show), which misses much of a process that
# wakes for well under a tick every 2 s (it is charged only when a tick lands while it runs).
# Prints one row per process: RSS median and peak (VmHWM), CPU seconds, CPU seconds per hour,
# and for each agent how many samples the server stored. BASELINE_AGENT=<another windash-agent
# binary> runs it too, as a second device on the same server, for a before/after in one run.
# The floor (bench/agent/wake_floor.cpp) runs too: a plain C++ loop that does the kernel work of
# one agent cycle every 2 s (the same /proc reads, statfs, an append, a 380-byte send over
# loopback and the wait for a 66-byte reply) at the agent's resident size, and nothing else:
# what any agent costs on this machine before its own code runs.
# Usage: bench/agent/footprint.sh [BUILD_DIR]     DURATION=600 (default) bench/agent/footprint.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
duration=${DURATION:-600}
cmake --build "$build" --target windash-server windash-agent wake_floor > /dev/null
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
device_token() {
    "$server_bin" --database-url "$db" device add --email bench@example.com --host-id "$1" | tail -1
}
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

names=()
procs=()
start_agent() {  # name binary host-id
    "$2" run --server "http://127.0.0.1:$port" --token "$(device_token "$3")" --host-id "$3" \
        --interval 2 --config "$work/$3.json" --spool-dir "$work/$3-spool" 2> "$work/$3.log" &
    pids+=($!)
    names+=("$1")
    procs+=($!)
}
start_agent windash-agent "$agent_bin" footprint
if [ -n "${BASELINE_AGENT:-}" ]; then
    # Half an interval later, so the two wake 1 s apart: a process that wakes just after
    # another finds the kernel's code and data in the caches the other warmed. Started about
    # 0.2 s apart, the second agent was the cheaper one in both runs, whichever binary it was
    # (bench/README.md).
    sleep 1
    start_agent "baseline: $(basename "$BASELINE_AGENT") ${BASELINE_NAME:-}" "$BASELINE_AGENT" baseline
fi
sleep 3  # the agent at its running size, which the floor grows to
floor_mib=$(awk '/^VmRSS/{print int(($2 + 1023) / 1024)}' "/proc/${procs[0]}/status")
floor_bin=$build/bench/agent/wake_floor
"$floor_bin" echo --port-file "$work/floor.port" &
pids+=($!)
for _ in $(seq 1 50); do [ -s "$work/floor.port" ] && break; sleep 0.1; done
"$floor_bin" client --port "$(cat "$work/floor.port")" --rss-mib "$floor_mib" \
    --append-to "$work/floor.spool" &
pids+=($!)
names+=("floor: the same kernel work alone (wake_floor at the agent's RSS)")
procs+=($!)
/usr/bin/python3 "$root/bench/collector/psutil_collect.py" --every 2 --count $((duration / 2 + 10)) \
    > /dev/null &
pids+=($!)
names+=("psutil every 2 s (baseline, collects only)")
procs+=($!)

# The sampling loop below uses builtins only and starts no process, so the machine's tasks stay
# as they are: the agent's collector keeps its process count while no task is created or ended
# (collector.hpp, process_count_every), as it would on an idle machine.
rss_kib() {
    local key value rest
    while read -r key value rest; do
        if [ "$key" = VmRSS: ]; then echo "$value"; return; fi
    done < "/proc/$1/status"
}
mkfifo "$work/never"
exec {never}<> "$work/never"  # nothing is ever written: `read -t` on it is a sleep in the shell
hwm_kib() { awk '/^VmHWM/{print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }
sleep 5  # past start-up: the first connection, the collector's first readings
ticks0=()
ns0=()
for i in "${!procs[@]}"; do
    : > "$work/rss.$i"
    ticks0+=("$(cpu_ticks "${procs[$i]}")")
    ns0+=("$(cpu_ns "${procs[$i]}")")
done
started=$EPOCHSECONDS
while [ $((EPOCHSECONDS - started)) -lt "$duration" ]; do
    for i in "${!procs[@]}"; do rss_kib "${procs[$i]}" >> "$work/rss.$i"; done
    read -r -t 10 -u "$never" _ || true
done
elapsed=$((EPOCHSECONDS - started))
ticks=()
ns=()
hwm=()
for i in "${!procs[@]}"; do
    ticks+=("$(( $(cpu_ticks "${procs[$i]}") - ticks0[i] ))")
    ns+=("$(( $(cpu_ns "${procs[$i]}") - ns0[i] ))")
    hwm+=("$(hwm_kib "${procs[$i]}")")
done
for i in "${!procs[@]}"; do  # the agents stop cleanly and log what they sent
    case "${names[$i]}" in psutil* | floor*) ;; *) kill -TERM "${procs[$i]}"; wait "${procs[$i]}" || true ;; esac
done
hz=$(getconf CLK_TCK)
median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "windash-agent footprint: ${elapsed} s, a sample every 2 s ($(date -u +%FT%TZ), commit $(git -C "$root" rev-parse --short HEAD))"
echo "| process | RSS median MiB | RSS peak MiB | CPU s (schedstat) | CPU s per hour | per hour by ticks |"
echo "|---|---:|---:|---:|---:|---:|"
for i in "${!procs[@]}"; do
    python3 - "${names[$i]}" "$(median "$work/rss.$i")" "${hwm[$i]}" "${ns[$i]}" "${ticks[$i]}" \
        "$elapsed" "$hz" <<'PY'
import sys
name, median_kib, hwm, ns, ticks, elapsed, hz = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
cpu = ns / 1e9
print(f"| {name} | {median_kib/1024:.2f} | {hwm/1024:.2f} | {cpu:.3f} | {cpu * 3600 / elapsed:.2f} "
      f"| {ticks / hz * 3600 / elapsed:.2f} |")
PY
done
python3 - "$db" <<'PY'
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "select d.host_id, count(*) from metrics m join devices d on d.id = m.device_id group by 1")
for host, n in rows:
    print(f"samples stored by the server for {host}: {n}")
PY
for host in footprint baseline; do
    if [ -f "$work/$host.log" ]; then
        echo "$host: $(grep -o 'stopped: .*' "$work/$host.log" || true)"
    fi
done
