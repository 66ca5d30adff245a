#pragma once
// Failed sign-ins counted per key (an account, a client address) in fixed windows (SPEC §4:
// throttled per account and per address). In this process's memory: with several servers behind
// a load balancer each counts its own share, so the limit is per server.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace windash::ingest::detail {

class login_throttle {
  public:
    using clock = std::chrono::steady_clock;

    /// At most `max_failures` per key within `window`; at most `max_keys` keys are tracked (the
    /// table is cleared of finished windows, then of everything, when full).
    login_throttle(std::size_t max_failures, clock::duration window, std::size_t max_keys = 100000)
        : max_failures_(max_failures), window_(window), max_keys_(max_keys) {}

    /// Whether `key` may try now. Thread-safe.
    [[nodiscard]] bool allowed(std::string_view key, clock::time_point now = clock::now());
    /// Counts a failure of `key`. Thread-safe.
    void failed(std::string_view key, clock::time_point now = clock::now());
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
