#pragma once
/// @file
/// The JSON messages between agents and the server (SPEC §2), as plain values.

#include <windash/core/sample.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace windash::protocol {

/// Bounds of SPEC §2 on one agent frame.
struct message_limits {
    static constexpr std::size_t max_samples = 1000;         ///< samples per metrics batch
    static constexpr std::size_t max_frame_bytes = 1 << 20;  ///< 1 MiB; bigger frames close 1009
    static constexpr std::size_t max_hello_field = 256;      ///< `agent`, `os`, `hostname` bytes
};

/// What an agent frame turned out to be.
enum class message_type { metrics, hello };

/// A sample the server refused, by its index in the batch, with the reason naming the field
/// path (`samples[3].cpu.total: must be a number in [0,100]`).
struct rejected_sample {
    std::size_t index = 0;
    std::string error;
    bool operator==(const rejected_sample&) const = default;
};

/// `{"type":"metrics","seq":42,"samples":[...]}`: 1..max_samples samples. After parsing,
/// `samples` holds the valid ones in batch order and `rejected` the others, so
/// `samples.size() + rejected.size()` is the number of samples the frame carried.
struct metrics_batch {
    std::optional<std::uint64_t> seq;  ///< optional, increases per connection when present
    std::vector<sample> samples;
    std::vector<rejected_sample> rejected;
    bool operator==(const metrics_batch&) const = default;
};

/// `{"type":"hello","agent":"windash-agent/0.1.0","os":"...","hostname":"...","cores":16}`.
/// Every field is optional; absent strings are empty.
struct hello {
    std::string agent;
    std::string os;
    std::string hostname;
    std::optional<std::uint64_t> cores;
    bool operator==(const hello&) const = default;
};

/// Server to agent, only after the accepted samples are durably committed. `accepted +
/// duplicates + rejected.size()` is the size of the batch acknowledged.
struct ack {
    std::optional<std::uint64_t> seq;  ///< echoes the batch's `seq` when it had one
    std::uint64_t accepted = 0;
    std::uint64_t duplicates = 0;
    std::vector<rejected_sample> rejected;
    bool operator==(const ack&) const = default;
};

/// Server to agent: `{"type":"error","code":"bad_message","message":"..."}`.
struct error_message {
    std::string code = "bad_message";
    std::string message;
    bool operator==(const error_message&) const = default;
};

}  // namespace windash::protocol
