#pragma once
/// @file
/// `windash-agent run`: collects a sample every interval, appends it to the spool, and streams
/// the spool to the server over the agent WebSocket (SPEC §2): `hello`, then batches with `seq`,
/// several in flight, each sample leaving the spool only when its batch is acknowledged.
/// Reconnects with exponential backoff and full jitter; after a reconnect what was not
/// acknowledged is sent again, oldest first, in batches of up to 1000, while collection keeps
/// its schedule. A refused token (401) ends the run: the device was deleted or re-keyed.
#include <windash/agent/spool.hpp>
#include <windash/core/sample.hpp>
#include <windash/pairing/flow.hpp>
#include <windash/protocol/messages.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace windash::agent {

struct stream_settings {
    pairing::server_url server;  ///< `http://` streams over `ws://`, `https://` over `wss://`
    std::string token;           ///< the device's bearer token
    std::string host_id;
    std::chrono::milliseconds interval{2000};
    std::size_t window = 4;  ///< batches sent and not yet acknowledged, at most
    std::size_t max_batch_samples = protocol::message_limits::max_samples;
    std::chrono::milliseconds backoff_first{1000};
    std::chrono::milliseconds backoff_max{60000};
    /// Connecting, TLS and the upgrade must finish within this.
    std::chrono::seconds connect_timeout{10};
    /// A connection on which nothing arrives for this long (the agent pings at half of it) is
    /// closed and made again.
    std::chrono::seconds silence_timeout{60};
    std::string ca_file;  ///< extra CAs for `wss://` (PEM), besides the system's
    protocol::hello hello;
    /// Stop on SIGINT and SIGTERM (for the binary; an embedding program calls stop()).
    bool stop_on_signals = false;
};

enum class log_level { info, warning, error };

struct stream_hooks {
    /// Reads one sample (required); called on the streaming thread every interval.
    std::function<boost::system::result<sample>()> collect;
    /// Where the run reports what happens (optional; nothing is printed otherwise).
    std::function<void(log_level, std::string_view)> log;
};

/// Why run() returned.
enum class stream_end {
    stopped,        ///< stop() or a signal
    token_refused,  ///< 401: the device was deleted or its token rotated; pair again
    host_mismatch,  ///< 409: the token belongs to a device paired for another hostId
    bad_host_id,    ///< 400: the server refused the hostId
    spool_failed,   ///< the spool could not be read or updated
    bad_settings,   ///< the settings cannot be used (an unreadable --ca-file)
};

struct stream_report {
    stream_end end = stream_end::stopped;
    std::string message;             ///< what the person should know, for every end but stopped
    std::uint64_t collected = 0;     ///< samples collected and spooled by this run
    std::uint64_t acknowledged = 0;  ///< samples the server acknowledged (stored or duplicate)
    std::uint64_t rejected = 0;      ///< samples the server refused as invalid (never resent)
    std::uint64_t connections = 0;   ///< upgrades that succeeded
};

/// Exponential backoff with full jitter: before the n-th consecutive attempt (from 0), wait a
/// time drawn uniformly from [first, min(max, first * 2^n)] by `unit_random` in [0, 1).
[[nodiscard]] std::chrono::milliseconds reconnect_delay(unsigned attempt, double unit_random,
                                                        std::chrono::milliseconds first,
                                                        std::chrono::milliseconds max);

/// One streaming run on a thread of its own (the caller's, inside run()).
class streamer {
  public:
    /// `s` must outlive the streamer.
    streamer(stream_settings settings, spool& s, stream_hooks hooks);
    ~streamer();
    streamer(const streamer&) = delete;
    streamer& operator=(const streamer&) = delete;

    /// Streams until stop(), a signal (stream_settings::stop_on_signals) or a fatal refusal.
    /// Call once.
    stream_report run();
    /// Ends run() soon: the connection is closed normally (1000); unacknowledged samples stay
    /// in the spool for the next run. Safe from any thread.
    void stop();

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace windash::agent
