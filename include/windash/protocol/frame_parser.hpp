#pragma once
/// @file
/// Reads agent-to-server frames (SPEC §2) and validates them field by field (SPEC §1).

#include <windash/protocol/errors.hpp>
#include <windash/protocol/messages.hpp>

#include <boost/system/result.hpp>

#include <cstddef>
#include <memory>
#include <string_view>

namespace windash::protocol {

/// Limits a frame_parser enforces; defaults from SPEC §2.
struct frame_parser_options {
    /// Largest frame accepted, in bytes (SPEC §2: 1 MiB).
    std::size_t max_frame_bytes = message_limits::max_frame_bytes;
    /// Most samples in one metrics batch (SPEC §2: 1000).
    std::size_t max_samples = message_limits::max_samples;
    /// Read plainly written frames straight from the text (the common case, about 2x faster).
    /// Off only to cross-check that both paths read every frame the same way (fuzzing).
    bool plain_fast_path = true;
};

/// Parses frames with simdjson On-Demand, reusing its buffers from frame to frame, and never
/// throws. Strict: a frame is a syntax error exactly when it is not RFC 8259 JSON (as judged by
/// a full simdjson DOM parse), including broken JSON inside fields it ignores and trailing
/// bytes. A valid frame that breaks a rule of SPEC §1 for one sample rejects that sample only,
/// with a message naming the field path; a rule broken outside the samples rejects the frame.
///
/// Threads: one parser per thread (it owns mutable parse state). Not copyable. Construction
/// throws std::runtime_error if the CPU lacks the SIMD level the parser was built for.
class frame_parser {
  public:
    /// Bytes readable past the end of a frame given to parse_padded().
    static constexpr std::size_t padding = 64;

    explicit frame_parser(frame_parser_options options = {});
    ~frame_parser();
    frame_parser(frame_parser&&) noexcept;
    frame_parser& operator=(frame_parser&&) noexcept;

    /// Parses one frame, copied first into an internal padded buffer. On success the message
    /// is in batch() or hello(), as the returned type says; it stays valid until the next
    /// call. `expected_host_id`, when not empty, is the connection's hostId that every
    /// sample's `hostId` must equal (SPEC §1).
    [[nodiscard]] boost::system::result<message_type, frame_error> parse(
        std::string_view frame, std::string_view expected_host_id = {});

    /// As parse(), without the copy: `frame.data()` must stay readable for `frame.size() +
    /// padding` bytes (the padding bytes' values do not matter).
    [[nodiscard]] boost::system::result<message_type, frame_error> parse_padded(
        std::string_view frame, std::string_view expected_host_id = {});

    /// The last metrics batch parsed. Mutable so a caller may swap or move it out; the parser
    /// then starts the next batch from empty storage.
    [[nodiscard]] metrics_batch& batch() noexcept;
    /// The last hello parsed.
    [[nodiscard]] const struct hello& hello() const noexcept;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace windash::protocol
