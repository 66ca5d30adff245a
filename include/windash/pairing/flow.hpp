#pragma once
/// @file
/// The agent's side of the device-code flow (SPEC §3, after RFC 8628) without any I/O: the
/// server address a person types, the answers the server gives, and when to poll next.
/// Pure and fuzzed (tests/fuzz/pairing_fuzz.cpp); client.hpp does the HTTP.

#include <windash/pairing/errors.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace windash::pairing {

/// Where the server is: `http://host[:port]` or `https://host[:port]`, as typed.
struct server_url {
    bool tls = false;
    std::string host;        ///< a name, an IPv4 address, or an IPv6 address without brackets
    std::uint16_t port = 0;  ///< as given, else 80 or 443
    /// `http://host:port` (IPv6 in brackets): the base of every request.
    [[nodiscard]] std::string origin() const;
    /// `host:port` (IPv6 in brackets): the value of the HTTP `Host` header.
    [[nodiscard]] std::string host_header() const;
};

/// Parses what a person typed for `--server`: a scheme, a host and an optional port, nothing
/// else but an optional trailing `/`. errc::bad_server_url with the reason otherwise.
[[nodiscard]] outcome<server_url> parse_server_url(std::string_view text);

/// `POST /api/device-codes` answered 200 (SPEC §3).
struct device_code_grant {
    std::string user_code;                  ///< `WDJB-MJHT`, shown to the person
    std::string device_code;                ///< the agent's secret for polling
    std::string verification_uri;           ///< where to type the code
    std::string verification_uri_complete;  ///< the same with the code filled in
    std::chrono::seconds expires_in{0};
    std::chrono::seconds interval{5};  ///< RFC 8628 §3.2: 5 s when absent
};

/// Limits on what the server may send (a hostile server cannot make the agent keep junk).
struct answer_limits {
    static constexpr std::size_t max_body_bytes = 16 * 1024;
    static constexpr std::size_t max_field_bytes = 2048;
    static constexpr std::chrono::seconds max_interval{300};
    static constexpr std::chrono::seconds max_expires_in{24 * 3600};
};

/// Parses a 200 answer of `/api/device-codes`; errc::bad_answer naming the field otherwise.
[[nodiscard]] outcome<device_code_grant> parse_device_code_grant(std::string_view body);

/// What the device credential is, once approved.
struct credential {
    std::string token;  ///< the bearer token for `/agent` (SPEC §2)
    std::int64_t device_id = 0;
    std::string host_id;
};

/// Where a poll left the flow.
enum class poll_status { pending, slow_down, approved };

struct poll_answer {
    poll_status status = poll_status::pending;
    credential approved;  ///< set when status is approved
};

/// Reads a `/api/device-token` answer by its HTTP status and body (SPEC §3 table): pending,
/// slow_down, approved; denied, expired and unknown codes are failures (errc::denied,
/// errc::expired, errc::unknown_code), anything else errc::bad_answer.
[[nodiscard]] outcome<poll_answer> parse_poll_answer(unsigned status, std::string_view body);

/// When to poll (RFC 8628 §3.5): every `interval`, 5 s more after each slow_down, never
/// past the code's expiry.
class poll_schedule {
  public:
    using clock = std::chrono::steady_clock;
    poll_schedule(std::chrono::seconds interval, clock::time_point expires_at) noexcept;
    /// The wait before the next poll.
    [[nodiscard]] std::chrono::seconds interval() const noexcept { return interval_; }
    /// After a poll answered `status`.
    void on_answer(poll_status status) noexcept;
    /// Whether the code has expired at `now`: stop polling.
    [[nodiscard]] bool expired(clock::time_point now) const noexcept { return now >= expires_at_; }

  private:
    std::chrono::seconds interval_;
    clock::time_point expires_at_;
};

}  // namespace windash::pairing
