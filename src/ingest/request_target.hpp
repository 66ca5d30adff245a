#pragma once
// Pure parsing of what the server reads from an HTTP request itself: the target's path and
// query parameters, and the bearer token. No sockets; fuzzed by tests/fuzz/request_target_fuzz.

#include <windash/core/timestamp.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace windash::ingest::detail {

/// The path part of a request target (`/agent?hostId=a` -> `/agent`).
[[nodiscard]] std::string_view target_path(std::string_view target) noexcept;

/// The percent-decoded value of query parameter `name` in `target`; nullopt when absent, given
/// twice, or not decodable (a bad `%` escape). `+` stays `+`: agents never form-encode.
[[nodiscard]] std::optional<std::string> query_parameter(std::string_view target,
                                                         std::string_view name);

/// The decoded value of field `name` in an HTML form body (application/x-www-form-urlencoded:
/// `+` is a space); nullopt when absent, given twice, or not decodable.
[[nodiscard]] std::optional<std::string> form_field(std::string_view body, std::string_view name);

/// `next` when it is a path on this server (starts with one `/`, printable ASCII without
/// backslashes, at most 512 bytes), else `/`: where to send a browser after signing in, never
/// another host (open redirect).
[[nodiscard]] std::string local_redirect(std::string_view next);

/// Percent-encodes everything but RFC 3986's unreserved characters (for a query value).
[[nodiscard]] std::string percent_encode(std::string_view text);

/// The token of an `Authorization: Bearer <token>` header value (scheme case-insensitive, RFC
/// 6750 §2.1 token68 characters only); nullopt when absent, malformed or longer than max_length.
[[nodiscard]] std::optional<std::string_view> bearer_token(std::string_view authorization,
                                                           std::size_t max_length = 512) noexcept;

/// The value of cookie `name` in a `Cookie` header (RFC 6265 §4.2: `a=1; b=2`); nullopt when
/// absent, given twice, or not made of cookie-octets (no quotes, spaces, commas, semicolons,
/// backslashes or controls).
[[nodiscard]] std::optional<std::string_view> cookie_value(std::string_view header,
                                                           std::string_view name) noexcept;

/// Whether `origin` (an `Origin` header: `scheme://host[:port]`) names the same host and port
/// as `host` (the `Host` header). An absent Origin (empty) counts as same-origin: browsers send
/// one on every cross-site POST.
[[nodiscard]] bool same_origin(std::string_view origin, std::string_view host) noexcept;

/// RFC 8628 §6.1's base-20 user-code alphabet (no vowels, no digits): SPEC §3.
inline constexpr std::string_view user_code_alphabet = "BCDFGHJKLMNPQRSTVWXZ";
/// Length of a user code without its separator (`WDJB-MJHT`).
inline constexpr std::size_t user_code_length = 8;

/// A user code as typed (SPEC §3): case-insensitive, dashes or any other separator ignored;
/// the 8 letters upper-cased, or nullopt when they are not 8 letters of the alphabet. At most
/// 64 characters are looked at.
[[nodiscard]] std::optional<std::string> normalize_user_code(std::string_view typed);

/// A history time parameter (SPEC §4 `from`, `to`): `now`, a duration back from `now`
/// (`-5m`, `-1h`, `-24h`, `-7d`: a minus, 1 to 6 digits, one of s, m, h, d), or an RFC 3339
/// UTC time. nullopt when it is none of these.
[[nodiscard]] std::optional<timestamp> time_parameter(std::string_view text,
                                                      timestamp now) noexcept;

}  // namespace windash::ingest::detail
