#pragma once
// Accounts and sessions as both browser front ends use them: the JSON API (api.cpp) and the
// server-rendered pages (pages.cpp). Blocking (database, password hashing); thread-safe.

#include "ingest/server_state.hpp"
#include <windash/store/store.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace windash::ingest::detail {

inline constexpr std::string_view session_cookie = "windash_session";
inline constexpr std::string_view csrf_cookie = "windash_csrf";

[[nodiscard]] timestamp wall_now();
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

/// The user the `Cookie` header's session names. A session past its absolute expiry or unused
/// for longer than server_options::session_idle_timeout does not count (an idle one is deleted);
/// a live one has its use recorded, at most a few times per idle period.
struct signed_in {
    std::optional<store::user> user;
    bool unavailable = false;  ///< the database failed: answer 503, not 401
};
[[nodiscard]] signed_in find_signed_in(server_state& state, store::store& db,
                                       std::string_view cookie_header);

/// SPEC §4 double submit: `presented` (header X-CSRF-Token, or form field `csrf`) equals the
/// windash_csrf cookie, compared in constant time.
[[nodiscard]] bool csrf_matches(std::string_view cookie_header, std::string_view presented);

/// A Set-Cookie value with SPEC §4's attributes (Secure under TLS); max_age 0 clears it.
[[nodiscard]] std::string cookie_line(std::string_view name, std::string_view value,
                                      std::int64_t max_age, bool http_only, bool tls);

/// A new session for `user`: its id is stored only as a hash. nullopt when the store failed.
struct new_session {
    std::string session_cookie;  ///< Set-Cookie value, HttpOnly
    std::string csrf_cookie;     ///< Set-Cookie value, readable by scripts
};
[[nodiscard]] std::optional<new_session> start_session(server_state& state, store::store& db,
                                                       const store::user& user, bool tls);
/// Ends the session the `Cookie` header names, if any; false when the store failed.
[[nodiscard]] bool end_session(store::store& db, std::string_view cookie_header);

/// Why sign-up or sign-in did not sign anyone in.
enum class account_refusal {
    none,
    invalid_request,      ///< 400, `message` says which field
    email_taken,          ///< 409
    signup_closed,        ///< 403
    too_many_attempts,    ///< 429: failed sign-ins throttled per account and per address
    invalid_credentials,  ///< 401
    unavailable,          ///< 503
};
struct account_outcome {
    std::optional<store::user> user;
    account_refusal refusal = account_refusal::none;
    std::string message;
};
/// Sign-up under server_options::signup. Must run on server_state::accounts (one at a time:
/// two "first" users cannot race).
[[nodiscard]] account_outcome sign_up(server_state& state, store::store& db, std::string_view email,
                                      std::string_view name, std::string_view password);
/// Sign-in, throttled per account and per `client_address`. Unknown emails cost the same
/// password hashing as wrong passwords (no account probing).
[[nodiscard]] account_outcome log_in(server_state& state, store::store& db, std::string_view email,
                                     std::string_view password, std::string_view client_address);

/// Why a typed user code was not found or not decided (SPEC §3 `/api/pair`).
enum class pair_refusal {
    none,
    too_many_attempts,  ///< 429: wrong codes limited per user and per address (RFC 8628 §5.1)
    invalid_code,       ///< 404
    already_decided,    ///< 409
    unavailable,        ///< 503
};
struct pair_outcome {
    std::optional<store::device_code> code;
    pair_refusal refusal = pair_refusal::none;
};
/// The unexpired code `typed` names, whatever its status; a wrong code counts against the
/// limits of `user` and `client_address`.
[[nodiscard]] pair_outcome find_typed_code(server_state& state, store::store& db,
                                           std::string_view typed, store::row_id user,
                                           std::string_view client_address);
/// Approves or denies the pending code `typed` names; `device_name` at most 256 bytes.
[[nodiscard]] pair_outcome decide_typed_code(server_state& state, store::store& db,
                                             std::string_view typed, store::row_id user,
                                             std::string_view client_address, bool approve,
                                             std::string_view device_name);
/// `WDJBMJHT` -> `WDJB-MJHT`, as shown to people.
[[nodiscard]] std::string display_code(std::string_view code);

}  // namespace windash::ingest::detail
