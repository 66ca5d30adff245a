#include "ingest/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace windash::ingest::detail {
namespace {

using counter = server_metrics::counter;

std::uint64_t load(const counter& c) { return c.load(std::memory_order_relaxed); }

void metric(std::string& out, const char* type, const char* name, const char* help,
            std::uint64_t value) {
    fmt::format_to(std::back_inserter(out), "# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help,
                   type, value);
}

template <std::size_t N>
void labelled(std::string& out, const char* name, const char* help, const char* label,
              const std::array<counter, N>& values, const std::array<const char*, N>& names) {
    fmt::format_to(std::back_inserter(out), "# HELP {0} {1}\n# TYPE {0} counter\n", name, help);
    for (std::size_t i = 0; i < N; ++i) {
        fmt::format_to(std::back_inserter(out), "{}{{{}=\"{}\"}} {}\n", name, label, names[i],
                       load(values[i]));
    }
}

}  // namespace

void latency_histogram::observe(std::chrono::steady_clock::duration d) noexcept {
    double seconds = std::chrono::duration<double>(d).count();
    auto bucket = std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin();
    if (static_cast<std::size_t>(bucket) < bounds.size()) {
        buckets_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
    }
    count_.fetch_add(1, std::memory_order_relaxed);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    sum_us_.fetch_add(static_cast<std::uint64_t>(std::max<std::int64_t>(us, 0)),
                      std::memory_order_relaxed);
}

void latency_histogram::render(std::string& out, const char* name, const char* help) const {
    auto it = std::back_inserter(out);
    fmt::format_to(it, "# HELP {0} {1}\n# TYPE {0} histogram\n", name, help);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        fmt::format_to(it, "{}_bucket{{le=\"{}\"}} {}\n", name, bounds[i], cumulative);
    }
    auto count = count_.load(std::memory_order_relaxed);
    fmt::format_to(it, "{0}_bucket{{le=\"+Inf\"}} {1}\n{0}_sum {2}\n{0}_count {1}\n", name, count,
                   static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6);
}

void server_metrics::render(std::string& out) const {
    metric(out, "gauge", "windash_connections", "Open HTTP and agent connections.",
           load(connections_open));
    metric(out, "counter", "windash_connections_total", "Connections accepted.",
           load(connections_total));
    metric(out, "counter", "windash_connections_over_limit_total",
           "Connections closed at once because max_connections were open.",
           load(connections_over_limit));
    metric(out, "gauge", "windash_agents_connected", "Agents connected over WebSocket.",
           load(agents_connected));
    labelled(out, "windash_agent_upgrades_refused_total", "Agent upgrades refused, by reason.",
             "reason", refusals, {"invalid_token", "host_mismatch", "bad_host_id", "unavailable"});
    metric(out, "counter", "windash_http_requests_total", "HTTP requests read.",
           load(http_requests));
    metric(out, "counter", "windash_request_timeouts_total",
           "Connections dropped for not sending a request in time.", load(request_timeouts));
    metric(out, "counter", "windash_tls_handshake_failures_total",
           "Connections dropped because their TLS handshake failed or timed out.",
           load(tls_handshake_failures));
    metric(out, "counter", "windash_logins_failed_total",
           "Sign-ins refused for a wrong email or password.", load(logins_failed));
    metric(out, "counter", "windash_logins_throttled_total",
           "Sign-ins refused because the account or address failed too often.",
           load(logins_throttled));
    metric(out, "counter", "windash_account_requests_busy_total",
           "Sign-ups and sign-ins refused because too many were waiting.", load(accounts_busy));
    metric(out, "counter", "windash_pairing_codes_wrong_total",
           "Unknown or expired user codes typed at /api/pair.", load(pair_codes_wrong));
    metric(out, "counter", "windash_frames_total", "Agent frames read.", load(frames));
    labelled(out, "windash_frames_refused_total", "Agent frames refused, by reason.", "reason",
             frames_refused, {"invalid_json", "invalid_message", "too_big", "binary"});
    metric(out, "counter", "windash_samples_accepted_total", "Samples newly stored.",
           load(samples_accepted));
    metric(out, "counter", "windash_samples_duplicate_total",
           "Samples whose (device, ts) was already stored.", load(samples_duplicate));
    metric(out, "counter", "windash_samples_rejected_total", "Invalid samples rejected.",
           load(samples_rejected));
    metric(out, "counter", "windash_batches_acked_total", "Batches acknowledged.",
           load(batches_acked));
    metric(out, "counter", "windash_commit_failures_total",
           "Batches whose commit failed for good (not acknowledged; the agent resends).",
           load(commit_failures));
    metric(out, "gauge", "windash_batches_pending", "Batches read and waiting for their commit.",
           load(batches_pending));
    metric(out, "counter", "windash_agents_closed_silent_total",
           "Agents disconnected after the silence timeout.", load(agents_closed_silent));
    metric(out, "counter", "windash_agents_revoked_total",
           "Agents disconnected because their device was deleted or its token rotated.",
           load(agents_revoked));
    metric(out, "gauge", "windash_live_connections", "Browsers connected to /api/live.",
           load(live_connections));
    metric(out, "counter", "windash_live_refused_total",
           "Live connections closed because their user had too many.", load(live_refused));
    metric(out, "counter", "windash_live_events_total", "Live events published to browsers.",
           load(live_events));
    metric(out, "counter", "windash_live_dropped_total",
           "Live events dropped because a browser's queue was full.", load(live_dropped));
    metric(out, "counter", "windash_live_too_big_total",
           "Sample events not sent to other servers: over PostgreSQL's notification limit.",
           load(live_too_big));
    commit_latency.render(out, "windash_batch_commit_seconds",
                          "From a batch read to its commit completing.");
}

}  // namespace windash::ingest::detail
