#pragma once
/// @file
/// Every limit and setting of the ingest server, each with its default and the SPEC section it
/// implements.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace windash::ingest {

/// Severity of a line given to server_options::log.
enum class log_level { debug, info, warn, error };

/// Who may sign up (SPEC §6 `SIGNUP`).
enum class signup_policy {
    first,   ///< only while there is no user yet (the default)
    open,    ///< anyone
    closed,  ///< nobody: users come from `windash-server user add`
};

/// Settings of ingest::server. Durations are wall-clock, measured on the steady clock.
/// A file of the browser dashboard. `body` is not copied: it must outlive the server (the
/// dashboard's files are static data, see windash/dashboard/assets.hpp).
struct web_file {
    std::string name;          ///< `index.html`, or what is served as `/assets/<name>`
    std::string content_type;  ///< `text/javascript; charset=utf-8`...
    std::string_view body;
};

struct server_options {
    /// Address both listeners bind to (SPEC §6). "::" or "0.0.0.0" for every interface.
    std::string address = "127.0.0.1";
    /// HTTP port, which also serves the agent path (SPEC §6 `PORT`). 0: any free port.
    std::uint16_t http_port = 3000;
    /// Agent WebSocket port (SPEC §6 `WS_PORT`). 0: any free port. Equal to http_port: one
    /// listener serves both.
    std::uint16_t ws_port = 3001;

    /// TLS on both listeners (SPEC §6): PEM files of the server's certificate chain and its
    /// private key. Both empty: plain TCP (http:// and ws://). One without the other is a
    /// bad_option. TLS 1.2 is the minimum.
    std::string tls_certificate_file;
    std::string tls_private_key_file;

    /// Largest agent frame; a bigger one closes the connection with 1009 (SPEC §2).
    std::size_t max_frame_bytes = 1 << 20;
    /// Most samples in one metrics batch (SPEC §2).
    std::size_t max_samples = 1000;
    /// Batches of one connection waiting for their commit; at this many the server stops
    /// reading that socket until one is acknowledged (SPEC §2 backpressure).
    std::size_t max_pending_batches = 8;
    /// A ping to each agent this often (SPEC §2: 20 s).
    std::chrono::milliseconds ping_interval{std::chrono::seconds{20}};
    /// An agent silent this long (no frame, no pong) is disconnected (SPEC §2: 60 s).
    std::chrono::milliseconds silence_timeout{std::chrono::seconds{60}};
    /// Time for a client to send a whole HTTP request head and body: a client trickling bytes
    /// (slowloris) is dropped when it runs out. Agents are unaffected once upgraded.
    std::chrono::milliseconds request_timeout{std::chrono::seconds{10}};
    /// Time to write one HTTP response, and for a WebSocket opening or closing handshake.
    std::chrono::milliseconds handshake_timeout{std::chrono::seconds{10}};
    /// Largest HTTP request head (request line and headers); bigger: 431 and close.
    std::size_t max_header_bytes = 8 * 1024;
    /// Largest HTTP request body; bigger: 413 and close.
    std::size_t max_body_bytes = 64 * 1024;
    /// Open connections (HTTP and agents) at most; past it new ones are closed at once.
    std::size_t max_connections = 20000;
    /// Agents' contact times (SPEC §2 online state) are written this often: departures and new
    /// arrivals at the next write, connected agents again once `contact_refresh` has passed.
    std::chrono::milliseconds contact_flush_interval{std::chrono::seconds{1}};
    /// A connected agent's contact time is rewritten after this long (well inside the 60 s
    /// online window, so a connected agent never shows offline).
    std::chrono::milliseconds contact_refresh{std::chrono::seconds{20}};
    /// shutdown() waits at most this long for agents' batches in flight to be acknowledged.
    std::chrono::milliseconds shutdown_timeout{std::chrono::seconds{30}};
    /// Threads for blocking backend calls (token checks, readiness probes).
    std::size_t blocking_threads = 2;

    /// Browser accounts (SPEC §4), served when the backend has a database (backend::database).
    signup_policy signup = signup_policy::first;
    /// A session ends this long after sign-in, whatever its use.
    std::chrono::seconds session_lifetime{std::chrono::hours{24 * 30}};
    /// A session also ends after this long without a request (the live socket's reconnects
    /// count as requests).
    std::chrono::seconds session_idle_timeout{std::chrono::hours{24 * 7}};
    /// Account requests (sign-up, sign-in: each hashes a password, ~30 ms of a core) run one
    /// at a time on a thread of their own, so a burst cannot take both cores or delay agents;
    /// past this many waiting, more are answered 503.
    std::size_t max_queued_account_requests = 64;
    /// Failed sign-ins allowed per account and per client address within login_window; past
    /// it, 429 until the window ends.
    std::size_t max_failed_logins = 5;
    std::chrono::seconds login_window{std::chrono::minutes{15}};

    /// Live updates (SPEC §5): events waiting per browser connection before more are dropped,
    /// and connections per user.
    std::size_t live_queue_limit = 256;
    std::size_t max_live_connections_per_user = 16;

    /// Pairing (SPEC §3): how long a device code lives, and the poll interval agents are given.
    std::chrono::seconds device_code_lifetime{std::chrono::minutes{10}};
    std::chrono::seconds pairing_interval{std::chrono::seconds{2}};
    /// Answer the seed's `GET /api/device-token?code=<user code>` polling (off: a short code
    /// shown on a screen is not a secret).
    bool allow_user_code_polling = false;
    /// Limits per client address within pairing_window: device codes created, and token polls.
    std::size_t max_device_codes_per_address = 20;
    std::size_t max_token_polls_per_address = 3000;
    /// Wrong user codes typed at /api/pair within pairing_window, per user and per address,
    /// before 429 (RFC 8628 §5.1: a handful per code lifetime makes guessing infeasible).
    std::size_t max_wrong_pair_codes = 5;
    std::chrono::seconds pairing_window{std::chrono::minutes{10}};

    /// The browser dashboard: with an `index.html` among them, signed-in users get it for `/`,
    /// `/devices/{id}` and `/add` (others are sent to sign in), and every file is served as
    /// `/assets/<name>`. Empty: `/` lists the user's machines as a plain page.
    std::vector<web_file> web_files;
    /// Receives the server's log lines; called from any thread. Default: dropped.
    std::function<void(log_level, std::string_view)> log;
};

}  // namespace windash::ingest
