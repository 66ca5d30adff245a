#pragma once
/// @file
/// Sample v1 (SPEC §1): one snapshot of a host, as the collector produces it, the protocol
/// carries it and the store keeps it. Plain values: no JSON, no I/O.

#include <windash/core/timestamp.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace windash {

/// Bounds of SPEC §1 shared by every component that builds or checks a sample.
struct sample_limits {
    static constexpr std::size_t max_cores = 1024;         ///< `cpu.perCore`, `cpu.freqMhz`
    static constexpr std::size_t max_disks = 64;           ///< `disk`
    static constexpr std::size_t max_name_length = 256;    ///< `disk[].name`, `temps[].name`
    static constexpr std::size_t max_temperatures = 256;   ///< `temps`
    static constexpr std::size_t max_host_id_length = 64;  ///< `hostId`
    static constexpr double max_percent = 100;             ///< `cpu.total`, `cpu.perCore` (from 0)
    static constexpr double max_frequency_mhz = 1e6;       ///< `cpu.freqMhz` values (from 0)
    static constexpr double max_load = 1e6;                ///< `load` values (from 0)
    static constexpr double min_celsius = -273.15;         ///< `temps[].c`
    static constexpr double max_celsius = 1000;            ///< `temps[].c`
};

/// CPU busy time in percent, [0, 100].
struct cpu_usage {
    double total = 0;              ///< all cores together
    std::vector<double> per_core;  ///< one per logical core, at most max_cores
    std::vector<double> freq_mhz;  ///< optional `cpu.freqMhz`: empty when not reported
    bool operator==(const cpu_usage&) const = default;
};

/// Memory in bytes; `used <= total`.
struct memory_usage {
    std::uint64_t used = 0;
    std::uint64_t total = 0;
    std::optional<std::uint64_t> available;   ///< optional `mem.available`
    std::optional<std::uint64_t> swap_used;   ///< optional `mem.swapUsed`
    std::optional<std::uint64_t> swap_total;  ///< optional `mem.swapTotal`
    bool operator==(const memory_usage&) const = default;
};

/// One mounted filesystem or drive (`C:\`, `/`, `/home`), bytes; `used <= total`.
struct disk_usage {
    std::string name;  ///< 1..max_name_length bytes
    std::uint64_t used = 0;
    std::uint64_t total = 0;
    bool operator==(const disk_usage&) const = default;
};

/// Network throughput over all non-loopback interfaces, bytes per second.
struct network_rates {
    std::uint64_t tx_bps = 0;
    std::uint64_t rx_bps = 0;
    bool operator==(const network_rates&) const = default;
};

/// Run-queue load averages over 1, 5 and 15 minutes (optional `load`).
struct load_average {
    double one = 0;
    double five = 0;
    double fifteen = 0;
    bool operator==(const load_average&) const = default;
};

/// A temperature sensor reading (optional `temps[]`).
struct temperature {
    std::string name;  ///< 1..max_name_length bytes
    double celsius = 0;
    bool operator==(const temperature&) const = default;
};

/// One Sample v1. Optional SPEC fields are `std::optional` or an empty vector when absent.
struct sample {
    timestamp ts{};       ///< `ts`, UTC, microsecond precision
    std::string host_id;  ///< `hostId`, see is_valid_host_id()
    cpu_usage cpu;
    memory_usage mem;
    std::vector<disk_usage> disks;  ///< `disk`, at most max_disks
    network_rates net;
    std::uint64_t uptime_sec = 0;
    std::uint64_t proc_count = 0;
    std::optional<load_average> load;  ///< optional `load`
    std::vector<temperature> temps;    ///< optional `temps`: empty when not reported
    bool operator==(const sample&) const = default;
};

/// True when `id` is 1..64 characters of `[A-Za-z0-9._-]` (SPEC §1 `hostId`, §2 `?hostId=`).
[[nodiscard]] constexpr bool is_valid_host_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > sample_limits::max_host_id_length) return false;
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

}  // namespace windash
