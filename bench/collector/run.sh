#!/usr/bin/env bash
# One command for the collector figures of bench/collector/README.md:
#   bench/collector/run.sh [BUILD_DIR]        (default: build)
# needs collect_bench and windash-collect built in BUILD_DIR, and Debian's python3-psutil.
# 1. checks that psutil and windash see the same machine (cores, memory, disks, uptime);
# 2. times one collection: Google Benchmark medians for windash, a loop for psutil;
# 3. measures the peak RSS of a process collecting every 2 s (5 samples) with /usr/bin/time.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
bench="$build/bench/collector/collect_bench"
collect="$build/examples/collect/windash-collect"
python=/usr/bin/python3  # Debian's python3-psutil is installed for the system interpreter
for f in "$bench" "$collect"; do [ -x "$f" ] || { echo "run.sh: $f not built" >&2; exit 1; }; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$collect" >"$tmp/sample.json"
"$python" "$here/psutil_collect.py" --compare "$tmp/sample.json"

# RSS runs in the background while the timings run (they take about 10 s either way).
/usr/bin/time -v "$collect" --interval 2 --count 5 >/dev/null 2>"$tmp/rss-windash" &
rss_windash=$!
/usr/bin/time -v "$python" "$here/psutil_collect.py" --every 2 --count 5 >/dev/null \
    2>"$tmp/rss-psutil" &
rss_psutil=$!

"$bench" --benchmark_repetitions=10 --benchmark_min_time=0.2 \
    --benchmark_report_aggregates_only=true --benchmark_format=json >"$tmp/bench.json"
"$python" "$here/psutil_collect.py" --iterations 500 >"$tmp/psutil.json"
wait "$rss_windash" "$rss_psutil"

"$python" - "$tmp" <<'PY'
import json, re, sys
tmp = sys.argv[1]
bench = json.load(open(f"{tmp}/bench.json"))
median = {b["run_name"]: b["real_time"] / 1000 for b in bench["benchmarks"]
          if b.get("aggregate_name") == "median"}  # ns -> us
psutil_us = json.load(open(f"{tmp}/psutil.json"))["median_ns"] / 1000
rss = lambda f: int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                              open(f"{tmp}/{f}").read()).group(1))
live, floor = median["BM_collect_live"], median["BM_kernel_floor_live"]
print(f"{'one collection (median)':38} {'us':>9} {'psutil / this':>14}")
print(f"{'psutil 5.9.4 (python3)':38} {psutil_us:9.1f} {1:14.1f}")
print(f"{'windash collector, live':38} {live:9.1f} {psutil_us / live:14.1f}")
print(f"{'kernel floor (reads only, no parsing)':38} {floor:9.1f} {psutil_us / floor:14.1f}")
print(f"{'windash collector, 64-core fixture':38} {median['BM_collect_host64_fixture']:9.1f}")
print()
print(f"peak RSS, collecting every 2 s x5: windash-collect {rss('rss-windash') / 1024:.2f} MiB, "
      f"psutil script {rss('rss-psutil') / 1024:.2f} MiB")
PY
