#pragma once
// A real windash-server process on ephemeral loopback ports, over a fresh SQLite file or a
// fresh database of a throwaway PostgreSQL cluster (WINDASH_TEST_BACKEND=postgres), plus the
// helpers the end-to-end tests share: provisioning through the binary, HTTP GETs, sample frames.

#include "ingest/agent_client.hpp"
#include "support/child_process.hpp"
#include <windash/core/sample.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace windash::testing {

/// The windash-server binary under test.
[[nodiscard]] const char* server_binary();
/// The backend these tests run on, from WINDASH_TEST_BACKEND: "postgres", else "sqlite".
/// Usable during static initialisation (doctest skip decorators).
[[nodiscard]] std::string backend_name();
/// backend_name() == "postgres".
[[nodiscard]] bool on_postgres();
/// WINDASH_TEST_QUICK is set: skip the cases that mostly wait on a clock (the 60 s offline
/// window), as the sanitizer run does; their code paths run in the other cases too.
[[nodiscard]] bool quick_run();
/// A fresh, empty database URL for the backend (a new file, or a new PostgreSQL database).
[[nodiscard]] std::string fresh_database_url();
/// A scratch directory for this test binary, removed at exit.
[[nodiscard]] const std::string& scratch_dir();
/// Stops / starts the PostgreSQL cluster (false on SQLite: there is no server).
bool stop_database_server();
void start_database_server();

class server_process {
  public:
    /// Starts windash-server on `database_url` with `extra` flags and waits for its
    /// "listening" line (at most 30 s). Throws when it does not come. Ports 0 are ephemeral;
    /// a restarted server is given the ports of the one it replaces, so its agents find it.
    explicit server_process(std::string database_url, std::vector<std::string> extra = {},
                            std::uint16_t http_port = 0, std::uint16_t ws_port = 0);
    [[nodiscard]] std::uint16_t http_port() const noexcept { return http_port_; }
    [[nodiscard]] std::uint16_t ws_port() const noexcept { return ws_port_; }
    [[nodiscard]] const std::string& database_url() const noexcept { return url_; }
    [[nodiscard]] child_process& process() noexcept { return proc_; }
    [[nodiscard]] const std::string& log_path() const noexcept { return log_; }

  private:
    std::string url_;
    std::string log_;
    child_process proc_;
    std::uint16_t http_port_ = 0;
    std::uint16_t ws_port_ = 0;
};

/// The port of the first URL starting with `scheme` (`http://`, `wss://`...) in a server's
/// "listening" line; 0 when there is none.
[[nodiscard]] std::uint16_t listening_port(const std::string& line, const std::string& scheme);

/// `windash-server user add` then `device add` on `database_url`; returns the device's token.
/// The user is created on first use of `email`.
[[nodiscard]] std::string provision_device(const std::string& database_url,
                                           const std::string& email, const std::string& host_id);

/// One GET over a fresh connection (at most 5 s per step).
[[nodiscard]] http_reply http_get(std::uint16_t port, const std::string& target);
/// One request with `method` (GET, POST...), a `body` (none when empty; JSON unless `headers`
/// name another Content-Type) and `headers`, on
/// a fresh connection (at most 5 s per step). `Host` is 127.0.0.1:port.
[[nodiscard]] http_reply http_call(std::uint16_t port, const std::string& method,
                                   const std::string& target, const std::string& body = {},
                                   const http_headers& headers = {});

/// A valid sample of `host_id` at `base + seconds`, CPU total `cpu`.
[[nodiscard]] sample make_sample(const std::string& host_id, int seconds, double cpu = 12.5);
/// The base time of make_sample: a fixed minute a few hours ago, inside the raw tier.
[[nodiscard]] timestamp base_time();
/// `{"type":"metrics"[,"seq":N],"samples":[...]}` with `count` samples from `first_second`.
[[nodiscard]] std::string metrics_frame(const std::string& host_id, int first_second, int count,
                                        std::optional<std::uint64_t> seq);

}  // namespace windash::testing
