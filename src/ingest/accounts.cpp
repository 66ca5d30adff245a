#include "ingest/accounts.hpp"

#include "ingest/request_target.hpp"
#include <windash/ingest/provisioning.hpp>

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>

namespace windash::ingest::detail {

timestamp wall_now() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

signed_in find_signed_in(server_state& state, store::store& db, std::string_view cookie_header) {
    auto id = cookie_value(cookie_header, session_cookie);
    if (!id || id->empty()) return {};
    const auto hash = store::hash_secret(*id);
    const auto now = wall_now();
    auto s = db.find_session(hash, now);
    if (!s) return {std::nullopt, s.error() != store::errc::not_found};
    const std::chrono::microseconds idle = state.opts.session_idle_timeout;
    if (now - s->last_used_at >= idle) {
        (void)db.delete_session(hash);  // expired either way; retention removes it otherwise
        return {};
    }
    // Recording every use would be a write per request: a quarter of the idle period (at most
    // a minute) of imprecision is plenty.
    const std::chrono::microseconds refresh =
        std::min<std::chrono::microseconds>(idle / 4, std::chrono::minutes{1});
    if (now - s->last_used_at >= refresh && !db.touch_session(hash, now)) {
        return {std::nullopt, true};
    }
    auto u = db.find_user(s->user_id);
    if (!u) return {std::nullopt, u.error() != store::errc::not_found};
    return {std::move(*u), false};
}

bool csrf_matches(std::string_view cookie_header, std::string_view presented) {
    auto cookie = cookie_value(cookie_header, csrf_cookie);
    return cookie && !cookie->empty() && constant_time_equal(*cookie, presented);
}

std::string cookie_line(std::string_view name, std::string_view value, std::int64_t max_age,
                        bool http_only, bool tls) {
    return fmt::format("{}={}; Path=/; Max-Age={}{}; SameSite=Lax{}", name, value, max_age,
                       http_only ? "; HttpOnly" : "", tls ? "; Secure" : "");
}

std::optional<new_session> start_session(server_state& state, store::store& db,
                                         const store::user& user, bool tls) {
    const std::string id = generate_token();
    const std::string csrf = generate_token();
    const auto now = wall_now();
    if (!db.create_session(store::hash_secret(id), user.id, now,
                           now + state.opts.session_lifetime)) {
        return std::nullopt;
    }
    const auto age = state.opts.session_lifetime.count();
    return new_session{cookie_line(session_cookie, id, age, true, tls),
                       cookie_line(csrf_cookie, csrf, age, false, tls)};
}

bool end_session(store::store& db, std::string_view cookie_header) {
    auto id = cookie_value(cookie_header, session_cookie);
    if (!id || id->empty()) return true;
    return static_cast<bool>(db.delete_session(store::hash_secret(*id)));
}

account_outcome sign_up(server_state& state, store::store& db, std::string_view email,
                        std::string_view name, std::string_view password) {
    if (state.opts.signup == signup_policy::closed) return {{}, account_refusal::signup_closed, {}};
    if (state.opts.signup == signup_policy::first) {
        auto users = db.count_users();
        if (!users) return {{}, account_refusal::unavailable, {}};
        if (*users > 0) return {{}, account_refusal::signup_closed, {}};
    }
    auto u = add_user(db, email, name, password);
    if (u) return {std::move(*u), account_refusal::none, {}};
    if (u.error().code == store::errc::invalid_argument) {
        return {{}, account_refusal::invalid_request, u.error().message};
    }
    if (u.error().code == store::errc::conflict) return {{}, account_refusal::email_taken, {}};
    return {{}, account_refusal::unavailable, {}};
}

namespace {

// A fixed hash of a random password, made once, for unknown emails.
const std::string& decoy_hash() {
    static const std::string hash = [] {
        auto h = hash_password(generate_token());
        return h ? *h : std::string("$argon2id$v=19$m=19456,t=2,p=1$invalid");
    }();
    return hash;
}

}  // namespace

account_outcome log_in(server_state& state, store::store& db, std::string_view email,
                       std::string_view password, std::string_view client_address) {
    const std::string normalized = normalize_email(email);
    const std::string account_key = "account:" + normalized;
    const std::string address_key = fmt::format("address:{}", client_address);
    auto& throttle = state.logins;
    if (!throttle.allowed(account_key) || !throttle.allowed(address_key)) {
        server_metrics::bump(state.metrics.logins_throttled);
        return {{}, account_refusal::too_many_attempts, {}};
    }
    auto u = db.find_user_by_email(normalized);
    if (!u && u.error() != store::errc::not_found) return {{}, account_refusal::unavailable, {}};
    const bool ok = verify_password(password, u ? u->password_hash : decoy_hash());
    if (!u || !ok) {
        throttle.failed(account_key);
        throttle.failed(address_key);
        server_metrics::bump(state.metrics.logins_failed);
        return {{}, account_refusal::invalid_credentials, {}};
    }
    throttle.succeeded(account_key);
    return {std::move(*u), account_refusal::none, {}};
}

pair_outcome find_typed_code(server_state& state, store::store& db, std::string_view typed,
                             store::row_id user, std::string_view client_address) {
    const std::string user_key = fmt::format("user:{}", user);
    const std::string address_key = fmt::format("address:{}", client_address);
    auto& limit = state.wrong_codes;
    if (!limit.allowed(user_key) || !limit.allowed(address_key)) {
        return {std::nullopt, pair_refusal::too_many_attempts};
    }
    auto code = normalize_user_code(typed);
    store::result<store::device_code> found = make_error_code(store::errc::not_found);
    if (code) found = db.find_device_code(*code, wall_now());
    if (!found && found.error() != store::errc::not_found) {
        return {std::nullopt, pair_refusal::unavailable};
    }
    if (!found) {
        limit.failed(user_key);
        limit.failed(address_key);
        server_metrics::bump(state.metrics.pair_codes_wrong);
        return {std::nullopt, pair_refusal::invalid_code};
    }
    return {std::move(*found), pair_refusal::none};
}

pair_outcome decide_typed_code(server_state& state, store::store& db, std::string_view typed,
                               store::row_id user, std::string_view client_address, bool approve,
                               std::string_view device_name) {
    auto found = find_typed_code(state, db, typed, user, client_address);
    if (!found.code) return found;
    if (found.code->status != store::device_code_status::pending) {
        return {std::nullopt, pair_refusal::already_decided};
    }
    auto decided =
        db.decide_device_code(found.code->user_code, user, approve, device_name, wall_now());
    if (!decided) {
        return {std::nullopt, decided.error() == store::errc::not_found
                                  ? pair_refusal::already_decided
                                  : pair_refusal::unavailable};
    }
    return {std::move(*decided), pair_refusal::none};
}

std::string display_code(std::string_view code) {
    return std::string(code.substr(0, 4)) + "-" + std::string(code.substr(4));
}

}  // namespace windash::ingest::detail
