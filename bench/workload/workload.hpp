#pragma once
/// @file
/// Deterministic agent workloads for benchmarks and examples: the same seed gives the same
/// batches on every machine, so figures from different runs compare like with like.

#include <windash/protocol/messages.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace windash::workload {

/// The size of one batch.
struct shape {
    std::string_view name;
    std::size_t samples;
    std::size_t cores;
    std::size_t disks;
};

/// What an agent sends every 2 s.
inline constexpr shape small{"small", 1, 4, 1};
/// A server-class host, or a minute of a desktop agent's spool.
inline constexpr shape typical{"typical", 30, 16, 3};
/// A big host flushing a long spool after an outage.
inline constexpr shape large{"large", 500, 64, 8};

/// A batch of `s.samples` samples of one host, 2 s apart, with every optional field of
/// SPEC §1 filled the way windash's own collector fills them (CPU percentages with two
/// decimals, frequencies in whole MHz, byte counts as integers).
[[nodiscard]] protocol::metrics_batch make_batch(const shape& s, std::uint64_t seed = 42);

/// make_batch() written as the JSON frame an agent sends.
[[nodiscard]] std::string make_frame(const shape& s, std::uint64_t seed = 42);

}  // namespace windash::workload
