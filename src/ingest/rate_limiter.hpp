#pragma once
// Attempts counted per key (an account, a client address) in fixed windows: failed sign-ins
// (SPEC §4), pairing codes created, wrong pairing codes typed (SPEC §3). In this process's
// memory: with several servers behind a load balancer each counts its own share, so a limit
// is per server.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace windash::ingest::detail {

class rate_limiter {
  public:
    using clock = std::chrono::steady_clock;

    /// At most `max_failures` per key within `window`; at most `max_keys` keys are tracked (the
    /// table is cleared of finished windows, then of everything, when full).
    rate_limiter(std::size_t max_failures, clock::duration window, std::size_t max_keys = 100000)
        : max_failures_(max_failures), window_(window), max_keys_(max_keys) {}

    /// Whether `key` may try now. Thread-safe.
    [[nodiscard]] bool allowed(std::string_view key, clock::time_point now = clock::now());
    /// Counts an attempt (a failure, or any use that is limited) of `key`. Thread-safe.
    void failed(std::string_view key, clock::time_point now = clock::now());
    /// Counts an attempt of `key` and says whether it was within the limit. Thread-safe.
    [[nodiscard]] bool take(std::string_view key, clock::time_point now = clock::now());
    /// Forgets `key` (after a successful sign-in). Thread-safe.
    void succeeded(std::string_view key);

  private:
    struct entry {
        clock::time_point window_start;
        std::size_t failures = 0;
    };
    std::size_t max_failures_;
    clock::duration window_;
    std::size_t max_keys_;
    std::mutex mutex_;
    std::unordered_map<std::string, entry> entries_;
};

}  // namespace windash::ingest::detail
