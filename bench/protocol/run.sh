#!/usr/bin/env bash
# Runs parse_bench with repetitions and prints the bench/README.md table: medians of MB/s and
# samples/s per variant and workload, and the ratios the goals are stated in.
# Usage: bench/protocol/run.sh [BUILD_DIR]   (default build/release; builds parse_bench first)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/release}
cmake --build "$build" --target parse_bench > /dev/null
out=$(mktemp)
"$build/bench/protocol/parse_bench" --benchmark_repetitions=7 --benchmark_min_time=0.2 \
    --benchmark_report_aggregates_only=true --benchmark_format=json > "$out"
python3 - "$out" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
median = {r["run_name"]: r for r in runs if r.get("aggregate_name") == "median"}
workloads = ["small", "typical", "large"]
def row(variant, w):
    r = median.get(f"{variant}/{w}")
    return r and (r["bytes_per_second"] / 1e6, r["items_per_second"], r["real_time"])
print("| variant | " + " | ".join(f"{w} MB/s (samples/s)" for w in workloads) + " |")
print("|---|" + "---:|" * len(workloads))
for v in ["windash", "simdjson_dom_validate", "boost_json", "nlohmann", "memcpy",
          "write_windash", "write_boost_json", "write_nlohmann"]:
    cells = []
    for w in workloads:
        x = row(v, w)
        cells.append(f"{x[0]:,.0f} ({x[1]:,.0f})" if x else "-")
    print(f"| {v} | " + " | ".join(cells) + " |")
print()
print("| ratio (median time, same batch) | " + " | ".join(workloads) + " |")
print("|---|" + "---:|" * len(workloads))
def ratio(a, b, w):
    return row(b, w)[2] / row(a, w)[2]
for label, a, b in [("windash / simdjson DOM validation (speed)", "windash", "simdjson_dom_validate"),
                    ("windash / Boost.JSON parse+extract", "windash", "boost_json"),
                    ("windash / nlohmann parse+extract", "windash", "nlohmann"),
                    ("writer: windash / Boost.JSON serialize", "write_windash", "write_boost_json"),
                    ("writer: windash / nlohmann dump", "write_windash", "write_nlohmann")]:
    print(f"| {label} | " + " | ".join(f"{ratio(a, b, w):.2f}x" for w in workloads) + " |")
PY
rm -f "$out"
