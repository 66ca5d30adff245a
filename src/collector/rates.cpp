#include <windash/collector/rates.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace windash::collector {
namespace {

// Counters only grow; one that shrank was reset, and the interval tells nothing about it.
std::uint64_t grown(std::uint64_t prev, std::uint64_t cur) noexcept {
    return cur >= prev ? cur - prev : 0;
}

const core_times* find_core(const std::vector<core_times>& cores, unsigned id) noexcept {
    for (const auto& c : cores)
        if (c.id == id) return &c;
    return nullptr;
}

const interface_counters* find_interface(const std::vector<interface_counters>& all,
                                         std::string_view name) noexcept {
    for (const auto& i : all)
        if (i.name == name) return &i;
    return nullptr;
}

std::uint64_t per_second(std::uint64_t bytes, std::chrono::microseconds elapsed) noexcept {
    double rate = static_cast<double>(bytes) * 1e6 / static_cast<double>(elapsed.count());
    // 2^64 as a double; anything at or above it cannot be a real rate.
    constexpr double limit = 18446744073709551616.0;
    return rate >= limit ? std::numeric_limits<std::uint64_t>::max()
                         : static_cast<std::uint64_t>(std::llround(rate));
}

}  // namespace

double cpu_percent(const cpu_times& prev, const cpu_times& cur) noexcept {
    std::uint64_t idle = grown(prev.idle, cur.idle) + grown(prev.iowait, cur.iowait);
    std::uint64_t busy = grown(prev.user, cur.user) + grown(prev.nice, cur.nice) +
                         grown(prev.system, cur.system) + grown(prev.irq, cur.irq) +
                         grown(prev.softirq, cur.softirq) + grown(prev.steal, cur.steal);
    if (busy + idle == 0) return 0;
    return static_cast<double>(busy) * 100.0 / static_cast<double>(busy + idle);
}

std::vector<double> per_core_percent(const std::vector<core_times>& prev,
                                     const std::vector<core_times>& cur) {
    std::size_t n = std::min(cur.size(), sample_limits::max_cores);
    std::vector<double> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto* before = find_core(prev, cur[i].id);
        out.push_back(cpu_percent(before ? before->times : cpu_times{}, cur[i].times));
    }
    return out;
}

bool is_loopback_interface(std::string_view name) noexcept { return name == "lo"; }

network_rates net_rates(const std::vector<interface_counters>& prev,
                        const std::vector<interface_counters>& cur,
                        std::chrono::microseconds elapsed) noexcept {
    if (elapsed.count() <= 0) return {};
    std::uint64_t rx = 0;
    std::uint64_t tx = 0;
    for (const auto& now : cur) {
        const auto* before = find_interface(prev, now.name);
        if (!before || is_loopback_interface(now.name)) continue;
        rx += grown(before->rx_bytes, now.rx_bytes);
        tx += grown(before->tx_bytes, now.tx_bytes);
    }
    return {per_second(tx, elapsed), per_second(rx, elapsed)};
}

void apply_rates(const counter_snapshot* prev, const counter_snapshot& now, sample& out) {
    const proc_stat since_boot;
    const proc_stat& before = prev ? prev->cpu : since_boot;
    out.cpu.total = cpu_percent(before.all, now.cpu.all);
    out.cpu.per_core = per_core_percent(before.cores, now.cpu.cores);
    if (prev)
        out.net =
            net_rates(prev->net, now.net,
                      std::chrono::duration_cast<std::chrono::microseconds>(now.at - prev->at));
}

}  // namespace windash::collector
