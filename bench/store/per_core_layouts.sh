#!/usr/bin/env bash
# Why per-core history is not grouped in PostgreSQL: times the 7-day, 600-point per-core query
# on the 1-minute tier (10,080 rollup rows of one device, among 8 devices) in three layouts of a
# throwaway PostgreSQL 15 cluster, medians of 7 (psql \timing, results to /dev/null):
#   blob      - what windash stores: per-core stats in a bytea; the query reads the rows and
#               the store folds them in C++ (that fold is not in this figure, see store_bench)
#   arrays    - min/max/sum per core as float8[], grouped in SQL with unnest ... WITH ORDINALITY
#   rows      - one row per (bucket, core), grouped in SQL
# Usage: bench/store/per_core_layouts.sh   (needs Debian's postgresql; runs as root or a user)
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d /tmp/windash-layouts-XXXXXX)
owner=()
if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; owner=(runuser -u postgres --); fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop() { "${owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap stop EXIT
"${owner[@]}" "$bindir/initdb" -D "$dir/data" -U windash -A trust --no-sync >/dev/null
"${owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir" start >/dev/null
psql=(psql -X -q -h 127.0.0.1 -p "$port" -U windash -d postgres -v ON_ERROR_STOP=1)

"${psql[@]}" <<'SQL'
CREATE TABLE blob_1m (device_id bigint, bucket bigint, samples int, stats bytea,
                      PRIMARY KEY (device_id, bucket));
CREATE TABLE arrays_1m (device_id bigint, bucket bigint, samples int,
                        core_min float8[], core_max float8[], core_sum float8[],
                        PRIMARY KEY (device_id, bucket));
CREATE TABLE rows_1m (device_id bigint, bucket bigint, core int, samples int,
                      mn float8, mx float8, sm float8, PRIMARY KEY (device_id, bucket, core));
INSERT INTO rows_1m
SELECT d, m * 60000000::bigint, c, 30, random() * 50, 50 + random() * 50, random() * 3000
FROM generate_series(1, 8) d, generate_series(0, 10079) m, generate_series(0, 15) c;
INSERT INTO arrays_1m
SELECT device_id, bucket, 30, array_agg(mn ORDER BY core), array_agg(mx ORDER BY core),
       array_agg(sm ORDER BY core)
FROM rows_1m GROUP BY device_id, bucket;
-- 16 x (min, max, sum) doubles plus the other fields, about what windash's encoding holds.
INSERT INTO blob_1m
SELECT device_id, bucket, 30, decode(repeat(md5(bucket::text), 32), 'hex')
FROM arrays_1m;
VACUUM ANALYZE;
SQL

time_query() {  # name, SQL: prints the median of 7 runs in ms (after one warm-up)
    local out
    out=$( { echo '\timing on'; for _ in 1 2 3 4 5 6 7 8; do echo "$2 \\g /dev/null"; done; } |
        "${psql[@]}" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -7 | sort -g | sed -n 4p)
    printf '%-8s %8s ms\n' "$1" "$out"
}
range="device_id = 3 AND bucket >= 0 AND bucket < 10080 * 60000000::bigint"
width=1008000000  # 7 days / 600 points
time_query blob "SELECT bucket, samples, stats FROM blob_1m WHERE $range ORDER BY bucket"
time_query arrays "SELECT bucket / $width, i, min(mn), max(mx), sum(sm) FROM arrays_1m,
    unnest(core_min, core_max, core_sum) WITH ORDINALITY AS u(mn, mx, sm, i)
    WHERE $range GROUP BY 1, 2 ORDER BY 1, 2"
time_query rows "SELECT bucket / $width, core, min(mn), max(mx), sum(sm) FROM rows_1m
    WHERE $range GROUP BY 1, 2 ORDER BY 1, 2"
