#include "ingest/api.hpp"

#include "ingest/accounts.hpp"
#include "ingest/request_target.hpp"
#include <windash/core/sample.hpp>
#include <windash/ingest/provisioning.hpp>
#include <windash/protocol/writer.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <string_view>

namespace windash::ingest::detail {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

// Most history buckets one request may ask for: bounds the answer (about 20 statistics each).
constexpr std::size_t max_history_points = 10000;

http_response error(http::status status, std::string_view code, unsigned version) {
    return json_response(status, json::serialize(json::object{{"error", code}}), version);
}

http_response error(http::status status, std::string_view code, std::string_view message,
                    unsigned version) {
    return json_response(
        status, json::serialize(json::object{{"error", code}, {"message", message}}), version);
}

json::object user_json(const store::user& u) {
    return {{"id", u.id}, {"email", u.email}, {"name", u.name}};
}

// The request body as a JSON object with these string fields; nullopt names what is wrong.
struct fields {
    json::object object;
    std::string problem;
    [[nodiscard]] std::string_view text(std::string_view key) const {
        auto* v = object.if_contains(key);
        // Never a null data pointer: the store binds one as SQL NULL.
        return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view("");
    }
};

fields parse_fields(const http_request& req, std::initializer_list<std::string_view> required) {
    fields f;
    boost::system::error_code ec;
    auto value = json::parse(req.body(), ec);
    if (ec || !value.is_object()) {
        f.problem = "the body must be a JSON object";
        return f;
    }
    f.object = std::move(value.as_object());
    for (auto key : required) {
        auto* v = f.object.if_contains(key);
        if (!v || !v->is_string()) {
            f.problem = fmt::format("{}: must be a string", key);
            return f;
        }
    }
    return f;
}

// `/api/devices/{id}[/rest]`: the id (positive, decimal) and what follows it.
struct device_path {
    store::row_id id = 0;
    std::string_view rest;
};
std::optional<device_path> parse_device_path(std::string_view path) {
    constexpr std::string_view prefix = "/api/devices/";
    if (!path.starts_with(prefix)) return std::nullopt;
    path.remove_prefix(prefix.size());
    auto slash = path.find('/');
    auto digits = path.substr(0, slash);
    device_path out;
    if (digits.empty() || digits.size() > 18 || digits.front() == '0') return std::nullopt;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out.id);
    if (ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    out.rest = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    return out;
}

// Statistics as JSON: NaN (no value in that bucket) is null.
json::value number(double v) {
    if (std::isnan(v)) return nullptr;
    return v;
}

json::array column(const std::vector<double>& values) {
    json::array out;
    out.reserve(values.size());
    for (double v : values) out.push_back(number(v));
    return out;
}

// One series: {"min":[...],"avg":[...],"max":[...]}, or single numbers for a summary.
json::object series_json(const store::series& s, bool single) {
    if (single) {
        auto first = [](const std::vector<double>& v) {
            return v.empty() ? json::value(nullptr) : number(v.front());
        };
        return {{"min", first(s.min)}, {"avg", first(s.avg)}, {"max", first(s.max)}};
    }
    return {{"min", column(s.min)}, {"avg", column(s.avg)}, {"max", column(s.max)}};
}

bool any_value(const store::series& s) {
    return std::any_of(s.avg.begin(), s.avg.end(), [](double v) { return !std::isnan(v); });
}

const char* tier_name(store::tier t) {
    switch (t) {
        case store::tier::raw:
            return "raw";
        case store::tier::minute:
            return "1m";
        case store::tier::hour:
            return "1h";
    }
    return "raw";
}

double unix_seconds(timestamp t) { return static_cast<double>(t.time_since_epoch().count()) / 1e6; }

// SPEC §4 history, columnar: one array per statistic, one entry per bucket.
json::object history_json(store::row_id id, timestamp from, timestamp to, const store::history& h,
                          bool single) {
    json::object out{{"deviceId", id},
                     {"from", to_rfc3339(from)},
                     {"to", to_rfc3339(to)},
                     {"tier", tier_name(h.source)},
                     {"bucketSeconds", static_cast<double>(h.bucket_width.count()) / 1e6}};
    if (single) {
        std::uint64_t samples = h.sample_count.empty() ? 0 : h.sample_count.front();
        out["samples"] = samples;
    } else {
        json::array time;
        time.reserve(h.bucket_start.size());
        for (auto t : h.bucket_start) time.push_back(unix_seconds(t));
        out["time"] = std::move(time);
        json::array samples;
        samples.reserve(h.sample_count.size());
        for (auto n : h.sample_count) samples.push_back(n);
        out["samples"] = std::move(samples);
    }
    out["cpu"] = series_json(h.cpu_total, single);
    json::array cores;
    for (const auto& core : h.per_core) cores.push_back(series_json(core, single));
    out["perCore"] = std::move(cores);
    json::object mem{{"used", series_json(h.mem_used, single)},
                     {"total", series_json(h.mem_total, single)}};
    // Optional metrics (SPEC §1) only when some bucket has them: Windows reports no load.
    if (any_value(h.swap_used) || any_value(h.swap_total)) {
        mem["swapUsed"] = series_json(h.swap_used, single);
        mem["swapTotal"] = series_json(h.swap_total, single);
    }
    out["mem"] = std::move(mem);
    if (any_value(h.load1)) {
        out["load"] = json::object{{"one", series_json(h.load1, single)},
                                   {"five", series_json(h.load5, single)},
                                   {"fifteen", series_json(h.load15, single)}};
    }
    out["net"] = json::object{{"txBps", series_json(h.net_tx, single)},
                              {"rxBps", series_json(h.net_rx, single)}};
    json::array disks;
    for (const auto& d : h.disks) {
        disks.push_back(json::object{{"name", d.name},
                                     {"used", series_json(d.used, single)},
                                     {"total", series_json(d.total, single)}});
    }
    out["disks"] = std::move(disks);
    json::array temps;
    for (const auto& t : h.temps) {
        temps.push_back(json::object{{"name", t.name}, {"c", series_json(t.celsius, single)}});
    }
    out["temps"] = std::move(temps);
    return out;
}

// A fresh user code: 8 letters of the base-20 alphabet, uniform (bytes >= 240 are dropped so
// that `% 20` has no bias). nullopt when the random generator fails.
std::optional<std::string> generate_user_code() {
    std::string code;
    for (int round = 0; round < 8 && code.size() < user_code_length; ++round) {
        std::array<unsigned char, 16> bytes{};
        if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return std::nullopt;
        for (unsigned char b : bytes) {
            if (b >= 240 || code.size() == user_code_length) continue;
            code.push_back(user_code_alphabet[b % user_code_alphabet.size()]);
        }
    }
    if (code.size() != user_code_length) return std::nullopt;
    return code;
}

// A Host header fit to build a URL from: a name or address, optionally a port.
bool plausible_host(std::string_view host) {
    return !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' ||
               c == ':' || c == '[' || c == ']';
    });
}

