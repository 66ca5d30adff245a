#!/usr/bin/env bash
# The ingest benchmark of issue #8, one command: windash-server against ingest_load on this
# machine (both on its two cores), printing one row per case:
#   (a) 50 agents, 30-sample batches, 4 in flight each, as fast as acks allow: SQLite, PostgreSQL
#   (c) the same with the server's commit path replaced by a no-op sink (--discard-samples)
#   (b) 10,000 agents, 1 sample every 2 s each, for 60 s (SQLite)
# Columns: samples acknowledged per second (after commit), ack latency p50/p99/max, the server's
# peak RSS and CPU seconds during the load run.
# Usage: bench/ingest/run.sh [BUILD_DIR]   (default build/release; builds what it needs)
#        CASES="a c" DURATION=20 FLEET=10000 FLEET_DURATION=60 bench/ingest/run.sh
#        (case a runs both backends; a-sqlite and a-postgres run one)
#        TIMELINE=1 also prints, to stderr, each measured second's acks and latencies
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
duration=${DURATION:-20}
fleet=${FLEET:-10000}
fleet_duration=${FLEET_DURATION:-60}
cases=${CASES:-"a c b"}
cmake --build "$build" --target windash-server ingest_load > /dev/null
server_bin=${SERVER_BIN:-$build/examples/server/windash-server}  # SERVER_BIN: compare another build
load_bin=$build/bench/ingest/ingest_load
# 10,000 agents: a descriptor each in the server and in the load generator (separate processes).
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((fleet + 1000)) ]; then
    echo "descriptor limit $(ulimit -n) is below $((fleet + 1000)): lower FLEET"; exit 1
fi

