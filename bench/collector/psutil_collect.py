#!/usr/bin/env python3
"""The figures of one windash Sample v1 gathered with psutil, as the seed agents do: CPU total
and per core (deltas since the previous call), per-core frequency, memory and swap, real disks,
network rates without loopback, uptime, process count, load and temperatures.

  psutil_collect.py [--iterations N]      time N collections, print the median (JSON)
  psutil_collect.py --compare SAMPLE.json check psutil agrees with a windash-collect sample
  psutil_collect.py --every 2 --count 5   collect every 2 s (for RSS measurements)
"""
import argparse
import json
import os
import statistics
import sys
import time

import psutil


class Collector:
    def __init__(self):
        self.prev_net = None
        self.prev_at = None

    def collect(self):
        s = {"cpu": {"total": psutil.cpu_percent(), "perCore": psutil.cpu_percent(percpu=True)}}
        freq = psutil.cpu_freq(percpu=True)
        if freq:
            s["cpu"]["freqMhz"] = [f.current for f in freq]
        vm, sw = psutil.virtual_memory(), psutil.swap_memory()
        s["mem"] = {"used": vm.total - vm.available, "total": vm.total,
                    "available": vm.available, "swapUsed": sw.used, "swapTotal": sw.total}
        s["disk"] = self.disks()
        s["net"] = self.net_rates()
        s["uptimeSec"] = int(time.time() - psutil.boot_time())
        s["procCount"] = len(psutil.pids())
        s["load"] = list(psutil.getloadavg())
        temps = psutil.sensors_temperatures()
        s["temps"] = [{"name": f"{chip} {t.label}", "c": t.current}
                      for chip, entries in temps.items() for t in entries]
        return s

    @staticmethod
    def disks():
        out, seen = [], set()
        for p in psutil.disk_partitions():
            if p.device in seen or p.fstype in ("squashfs", "overlay"):
                continue
            seen.add(p.device)
            u = psutil.disk_usage(p.mountpoint)
            out.append({"name": p.mountpoint, "used": u.used, "total": u.total})
        return out

    def net_rates(self):
        now, counters = time.monotonic(), psutil.net_io_counters(pernic=True)
        rates = {"txBps": 0, "rxBps": 0}
        if self.prev_net is not None and now > self.prev_at:
            dt = now - self.prev_at
            for name, c in counters.items():
                before = self.prev_net.get(name)
                if name == "lo" or before is None:
                    continue
                rates["txBps"] += max(c.bytes_sent - before.bytes_sent, 0) / dt
                rates["rxBps"] += max(c.bytes_recv - before.bytes_recv, 0) / dt
        self.prev_net, self.prev_at = counters, now
        return {k: round(v) for k, v in rates.items()}


def time_collections(iterations):
    c = Collector()
    c.collect()  # priming, as windash's benchmark does
    times = []
    for _ in range(iterations):
        start = time.perf_counter_ns()
        c.collect()
        times.append(time.perf_counter_ns() - start)
    return {"median_ns": statistics.median(times), "iterations": iterations}


def compare(path):
    """Fails unless psutil sees the same cores, memory size and disks as windash."""
    with open(path) as f:
        ours = json.loads(f.read())
    theirs = Collector().collect()
    problems = []
    if len(ours["cpu"]["perCore"]) != len(theirs["cpu"]["perCore"]):
        problems.append("per-core count differs")
    if ours["mem"]["total"] != theirs["mem"]["total"]:
        problems.append("memory total differs")
    if sorted(d["name"] for d in ours["disk"]) != sorted(d["name"] for d in theirs["disk"]):
        problems.append(f"disks differ: {ours['disk']} vs {theirs['disk']}")
    if abs(ours["uptimeSec"] - theirs["uptimeSec"]) > 5:
        problems.append("uptime differs")
    for p in problems:
        print("psutil_collect: " + p, file=sys.stderr)
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--compare")
    ap.add_argument("--every", type=float, default=0)
    ap.add_argument("--count", type=int, default=5)
    args = ap.parse_args()
    if args.compare:
        return compare(args.compare)
    if args.every > 0:
        c = Collector()
        for i in range(args.count):
            if i:
                time.sleep(args.every)
            print(json.dumps(c.collect()), flush=True)
        return 0
    print(json.dumps(time_collections(args.iterations)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
