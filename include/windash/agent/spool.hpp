#pragma once
/// @file
/// The agent's on-disk spool: every sample is appended here before it is sent, and leaves only
/// when the server has acknowledged it. It survives a SIGKILL of the agent and any server outage,
/// within a size cap and an age cap.
///
/// Durability: an append is written to the file before it returns, so a crash or SIGKILL of the
/// agent loses nothing (the operating system has the data). It is also flushed to disk
/// (fdatasync) when older samples are still unacknowledged, that is whenever the server is behind
/// or unreachable. The one sample appended while nothing else waits is not flushed: the server
/// acknowledges it within milliseconds, or the next append flushes it. So a power loss of the
/// agent's machine loses at most that one newest sample, and only in that window; a flush per
/// sample was a fifth of the agent's CPU (bench/README.md).
///
/// Layout of the folder: segment files `<first index, 20 digits>.spool`, each holding one
/// sample's JSON per line (the exact text sent, so nothing is parsed or re-serialized on the way
/// out), and `acked`, the index of the first sample not yet acknowledged. Indices count every
/// sample ever appended and never repeat. A torn last line (a crash in the middle of a write) is
/// cut off when the spool is opened. `acked` is overwritten in place (one fixed-width line), not
/// at every acknowledgement but every `ack_save_every` and when the spool is closed, and never
/// flushed to disk: after a SIGKILL or a power loss some acknowledged samples are sent again,
/// which the server counts as duplicates (it stores each (device, ts) once), never as losses.
///
/// Not thread-safe: one spool is used by one thread. One process at a time may open a folder
/// (an exclusive lock on Linux).
#include <windash/agent/errors.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace windash::agent {

/// How much the spool keeps. When appending would pass `max_bytes`, or a segment gets older
/// than `max_age`, the oldest segments are removed with their samples, sent or not: those
/// samples are lost, counted in spool_stats and reported by append().
struct spool_limits {
    std::uint64_t max_bytes = 128ull << 20;  ///< files on disk, at most (default 128 MiB)
    std::chrono::seconds max_age{std::chrono::hours(24 * 7)};  ///< by a segment's last write
    std::size_t samples_per_segment = 1000;                    ///< one full batch
    /// How often the acknowledged position is written to `acked` (and once more at close).
    /// A write per acknowledgement costs the file system an inode update per sample; what a
    /// SIGKILL makes the agent resend is at most this much of acknowledged samples.
    std::chrono::milliseconds ack_save_every{std::chrono::seconds(10)};
};

/// What the spool holds and has lost so far (since it was opened).
struct spool_stats {
    std::uint64_t pending = 0;       ///< samples appended and not acknowledged
    std::uint64_t bytes = 0;         ///< size of the segment files
    std::uint64_t dropped_full = 0;  ///< removed unacknowledged because of max_bytes
    std::uint64_t dropped_old = 0;   ///< removed unacknowledged because of max_age
    std::uint64_t disk_flushes = 0;  ///< appends flushed to disk (see Durability above)
};

/// What one append() had to remove to stay within the limits; zero when nothing.
struct spool_drop {
    std::uint64_t full = 0;
    std::uint64_t old = 0;
    [[nodiscard]] std::uint64_t total() const noexcept { return full + old; }
};

/// What one read() appended.
struct spool_read {
    std::size_t samples = 0;  ///< 0 when nothing is pending from `from` on
    std::uint64_t next = 0;   ///< the index after the last sample read: where to read next
};

class spool {
  public:
    /// Opens or creates the spool in `folder` (created with mode 0700 when missing), reading
    /// what a previous run left: segments are scanned once, a torn last line is cut off.
    /// Fails when the folder cannot be used or another process has it open.
    [[nodiscard]] static agent_result<spool> open(const std::filesystem::path& folder,
                                                  spool_limits limits = {});

    spool(spool&&) noexcept;
    spool& operator=(spool&&) noexcept;
    ~spool();

    /// Appends one sample's JSON (one line: no raw newline), written to the file before it
    /// returns and flushed to disk when older samples are unacknowledged (see Durability above).
    /// Removes the oldest segments first when the limits demand it.
    [[nodiscard]] agent_result<spool_drop> append(std::string_view sample_json);

    /// Appends to `out`, comma-separated, the JSON of the samples from index `from` on: at most
    /// `max_samples`, and no more than `max_bytes` of text unless the first sample alone is
    /// longer. `from` below begin() reads from begin(): what was dropped is gone.
    [[nodiscard]] agent_result<spool_read> read(std::uint64_t from, std::size_t max_samples,
                                                std::size_t max_bytes, std::string& out);

    /// The samples before index `end` are acknowledged: they are forgotten, and segments made
    /// only of them are deleted.
    [[nodiscard]] agent_result<void> acknowledge(std::uint64_t end);

    /// Index of the oldest sample not acknowledged (== end() when none is pending).
    [[nodiscard]] std::uint64_t begin() const noexcept;
    /// Index the next append() gets.
    [[nodiscard]] std::uint64_t end() const noexcept;
    [[nodiscard]] spool_stats stats() const noexcept;
    [[nodiscard]] const std::filesystem::path& folder() const noexcept;

  private:
    struct state;
    explicit spool(std::unique_ptr<state> s);
    std::unique_ptr<state> state_;
};

}  // namespace windash::agent
