#pragma once
// The ingest server's counters (SPEC §6 `/metrics`): lock-free, bumped from any I/O thread,
// rendered in Prometheus text format 0.0.4.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace windash::ingest::detail {

/// Why an agent's upgrade was refused, one counter each.
enum class refusal : std::size_t { invalid_token, host_mismatch, bad_host_id, unavailable, count };
/// Why a frame got an error reply or closed its connection, one counter each.
enum class frame_refusal : std::size_t { invalid_json, invalid_message, too_big, binary, count };

/// A Prometheus histogram with fixed bucket bounds in seconds.
class latency_histogram {
  public:
    static constexpr std::array<double, 13> bounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,    1,     2.5,  5,     10};
    void observe(std::chrono::steady_clock::duration d) noexcept;
    void render(std::string& out, const char* name, const char* help) const;

  private:
    std::array<std::atomic<std::uint64_t>, bounds.size()> buckets_{};  // not cumulative
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_us_{0};
};

/// Everything `/metrics` reports about the server itself.
struct server_metrics {
    using counter = std::atomic<std::uint64_t>;
    counter connections_open{0};  // gauge: HTTP and agent connections
    counter connections_total{0};
    counter connections_over_limit{0};
    counter agents_connected{0};  // gauge
    std::array<counter, static_cast<std::size_t>(refusal::count)> refusals{};
    counter http_requests{0};
    counter request_timeouts{0};
    counter tls_handshake_failures{0};
    counter logins_failed{0};
    counter logins_throttled{0};
    counter accounts_busy{0};     // account requests refused: too many waiting
    counter pair_codes_wrong{0};  // unknown user codes typed at /api/pair
    counter frames{0};
    std::array<counter, static_cast<std::size_t>(frame_refusal::count)> frames_refused{};
    counter samples_accepted{0};
    counter samples_duplicate{0};
    counter samples_rejected{0};
    counter batches_acked{0};
    counter commit_failures{0};
    counter batches_pending{0};  // gauge: read, waiting for their commit
    counter agents_closed_silent{0};
    counter agents_revoked{0};    // closed because their device was deleted or its token rotated
    counter live_connections{0};  // gauge: browsers on /api/live
    counter live_refused{0};      // live connections closed: the user had too many
    counter live_events{0};       // events published to browsers
    counter live_dropped{0};      // events dropped: a browser's queue was full
    counter live_too_big{0};      // sample events over the notification limit, not sent
    latency_histogram commit_latency;

    static void bump(counter& c) noexcept { c.fetch_add(1, std::memory_order_relaxed); }
    template <class E, std::size_t N>
    static void bump(std::array<counter, N>& by, E reason) noexcept {
        bump(by[static_cast<std::size_t>(reason)]);
    }
    /// Appends every metric, `windash_`-prefixed.
    void render(std::string& out) const;
};

}  // namespace windash::ingest::detail
