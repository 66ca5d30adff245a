"""Prints the bench/store/README.md tables from store_bench's JSON output (medians)."""
import json
import re
import sys

runs = json.load(open(sys.argv[1]))["benchmarks"]
median = {}
for r in runs:
    if r.get("aggregate_name") != "median":
        continue
    name = re.sub(r"/min_time:[0-9.]+|/real_time|/threads:\d+", "", r["run_name"])
    median[name] = r


def rate(name):
    r = median.get(name)
    return r["items_per_second"] if r else None


def fmt(x):
    return f"{x:,.0f}" if x is not None else "-"


def ratio(a, b):
    return f"{a / b:.1f}×" if a and b else "-"


print("| backend | batch | writers | group commit | samples per commit | group commit, COPY | "
      "seed way | group / seed | pipeline / COPY |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for backend in ["sqlite", "postgres"]:
    for writers in [1, 64]:
        for batch in [1, 30, 500]:
            suffix = f"/batch:{batch}/writers:{writers}/{batch}"
            group = rate(f"commit/{backend}/group{suffix}")
            run = median.get(f"commit/{backend}/group{suffix}", {})
            per_commit = run.get("samples_per_commit")
            copy = rate(f"commit/{backend}-copy/group{suffix}") if backend == "postgres" else None
            seed = rate(f"commit/{backend}/seed{suffix}")
            print(f"| {backend} | {batch} | {writers} | {fmt(group)} | {fmt(per_commit)} | "
                  f"{fmt(copy)} | "
                  f"{fmt(seed)} | {ratio(group, seed)} | {ratio(group, copy)} |")
print()
print("| history query (600 points) | sqlite | postgres |")
print("|---|---:|---:|")
for label, key in [("1 hour (raw, 1,800 rows)", "1h"),
                   ("7 days (1-minute tier, 10,080 rows)", "7d"),
                   ("1 year (1-hour tier, 8,760 rows)", "1y")]:
    cells = []
    for backend in ["sqlite", "postgres"]:
        r = median.get(f"history/{backend}/{key}")
        cells.append(f"{r['real_time']:.1f} ms" if r else "-")
    print(f"| {label} | " + " | ".join(cells) + " |")