// A hostname reported by an agent: 1-255 bytes without control characters.
bool plausible_hostname(std::string_view name) {
    return !name.empty() && name.size() <= 255 &&
           std::none_of(name.begin(), name.end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

class handler {
  public:
    handler(server_state& state, store::store& db, const http_request& req,
            const request_context& ctx)
        : state_(state), db_(db), req_(req), ctx_(ctx), version_(req.version()) {}

    http_response route() {
        auto path = target_path(req_.target());
        auto method = req_.method();
        if (path == "/api/auth/signup")
            return method == http::verb::post ? signup() : not_allowed();
        if (path == "/api/auth/login") return method == http::verb::post ? login() : not_allowed();
        if (path == "/api/auth/logout")
            return method == http::verb::post ? logout() : not_allowed();
        if (path == "/api/auth/me") return method == http::verb::get ? me() : not_allowed();
        if (path == "/api/devices")
            return method == http::verb::get ? list_devices() : not_allowed();
        if (path == "/api/device-codes") {
            return method == http::verb::post ? create_device_code() : not_allowed();
        }
        if (path == "/api/device-token") {
            return method == http::verb::post || method == http::verb::get ? device_token()
                                                                           : not_allowed();
        }
        if (path == "/api/pair") {
            if (method == http::verb::get) return pair_request();
            return method == http::verb::post ? pair_decision() : not_allowed();
        }
        if (auto d = parse_device_path(path)) {
            if (d->rest.empty()) {
                if (method == http::verb::get) return get_device(d->id);
                if (method == http::verb::patch) return rename_device(d->id);
                if (method == http::verb::delete_) return delete_device(d->id);
                return not_allowed();
            }
            if (d->rest == "/rotate-token") {
                return method == http::verb::post ? rotate_token(d->id) : not_allowed();
            }
            if (d->rest == "/metrics") {
                return method == http::verb::get ? history(d->id, false) : not_allowed();
            }
            if (d->rest == "/summary") {
                return method == http::verb::get ? history(d->id, true) : not_allowed();
            }
        }
        return not_found();
    }

  private:
    http_response not_allowed() const {
        return error(http::status::method_not_allowed, "method_not_allowed", version_);
    }
    http_response not_found() const {
        return error(http::status::not_found, "not_found", version_);
    }
    http_response unavailable() const {
        return error(http::status::service_unavailable, "unavailable", version_);
    }

    // SPEC §4: signup and login refuse a cross-site Origin (login CSRF).
    [[nodiscard]] bool cross_site() const {
        return !same_origin(req_[http::field::origin], req_[http::field::host]);
    }

    http_response refused(const account_outcome& out) const {
        switch (out.refusal) {
            case account_refusal::invalid_request:
                return error(http::status::bad_request, "invalid_request", out.message, version_);
            case account_refusal::email_taken:
                return error(http::status::conflict, "email_taken", version_);
            case account_refusal::signup_closed:
                return error(http::status::forbidden, "signup_closed", version_);
            case account_refusal::too_many_attempts:
                return error(http::status::too_many_requests, "too_many_attempts", version_);
            case account_refusal::invalid_credentials:
                return error(http::status::unauthorized, "invalid_credentials", version_);
            case account_refusal::none:
            case account_refusal::unavailable:
                break;
        }
        return unavailable();
    }

    http_response signup() {
        if (cross_site()) return error(http::status::forbidden, "cross_origin", version_);
        auto f = parse_fields(req_, {"email", "password", "name"});
        if (!f.problem.empty()) {
            return error(http::status::bad_request, "invalid_request", f.problem, version_);
        }
        auto out = sign_up(state_, db_, f.text("email"), f.text("name"), f.text("password"));
        if (!out.user) return refused(out);
        return signed_in_as(http::status::created, *out.user);
    }

    http_response login() {
        if (cross_site()) return error(http::status::forbidden, "cross_origin", version_);
        auto f = parse_fields(req_, {"email", "password"});
        if (!f.problem.empty()) {
            return error(http::status::bad_request, "invalid_request", f.problem, version_);
        }
        auto out = log_in(state_, db_, f.text("email"), f.text("password"), ctx_.client_address);
        if (!out.user) return refused(out);
        return signed_in_as(http::status::ok, *out.user);
    }

    // A new session: its id in an HttpOnly cookie, and a CSRF token in a cookie scripts can
    // read (double submit, SPEC §4).
    http_response signed_in_as(http::status status, const store::user& u) {
        auto session = start_session(state_, db_, u, ctx_.tls);
        if (!session) return unavailable();
        auto res = json_response(status, json::serialize(user_json(u)), version_);
        res.insert(http::field::set_cookie, session->session_cookie);
        res.insert(http::field::set_cookie, session->csrf_cookie);
        return res;
    }

    // SPEC §4 double submit: the X-CSRF-Token header equals the windash_csrf cookie.
    [[nodiscard]] bool csrf_ok() const {
        return csrf_matches(req_[http::field::cookie], req_["X-CSRF-Token"]);
    }

    http_response logout() {
        auto id = cookie_value(req_[http::field::cookie], session_cookie);
        if (id && !id->empty()) {
            if (!csrf_ok()) return error(http::status::forbidden, "csrf", version_);
            if (!end_session(db_, req_[http::field::cookie])) return unavailable();
        }
        http_response res{http::status::no_content, version_};
        res.set(http::field::cache_control, "no-store");
        res.insert(http::field::set_cookie, cookie_line(session_cookie, "", 0, true, ctx_.tls));
        res.insert(http::field::set_cookie, cookie_line(csrf_cookie, "", 0, false, ctx_.tls));
        return res;
    }

    // The signed-in user, or the answer to give instead: 401, or 403 when a state-changing
    // request lacks the CSRF header.
    struct signed_in_user {
        std::optional<store::user> user;
        std::optional<http_response> refusal;
    };
    signed_in_user require_user(bool changes_state) {
        auto who = find_signed_in(state_, db_, req_[http::field::cookie]);
        if (who.unavailable) return {std::nullopt, unavailable()};
        if (!who.user) {
            return {std::nullopt, error(http::status::unauthorized, "unauthorized", version_)};
        }
        if (changes_state && !csrf_ok()) {
            return {std::nullopt, error(http::status::forbidden, "csrf", version_)};
        }
        return {std::move(who.user), std::nullopt};
    }

    // SPEC §4 device object: id, hostId, name, isOnline, lastSeenAt, latest (Sample v1 or null).
    std::optional<std::string> device_json(const store::device& d, timestamp now) {
        auto latest = db_.latest_sample(d.id);
        if (!latest) return std::nullopt;
        std::string out = fmt::format(R"({{"id":{},"hostId":)", d.id);
        protocol::write_json_string(out, d.host_id);
        out += R"(,"name":)";
        protocol::write_json_string(out, d.name);
        out += fmt::format(R"(,"isOnline":{},"lastSeenAt":)", store::is_online(d, now));
        // When the device was last heard from: its agent's last contact or newest sample.
        std::optional<timestamp> seen = d.last_contact_at;
        if (d.last_seen_at && (!seen || *d.last_seen_at > *seen)) seen = d.last_seen_at;
        if (seen) {
            out += '"' + to_rfc3339(*seen) + '"';
        } else {
            out += "null";
        }
        out += R"(,"latest":)";
        if (*latest)
            protocol::write_sample(out, **latest);
        else
            out += "null";
        out += '}';
        return out;
    }

    http_response list_devices() {
        auto who = require_user(false);
        if (who.refusal) return std::move(*who.refusal);
        auto devices = db_.list_devices(who.user->id);
        if (!devices) return unavailable();
        auto now = wall_now();
        std::string out = "[";
        for (const auto& d : *devices) {
            auto one = device_json(d, now);
            if (!one) return unavailable();
            if (out.size() > 1) out += ',';
            out += *one;
        }
        out += ']';
        return json_response(http::status::ok, std::move(out), version_);
    }

    // Another user's device is not_found, exactly like a missing one (SPEC §4).
    http_response device_answer(const store::result<store::device>& d) {
        if (!d) return d.error() == store::errc::not_found ? not_found() : unavailable();
        auto one = device_json(*d, wall_now());
        if (!one) return unavailable();
        return json_response(http::status::ok, std::move(*one), version_);
    }

    http_response get_device(store::row_id id) {
        auto who = require_user(false);
        if (who.refusal) return std::move(*who.refusal);
        return device_answer(db_.find_device(who.user->id, id));
    }

    http_response rename_device(store::row_id id) {
        auto who = require_user(true);
        if (who.refusal) return std::move(*who.refusal);
        auto f = parse_fields(req_, {"name"});
        if (!f.problem.empty()) {
            return error(http::status::bad_request, "invalid_request", f.problem, version_);
        }
        auto name = f.text("name");
        if (name.empty() || name.size() > account_limits::max_name_length) {
            return error(http::status::bad_request, "invalid_request",
                         "name: must be 1 to 256 characters", version_);
        }
        return device_answer(db_.rename_device(who.user->id, id, name));
    }

    // Deleting revokes the token at once; the agent's open connection is cut as well.
    http_response delete_device(store::row_id id) {
        auto who = require_user(true);
        if (who.refusal) return std::move(*who.refusal);
        auto r = db_.delete_device(who.user->id, id);
        if (!r) return r.error() == store::errc::not_found ? not_found() : unavailable();
        state_.revoke_everywhere(id);
        http_response res{http::status::no_content, version_};
        res.set(http::field::cache_control, "no-store");
        return res;
    }

    http_response rotate_token(store::row_id id) {
        auto who = require_user(true);
        if (who.refusal) return std::move(*who.refusal);
        const std::string token = generate_token();
        auto r = db_.rotate_device_token(who.user->id, id, store::hash_secret(token));
        if (!r) return r.error() == store::errc::not_found ? not_found() : unavailable();
        state_.revoke_everywhere(id);
        return json_response(http::status::ok, json::serialize(json::object{{"token", token}}),
                             version_);
    }

    // GET /api/devices/{id}/metrics?from=-1h&to=now&maxPoints=600, or /summary?from=-24h.
    http_response history(store::row_id id, bool summary) {
        auto who = require_user(false);
        if (who.refusal) return std::move(*who.refusal);
        auto now = wall_now();
        auto target = req_.target();
        auto time_of = [&](std::string_view name, std::string_view fallback,
                           std::optional<timestamp>& into) -> bool {
            auto text = query_parameter(target, name);
            into = time_parameter(text ? std::string_view(*text) : fallback, now);
            return into.has_value();
        };
        std::optional<timestamp> from;
        std::optional<timestamp> to;
        if (!time_of("from", summary ? "-24h" : "-1h", from)) {
            return error(http::status::bad_request, "invalid_request",
                         "from: must be now, -<n>s, -<n>m, -<n>h, -<n>d or an RFC 3339 time",
                         version_);
        }
        if (!time_of("to", "now", to)) {
            return error(http::status::bad_request, "invalid_request",
                         "to: must be now, -<n>s, -<n>m, -<n>h, -<n>d or an RFC 3339 time",
                         version_);
        }
        if (*from >= *to) {
            return error(http::status::bad_request, "invalid_request", "from: must be before to",
                         version_);
        }
        std::size_t max_points = 600;
        if (auto text = query_parameter(target, "maxPoints"); text && !summary) {
            std::size_t n = 0;
            auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
            if (ec != std::errc{} || end != text->data() + text->size() || n < 1 ||
                n > max_history_points) {
                return error(
                    http::status::bad_request, "invalid_request",
                    fmt::format("maxPoints: must be an integer in [1, {}]", max_history_points),
                    version_);
            }
            max_points = n;
        }
        auto device = db_.find_device(who.user->id, id);
        if (!device) return device.error() == store::errc::not_found ? not_found() : unavailable();
        auto h = summary ? db_.summarize(id, *from, *to)
                         : db_.query_history({id, *from, *to, max_points});
        if (!h) return unavailable();
        return json_response(http::status::ok,
                             json::serialize(history_json(id, *from, *to, *h, summary)), version_);
    }

    // SPEC §3: an agent asks for a code. No session: anyone may ask, limited per address.
    http_response create_device_code() {
        if (!state_.codes_created.take("address:" + ctx_.client_address)) {
            return error(http::status::too_many_requests, "too_many_requests", version_);
        }
        std::string host_id;
        std::string hostname;
        if (!req_.body().empty()) {
            auto f = parse_fields(req_, {});
            if (!f.problem.empty()) {
                return error(http::status::bad_request, "invalid_request", f.problem, version_);
            }
            for (const auto* key : {"hostId", "hostname"}) {
                auto* v = f.object.if_contains(key);
                if (v && !v->is_string()) {
                    return error(http::status::bad_request, "invalid_request",
                                 fmt::format("{}: must be a string", key), version_);
                }
            }
            host_id = f.text("hostId");
            hostname = f.text("hostname");
            if (f.object.contains("hostId") && !is_valid_host_id(host_id)) {
                return error(http::status::bad_request, "invalid_request",
                             "hostId: must be 1 to 64 of [A-Za-z0-9._-]", version_);
            }
            if (f.object.contains("hostname") && !plausible_hostname(hostname)) {
                return error(http::status::bad_request, "invalid_request",
                             "hostname: must be 1 to 255 bytes without control characters",
                             version_);
            }
        }
        auto host = req_[http::field::host];
        if (!plausible_host(host)) {
            return error(http::status::bad_request, "invalid_request",
                         "Host: must name this server", version_);
        }
        const std::string base = fmt::format("{}://{}", ctx_.tls ? "https" : "http", host);
        const auto now = wall_now();
        const auto lifetime = state_.opts.device_code_lifetime;
        for (int attempt = 0; attempt < 5; ++attempt) {  // a user code may be taken: retry
            auto user_code = generate_user_code();
            if (!user_code) return unavailable();
            const std::string device_code = generate_token();
            store::new_device_code c{*user_code,
                                     store::hash_secret(device_code),
                                     host_id,
                                     hostname,
                                     ctx_.client_address,
                                     now,
                                     now + lifetime};
            auto created = db_.create_device_code(c);
            if (!created && created.error() == store::errc::conflict) continue;
            if (!created) return unavailable();
            const std::string shown = display_code(*user_code);
            json::object o{{"code", shown},
                           {"deviceCode", device_code},
                           {"expiresAt", to_rfc3339(c.expires_at)},
                           {"expiresIn", lifetime.count()},
                           {"interval", state_.opts.pairing_interval.count()},
                           {"verificationUri", base + "/pair"},
                           {"verificationUriComplete", base + "/pair?code=" + shown}};
            return json_response(http::status::ok, json::serialize(o), version_);
        }
        return unavailable();
    }

    // The secret a token poll names: the deviceCode (POST body or the seed's GET query), or
    // with the compatibility flag the user code. nullopt with `refusal` set otherwise.
    std::optional<store::secret_hash> polled_secret(timestamp now,
                                                    std::optional<http_response>& refusal) {
        if (req_.method() == http::verb::post) {
            auto f = parse_fields(req_, {"deviceCode"});
            if (!f.problem.empty()) {
                refusal = error(http::status::bad_request, "invalid_request", f.problem, version_);
                return std::nullopt;
            }
            return store::hash_secret(f.text("deviceCode"));
        }
        if (auto code = query_parameter(req_.target(), "deviceCode")) {
            return store::hash_secret(*code);
        }
        auto typed = query_parameter(req_.target(), "code");
        if (!typed) {
            refusal = error(http::status::bad_request, "invalid_request",
                            "deviceCode: must be a string", version_);
            return std::nullopt;
        }
        if (!state_.opts.allow_user_code_polling) {
            refusal = error(http::status::bad_request, "invalid_request",
                            "code: polling by user code is off on this server; poll with "
                            "deviceCode",
                            version_);
            return std::nullopt;
        }
        auto user_code = normalize_user_code(*typed);
        if (!user_code) {
            refusal = error(http::status::gone, "expired_token", version_);
            return std::nullopt;
        }
        auto found = db_.find_device_code(*user_code, now);
        if (!found) {
            refusal = found.error() == store::errc::not_found
                          ? error(http::status::gone, "expired_token", version_)
                          : unavailable();
            return std::nullopt;
        }
        return found->secret;
    }

    // SPEC §3 token poll: pending, slow_down, denied, expired, or the token exactly once.
    http_response device_token() {
        if (!state_.token_polls.take("address:" + ctx_.client_address)) {
            return error(http::status::too_many_requests, "slow_down", version_);
        }
        auto now = wall_now();
        std::optional<http_response> refusal;
        auto secret = polled_secret(now, refusal);
        if (!secret) return std::move(*refusal);
        auto code = db_.poll_device_code(*secret, now);
        if (!code) {
            if (code.error() != store::errc::not_found) return unavailable();
            return error(http::status::bad_request, "invalid_grant", "deviceCode: unknown",
                         version_);
        }
        if (code->expires_at <= now || code->status == store::device_code_status::redeemed) {
            return error(http::status::gone, "expired_token", version_);
        }
        if (code->status == store::device_code_status::denied) {
            return error(http::status::forbidden, "access_denied", version_);
        }
        if (code->status == store::device_code_status::pending) {
            // Polled again sooner than the interval: RFC 8628 §3.5 slow_down.
            if (code->last_polled_at &&
                now - *code->last_polled_at < state_.opts.pairing_interval) {
                return error(http::status::too_many_requests, "slow_down", version_);
            }
            return error(http::status::not_found, "authorization_pending", version_);
        }
        // Approved: the token exists only in this answer; concurrent polls race in the store,
        // which lets exactly one of them redeem.
        const std::string token = generate_token();
        auto d = db_.redeem_device_code(*secret, store::hash_secret(token), now);
        if (!d) {
            if (d.error() == store::errc::conflict || d.error() == store::errc::not_found) {
                return error(http::status::gone, "expired_token", version_);
            }
            return unavailable();
        }
        json::object o{{"token", token}, {"deviceId", d->id}, {"hostId", d->host_id}};
        return json_response(http::status::ok, json::serialize(o), version_);
    }

    http_response refused(pair_refusal r) const {
        switch (r) {
            case pair_refusal::too_many_attempts:
                return error(http::status::too_many_requests, "too_many_attempts", version_);
            case pair_refusal::invalid_code:
                return error(http::status::not_found, "invalid_code", version_);
            case pair_refusal::already_decided:
                return error(http::status::conflict, "already_decided", version_);
            case pair_refusal::none:
            case pair_refusal::unavailable:
                break;
        }
        return unavailable();
    }

    static const char* status_name(store::device_code_status s) {
        switch (s) {
            case store::device_code_status::pending:
                return "pending";
            case store::device_code_status::approved:
                return "approved";
            case store::device_code_status::denied:
                return "denied";
            case store::device_code_status::redeemed:
                return "redeemed";
        }
        return "pending";
    }

    static json::object code_json(const store::device_code& c) {
        return {{"code", display_code(c.user_code)},
                {"status", status_name(c.status)},
                {"hostId", c.host_id},
                {"hostname", c.hostname},
                {"address", c.client_address},
                {"requestedAt", to_rfc3339(c.created_at)},
                {"expiresAt", to_rfc3339(c.expires_at)}};
    }

    // GET /api/pair?code=...: which machine asks (for the approval page).
    http_response pair_request() {
        auto who = require_user(false);
        if (who.refusal) return std::move(*who.refusal);
        auto typed = query_parameter(req_.target(), "code");
        auto found = find_typed_code(state_, db_, typed ? std::string_view(*typed) : "",
                                     who.user->id, ctx_.client_address);
        if (!found.code) return refused(found.refusal);
        return json_response(http::status::ok, json::serialize(code_json(*found.code)), version_);
    }

    // POST /api/pair {"code","approve","name"}: the signed-in user decides (SPEC §3).
    http_response pair_decision() {
        auto who = require_user(true);
        if (who.refusal) return std::move(*who.refusal);
        auto f = parse_fields(req_, {"code"});
        if (!f.problem.empty()) {
            return error(http::status::bad_request, "invalid_request", f.problem, version_);
        }
        auto* approve = f.object.if_contains("approve");
        if (!approve || !approve->is_bool()) {
            return error(http::status::bad_request, "invalid_request",
                         "approve: must be true or false", version_);
        }
        auto* name_value = f.object.if_contains("name");
        if (name_value && !name_value->is_string()) {
            return error(http::status::bad_request, "invalid_request", "name: must be a string",
                         version_);
        }
        auto name = f.text("name");
        if (name.size() > account_limits::max_name_length) {
            return error(http::status::bad_request, "invalid_request",
                         "name: must be at most 256 characters", version_);
        }
        auto decided = decide_typed_code(state_, db_, f.text("code"), who.user->id,
                                         ctx_.client_address, approve->as_bool(), name);
        if (!decided.code) return refused(decided.refusal);
        return json_response(http::status::ok, json::serialize(code_json(*decided.code)), version_);
    }

    http_response me() {
        auto who = require_user(false);
        if (who.refusal) return std::move(*who.refusal);
        return json_response(http::status::ok, json::serialize(user_json(*who.user)), version_);
    }

    server_state& state_;
    store::store& db_;
    const http_request& req_;
    const request_context& ctx_;
    unsigned version_;
};

}  // namespace

bool is_account_route(std::string_view path) noexcept {
    return path == "/api/auth/signup" || path == "/api/auth/login";
}

http_response json_response(http::status status, std::string body, unsigned version) {
    http_response res{status, version};
    res.set(http::field::server, "windash-server");
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

http_response handle_api(server_state& state, store::store& db, const http_request& req,
                         const request_context& ctx) {
    return handler(state, db, req, ctx).route();
}

}  // namespace windash::ingest::detail
