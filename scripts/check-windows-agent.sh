#!/usr/bin/env bash
# Cross-compiles windash-agent.exe with mingw-w64 and runs it under wine64 against a real Linux
# windash-server (SQLite, in a temp dir, ephemeral ports): the agent pairs over http:// (the
# approval done over the HTTP API, as a browser would), then streams over ws:// until the server
# has stored its samples.
#
#   scripts/check-windows-agent.sh [PATH/TO/windash-server]
#
# Environment: WINDASH_MINGW_BUILD_DIR (default build-mingw), JOBS (default 1). Every process it
# starts is ended when it exits (pass or fail); every wait is bounded.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(realpath -m "${WINDASH_MINGW_BUILD_DIR:-$root/build-mingw}")  # wine wants absolute paths
jobs=${JOBS:-1}
server_bin=${1:-$root/build/release/examples/server/windash-server}

fail() { echo "check-windows-agent: $*" >&2; exit 1; }
[ -x "$server_bin" ] || fail "$server_bin is not executable: build windash-server or pass its path"
# shellcheck source=scripts/windows-cross.sh
source "$root/scripts/windows-cross.sh"
mingw_build windash-agent
exe="$build/examples/agent/windash-agent.exe"

work=$(mktemp -d /tmp/windash-wine-agent.XXXXXX)
server_pid="" agent_pid=""
cleanup() {
    [ -n "$agent_pid" ] && kill -9 "$agent_pid" 2> /dev/null || true
    "$wineserver" -k 2> /dev/null || true
    [ -n "$server_pid" ] && kill -9 "$server_pid" 2> /dev/null || true
    wait 2> /dev/null || true
    rm -rf "$work"
}
trap "cleanup 2> /dev/null" EXIT  # quiet: bash would report the killed job
winpath() { echo "Z:${1//\//\\}"; }  # wine maps the Linux root to drive Z:

db=$work/windash.db
"$server_bin" --database-url "$db" --address 127.0.0.1 --port 0 --ws-port 0 \
    > "$work/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 1 100); do  # the listening line names the port chosen; 10 s at most
    port=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/server.log" | head -1 | cut -d: -f3 || true)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || fail "windash-server did not start: $(cat "$work/server.log")"
origin=http://127.0.0.1:$port

# 1. Pairing: the agent asks for a code; a person (curl) signs up and approves it.
config=$(winpath "$work/agent.json")
timeout 120 "$wine" "$exe" pair --server "$origin" --no-browser --config "$config" \
    > "$work/pair.out" 2> "$work/pair.err" &
agent_pid=$!
code=""
for _ in $(seq 1 600); do  # wine's first start creates its prefix: 60 s at most
    code=$(tr -d '\r' < "$work/pair.out" | grep -o 'code=[A-Z0-9-]*' | head -1 | cut -d= -f2 || true)
    [ -n "$code" ] && break
    kill -0 "$agent_pid" 2> /dev/null || fail "pair ended early: $(cat "$work/pair.out" "$work/pair.err")"
    sleep 0.1
done
[ -n "$code" ] || fail "no pairing code from windash-agent.exe: $(cat "$work/pair.out" "$work/pair.err")"
curl -fsS -c "$work/jar" -H "Origin: $origin" -H 'Content-Type: application/json' \
    -d '{"email":"wine@example.com","password":"a-long-password","name":"Wine"}' \
    "$origin/api/auth/signup" > /dev/null
csrf=$(awk '$6 == "windash_csrf" {print $7}' "$work/jar")
curl -fsS -b "$work/jar" -H "Origin: $origin" -H "X-CSRF-Token: $csrf" \
    -H 'Content-Type: application/json' -d "{\"code\":\"$code\",\"approve\":true}" \
    "$origin/api/pair" > /dev/null
wait "$agent_pid" || fail "pair failed: $(cat "$work/pair.out" "$work/pair.err")"
agent_pid=""
paired=$(tr -d '\r' < "$work/pair.out" | grep 'Paired as device' || true)
[ -n "$paired" ] || fail "pair did not report the device: $(cat "$work/pair.out")"
host_id=$(echo "$paired" | sed -n 's/.*(hostId \([^)]*\)).*/\1/p')
[ -n "$host_id" ] || fail "no hostId in: $paired"

# 2. Streaming: a sample every 0.5 s over ws:// until the server has stored at least 5.
"$wine" "$exe" run --config "$config" --spool-dir "$(winpath "$work/spool")" --interval 0.5 \
    > "$work/run.out" 2> "$work/run.err" &
agent_pid=$!
stored=0
for _ in $(seq 1 600); do  # 60 s at most
    stored=$(sqlite3 "$db" "select count(*) from metrics m join devices d on d.id = m.device_id where d.host_id = '$host_id'" 2> /dev/null || echo 0)
    [ "$stored" -ge 5 ] && break
    kill -0 "$agent_pid" 2> /dev/null || fail "run ended early: $(cat "$work/run.err")"
    sleep 0.1
done
[ "$stored" -ge 5 ] || fail "only $stored samples stored after 60 s: $(tail -5 "$work/run.err")"
os=$(curl -fsS -b "$work/jar" "$origin/api/devices" | grep -o '"isOnline":true' | head -1 || true)
[ -n "$os" ] || fail "the device is not online in /api/devices"
echo "check-windows-agent: OK $(wc -c < "$exe") byte exe paired as hostId $host_id (the MachineGuid) and streamed under wine64; $stored samples stored"
