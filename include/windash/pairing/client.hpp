#pragma once
/// @file
/// The agent's HTTP side of pairing (SPEC §3): asks for a code, polls for the token, and
/// pair() which runs the whole flow. Blocking calls, each bounded by client_options::timeout;
/// one client is used by one thread at a time.

#include <windash/pairing/flow.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace windash::pairing {

struct client_options {
    /// Each HTTP exchange (connect, TLS, request, answer) must finish within this.
    std::chrono::seconds timeout{10};
    /// For https: a PEM file of CAs trusted besides the system's store; empty for none.
    std::string ca_file;
    std::string user_agent = "windash-agent/0.1.0";
};

class client {
  public:
    explicit client(server_url server, client_options opts = {});
    ~client();
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /// `POST /api/device-codes {"hostId","hostname"}` (hostname left out when empty).
    [[nodiscard]] outcome<device_code_grant> request_code(std::string_view host_id,
                                                          std::string_view hostname);
    /// `POST /api/device-token {"deviceCode"}`, read by parse_poll_answer().
    [[nodiscard]] outcome<poll_answer> poll(std::string_view device_code);

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// What pair() tells its caller, and how it waits.
struct pair_callbacks {
    /// The code and the URL to show the person (required).
    std::function<void(const device_code_grant&)> show_code;
    /// Sleeps between polls; default std::this_thread::sleep_for.
    std::function<void(std::chrono::seconds)> wait;
    /// After every poll that did not finish the flow (pending or slow_down); optional.
    std::function<void(poll_status)> polled;
};

/// The whole flow: asks for a code, shows it, polls every interval (5 s more after each
/// slow_down) until approved, denied or expired. A poll that fails to reach the server is
/// retried at the next interval until the code expires.
[[nodiscard]] outcome<credential> pair(client& c, std::string_view host_id,
                                       std::string_view hostname, const pair_callbacks& cb);

}  // namespace windash::pairing
