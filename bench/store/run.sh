#!/usr/bin/env bash
# Runs store_bench with repetitions and prints the bench/store/README.md tables: medians of
# samples committed per second (group commit with pipelined INSERTs and with COPY on PostgreSQL,
# and the seed's one transaction per sample), their ratios, and history query times.
# Usage: bench/store/run.sh [BUILD_DIR] [JSON_OUT]   (default build/release; builds store_bench)
# PostgreSQL: a throwaway cluster started by store_bench, or DATABASE_URL when set.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
out=${2:-$(mktemp)}
cmake --build "$build" --target store_bench > /dev/null
# What one fsync costs on this disk today: every figure below is bounded by it.
probe="$build/fsync.probe"
dd if=/dev/zero of="$probe" bs=4k count=500 oflag=dsync 2>&1 | tail -1 |
    awk '{printf "fsync: %.2f ms per synchronous 4 KiB write (dd oflag=dsync, 500 writes)\n", $(NF-3) * 1000 / 500}'
rm -f "$probe"
"$build/bench/store/store_bench" --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true --benchmark_format=json > "$out"
python3 "$root/bench/store/table.py" "$out"