work=$(mktemp -d /tmp/windash-ingest-bench.XXXXXX)
chmod 755 "$work"
server_pid=""
pg_dir=""
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
cleanup() {
    [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null || true
    [ -n "$pg_dir" ] && su postgres -c "$pg_bin/pg_ctl -D $pg_dir/data -m immediate -w stop" \
        > /dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Sets pg_url to a new database, in a throwaway cluster started on first use (initdb in a temp
# dir as `postgres`, a free loopback port). Called directly, not in $(...), so that pg_dir reaches
# cleanup() and the cluster is stopped on exit.
pg_port=""
pg_databases=0
start_postgres() {
    if [ -z "$pg_dir" ]; then
        mkdir -p "$work/pg" && chown postgres "$work/pg"
        pg_port=$(free_port)
        su postgres -c "$pg_bin/initdb -D $work/pg/data -U windash -A trust" > /dev/null
        pg_dir=$work/pg
        su postgres -c "$pg_bin/pg_ctl -D $pg_dir/data -l $pg_dir/log -w -o '-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=200' start" > /dev/null
    fi
    pg_databases=$((pg_databases + 1))
    su postgres -c "$pg_bin/createdb -h 127.0.0.1 -p $pg_port -U windash bench$pg_databases"
    pg_url="postgresql://windash@127.0.0.1:$pg_port/bench$pg_databases"
}

# Stops the cluster (a fast shutdown: its checkpoint writes what it holds now, not during the
# next case).
stop_postgres() {
    if [ -n "$pg_dir" ]; then
        su postgres -c "$pg_bin/pg_ctl -D $pg_dir/data -m fast -w stop" > /dev/null
        rm -rf "$pg_dir"
        pg_dir=""
    fi
}

provision() {  # url count -> tokens file
    local url=$1 count=$2 tokens=$work/tokens-$RANDOM
    echo 'load-benchmark-password' |
        "$server_bin" --database-url "$url" user add --email load@example.com --name Load > /dev/null
    "$server_bin" --database-url "$url" device add --email load@example.com --host-id load \
        --count "$count" > "$tokens"
    echo "$tokens"
}

# sample_server URL HTTP_ORIGIN: once a second while the load runs (TIMELINE=1), the server's
# group commits in that second (from /metrics: how many, batches per commit, the mean time from
# a batch read to its commit), the batches queued for a commit, its CPU seconds and RSS, and for
# SQLite the WAL's size.
sample_server() {
    exec python3 - "$1" "$2" "$server_pid" <<'PY'  # exec: $! is the sampler itself
import os, sys, time, urllib.request
url, origin, pid = sys.argv[1], sys.argv[2].rstrip("/"), sys.argv[3]
tck = os.sysconf("SC_CLK_TCK")
def metrics():
    text = urllib.request.urlopen(origin + "/metrics", timeout=2).read().decode()
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out
def cpu():
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tck
def rss_mb():
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024
wal = url + "-wal" if "://" not in url else None
prev, prev_cpu, t0 = metrics(), cpu(), time.time()
while True:
    time.sleep(1)
    try:
        m, c = metrics(), cpu()
    except Exception:
        break
    d = lambda k: m.get(k, 0) - prev.get(k, 0)
    n, s = d("windash_batch_commit_seconds_count"), d("windash_batch_commit_seconds_sum")
    commits, batches = d("windash_group_commits_total"), d("windash_group_commit_batches_total")
    wal_mb = os.path.getsize(wal) / 2**20 if wal and os.path.exists(wal) else 0
    print(f"SERVER t={time.time() - t0:.0f}s commits={commits:.0f} "
          f"batches_per_commit={batches / commits if commits else 0:.1f} "
          f"batch_read_to_commit_ms_mean={1000 * s / n if n else 0:.1f} "
          f"queued={m.get('windash_commit_queue_batches', 0):.0f} "
          f"cpu={c - prev_cpu:.2f} rss_mb={rss_mb():.0f} wal_mb={wal_mb:.1f}", flush=True)
    prev, prev_cpu = m, c
PY
}

# run_case NAME URL TOKENS SERVER_FLAGS -- LOAD_FLAGS
run_case() {
    local name=$1 url=$2 tokens=$3 server_flags=$4; shift 5
    local log=$work/server.log
    # The previous case's writes go to disk first, so they are not written back during this
    # one (after (a), gigabytes: (b) then had a p99 of 213 ms, against 35 ms run alone).
    sync
    "$server_bin" --database-url "$url" --port 0 --ws-port 0 --log-level warn $server_flags \
        > "$work/server.out" 2> "$log" &
    server_pid=$!
    local port=""
    for _ in $(seq 1 300); do
        port=$(grep -o 'ws://[^ ]*' "$work/server.out" 2>/dev/null | sed 's|.*:\([0-9]*\)/agent|\1|') || true
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { cat "$log"; echo "server did not start"; exit 1; }
    local tck cpu0 cpu1 result sampler=""
    tck=$(getconf CLK_TCK)
    cpu0=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    if [ -n "${TIMELINE:-}" ]; then
        sample_server "$url" "$(grep -o 'http://[^ ]*' "$work/server.out" | head -1)" \
            > "$work/server.timeline" &
        sampler=$!
    fi
    "$load_bin" --port "$port" --tokens "$tokens" "$@" > "$work/load.out"
    result=$(grep '^RESULT' "$work/load.out")
    if [ -n "${TIMELINE:-}" ]; then  # each second's acks and latencies, to stderr
        kill "$sampler" 2> /dev/null || true
        wait "$sampler" 2> /dev/null || true
        echo "$name" >&2
        grep '^SECOND' "$work/load.out" >&2
        cat "$work/server.timeline" >&2
    fi
    cpu1=$(awk '{print $14 + $15}' "/proc/$server_pid/stat")
    local hwm
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    server_pid=""
    python3 - "$name" "$result" "$hwm" "$cpu0" "$cpu1" "$tck" <<'PY'
import sys
name, result, hwm, cpu0, cpu1, tck = sys.argv[1:]
r = dict(kv.split("=") for kv in result.split()[1:])
cpu = (float(cpu1) - float(cpu0)) / float(tck)
print(f"| {name} | {r['connected']}/{r['agents']} | {float(r['samples_per_s']):,.0f} | "
      f"{r['ack_ms_p50']} | {r['ack_ms_p99']} | {r['ack_ms_max']} | {int(hwm) / 1024:.0f} | "
      f"{cpu:.1f} | {float(r['measured_s']):.0f} |")
PY
}

echo "windash ingest benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, commit $(git -C "$root" rev-parse --short HEAD)"
echo
echo "| case | agents | samples/s acked | ack p50 ms | ack p99 ms | ack max ms | server peak RSS MB | server CPU s | measured s |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in $cases; do
    case $c in
        a|a-sqlite|a-postgres)
            if [ "$c" != a-postgres ]; then
                url=$work/a.db; tokens=$(provision "$url" 50)
                run_case "(a) SQLite, 50 agents x 30-sample batches, 4 in flight" "$url" "$tokens" "" -- \
                    --agents 50 --batch 30 --window 4 --warmup 3 --duration "$duration" ${TIMELINE:+--timeline}
            fi
            if [ "$c" != a-sqlite ]; then
                start_postgres
                url=$pg_url; tokens=$(provision "$url" 50)
                run_case "(a) PostgreSQL, 50 agents x 30-sample batches, 4 in flight" "$url" "$tokens" "" -- \
                    --agents 50 --batch 30 --window 4 --warmup 3 --duration "$duration" ${TIMELINE:+--timeline}
                stop_postgres
            fi
            ;;
        c)
            url=$work/c.db; tokens=$(provision "$url" 50)
            run_case "(c) no-op sink, 50 agents x 30-sample batches, 4 in flight" "$url" "$tokens" \
                "--discard-samples" -- --agents 50 --batch 30 --window 4 --warmup 3 --duration "$duration" ${TIMELINE:+--timeline}
            ;;
        b)
            url=$work/b.db; tokens=$(provision "$url" "$fleet")
            run_case "(b) SQLite, $fleet agents x 1 sample every 2 s" "$url" "$tokens" \
                "--max-connections 20000 ${FLEET_SERVER_FLAGS:-}" -- --agents "$fleet" --batch 1 --window 4 \
                --interval-ms 2000 --warmup 4 --duration "$fleet_duration" ${TIMELINE:+--timeline}
            ;;
    esac
done
