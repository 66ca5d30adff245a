#pragma once
/// @file
/// Turning two snapshots of cumulative counters into the percentages and rates of a sample.
/// Pure functions: no clock, no I/O. Counters that go backwards (a CPU taken offline and back,
/// an interface reset or re-created) never yield a negative or absurd figure.

#include <windash/collector/procfs.hpp>
#include <windash/core/sample.hpp>

#include <chrono>
#include <vector>

namespace windash::collector {

/// Busy share of the time between `prev` and `cur`, in [0, 100]: everything but idle and
/// iowait. A field that went backwards counts as no time; no elapsed time gives 0. With
/// `prev` all zero this is the average since boot.
[[nodiscard]] double cpu_percent(const cpu_times& prev, const cpu_times& cur) noexcept;

/// cpu_percent per core of `cur`, matched with `prev` by id (cores come and go with hotplug);
/// a core absent from `prev` reports its average since boot. At most sample_limits::max_cores
/// values: the first cores of `cur`.
[[nodiscard]] std::vector<double> per_core_percent(const std::vector<core_times>& prev,
                                                   const std::vector<core_times>& cur);

/// True for interfaces whose traffic never leaves the host (`lo`), which samples leave out.
[[nodiscard]] bool is_loopback_interface(std::string_view name) noexcept;

/// Bytes per second over `elapsed`, summed over the non-loopback interfaces of `cur` matched
/// by name with `prev`, rounded to the nearest integer. An interface needs to be in both
/// snapshots to count (one that appeared or vanished contributes nothing), and a counter
/// that went backwards contributes nothing for that interval. Zero when `elapsed` <= 0.
[[nodiscard]] network_rates net_rates(const std::vector<interface_counters>& prev,
                                      const std::vector<interface_counters>& cur,
                                      std::chrono::microseconds elapsed) noexcept;

/// The cumulative counters a collector keeps from one call to the next.
struct counter_snapshot {
    proc_stat cpu;
    std::vector<interface_counters> net;
    std::chrono::steady_clock::time_point at;  ///< when `net` was read (monotonic)
};

/// Fills `out.cpu.total`, `out.cpu.per_core` and `out.net` from the counters of `prev` and
/// `now`. Without `prev` (the first call) CPU figures are averages since boot and `out.net`
/// is left as it is (no interval, no rate).
void apply_rates(const counter_snapshot* prev, const counter_snapshot& now, sample& out);

}  // namespace windash::collector
