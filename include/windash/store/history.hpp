#pragma once
/// @file
/// History queries (SPEC §4 `/metrics`, `/summary`): a time range downsampled into buckets of
/// min/avg/max, read from the finest retention tier that covers it (SPEC §7).

#include <windash/core/timestamp.hpp>
#include <windash/store/records.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace windash::store {

/// Where rows live: raw samples, 1-minute rollups, 1-hour rollups.
enum class tier { raw, minute, hour };

/// Bucket width of a rollup tier (raw: zero).
[[nodiscard]] constexpr std::chrono::microseconds tier_width(tier t) noexcept {
    using namespace std::chrono;
    return t == tier::raw      ? microseconds{0}
           : t == tier::minute ? microseconds{minutes{1}}
                               : microseconds{hours{1}};
}

/// Age limits of the SPEC §7 tiers. Rows older than `now - age` are removed by expire().
struct retention {
    std::chrono::seconds raw{std::chrono::days{14}};     ///< raw samples
    std::chrono::seconds minute{std::chrono::days{90}};  ///< 1-minute rollups
    std::chrono::seconds hour{std::chrono::days{730}};   ///< 1-hour rollups
};

/// One value per bucket for each statistic; NaN where the bucket has no value for this metric.
struct series {
    std::vector<double> min;
    std::vector<double> avg;
    std::vector<double> max;
};

/// A disk's series, matched by name across samples.
struct disk_series {
    std::string name;
    series used;
    series total;
};

/// A temperature sensor's series, matched by name across samples.
struct temperature_series {
    std::string name;
    series celsius;
};

/// What query_history asks for. `max_points` defaults to SPEC §4's 600.
struct history_query {
    row_id device_id = 0;
    timestamp from{};
    timestamp to{};                ///< exclusive
    std::size_t max_points = 600;  ///< at least 1
};

/// A columnar, downsampled history. Buckets without samples are left out, so `bucket_start`
/// may have gaps; every series has one entry per element of `bucket_start`.
struct history {
    tier source = tier::raw;                   ///< the tier that was read
    std::chrono::microseconds bucket_width{};  ///< width of each bucket, a multiple of the tier's
    std::vector<timestamp> bucket_start;       ///< ascending
    std::vector<std::uint64_t> sample_count;   ///< raw samples behind each bucket
    series cpu_total;                          ///< percent
    std::vector<series> per_core;              ///< percent, one per core index
    series mem_used;                           ///< bytes
    series mem_total;                          ///< bytes
    series net_tx;                             ///< bytes per second
    series net_rx;                             ///< bytes per second
    std::vector<disk_series> disks;            ///< bytes, in order of first appearance
    series swap_used;                          ///< bytes; NaN where no swap was reported
    series swap_total;                         ///< bytes
    series load1;                              ///< run-queue averages; NaN where not reported
    series load5;
    series load15;
    std::vector<temperature_series> temps;  ///< °C, in order of first appearance
};

/// Chooses the tier for `[from, to)` within `max_points` buckets: the coarsest tier no wider than
/// (to - from) / max_points, moved coarser while the range starts before that tier's retention
/// horizon (`now - keep`). Pure; used by the backends and tested directly.
[[nodiscard]] tier choose_tier(timestamp from, timestamp to, std::size_t max_points, timestamp now,
                               const retention& keep) noexcept;

}  // namespace windash::store
