#include <windash/pairing/flow.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>

namespace windash::pairing {

namespace json = boost::json;

namespace {

failure fail(errc code, std::string message) { return {make_error_code(code), std::move(message)}; }

bool iequals_prefix(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
               return a == std::tolower(static_cast<unsigned char>(b));
           });
}

bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-';
}

bool ipv6_char(char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
}

}  // namespace

std::string server_url::host_header() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string server_url::origin() const {
    return std::string(tls ? "https://" : "http://") + host_header();
}

outcome<server_url> parse_server_url(std::string_view text) {
    const std::string shown(text.substr(0, 200));
    server_url out;
    if (iequals_prefix(text, "https://")) {
        out.tls = true;
        text.remove_prefix(8);
    } else if (iequals_prefix(text, "http://")) {
        text.remove_prefix(7);
    } else {
        return fail(errc::bad_server_url,
                    "--server " + shown + ": must start with http:// or https://");
    }
    if (text.ends_with('/')) text.remove_suffix(1);
    std::string_view port_text;
    if (text.starts_with('[')) {
        auto close = text.find(']');
        if (close == std::string_view::npos) {
            return fail(errc::bad_server_url,
                        "--server " + shown + ": no ] after the IPv6 address");
        }
        out.host = std::string(text.substr(1, close - 1));
        text.remove_prefix(close + 1);
        if (out.host.empty() || !std::all_of(out.host.begin(), out.host.end(), ipv6_char)) {
            return fail(errc::bad_server_url, "--server " + shown + ": bad IPv6 address");
        }
        if (!text.empty() && text.front() != ':') {
            return fail(errc::bad_server_url,
                        "--server " + shown + ": only a port may follow the address");
        }
    } else {
        auto colon = text.find(':');
        out.host = std::string(text.substr(0, colon));
        text.remove_prefix(colon == std::string_view::npos ? text.size() : colon);
        if (out.host.empty() || out.host.size() > 253 ||
            !std::all_of(out.host.begin(), out.host.end(), name_char)) {
            return fail(errc::bad_server_url,
                        "--server " + shown +
                            ": the host must be a name or address (letters, digits, . and -), "
                            "without a path");
        }
    }
    if (text.empty()) {
        out.port = out.tls ? 443 : 80;
        return out;
    }
    port_text = text.substr(1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc{} || end != port_text.data() + port_text.size() ||
        port == 0 || port > 65535) {
        return fail(errc::bad_server_url, "--server " + shown +
                                              ": the port must be a number from 1 to 65535, "
                                              "with nothing after it");
    }
    out.port = static_cast<std::uint16_t>(port);
    return out;
}

namespace {

// A string field of at most max_field_bytes; nullptr when absent or not a string.
const json::string* text_field(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v || !v->is_string() || v->get_string().size() > answer_limits::max_field_bytes) {
        return nullptr;
    }
    return &v->get_string();
}

std::optional<std::int64_t> integer_field(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v->get_uint64());
    }
    return std::nullopt;
}

outcome<json::object> parse_object(std::string_view body, std::string_view what) {
    if (body.size() > answer_limits::max_body_bytes) {
        return fail(errc::bad_answer, std::string(what) + ": the answer is over 16 KiB");
    }
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object()) {
        return fail(errc::bad_answer, std::string(what) + ": the answer is not a JSON object");
    }
    return std::move(v.as_object());
}

}  // namespace

outcome<device_code_grant> parse_device_code_grant(std::string_view body) {
    constexpr std::string_view what = "/api/device-codes";
    auto o = parse_object(body, what);
    if (!o) return o.error();
    device_code_grant g;
    for (auto [key, into] :
         {std::pair{"code", &g.user_code}, std::pair{"deviceCode", &g.device_code},
          std::pair{"verificationUri", &g.verification_uri},
          std::pair{"verificationUriComplete", &g.verification_uri_complete}}) {
        auto* s = text_field(*o, key);
        if (!s || s->empty()) {
            return fail(errc::bad_answer, std::string(what) + ": " + key +
                                              " must be a non-empty string of at most 2048 bytes");
        }
        *into = std::string(*s);
    }
    auto expires = integer_field(*o, "expiresIn");
    if (!expires || *expires <= 0 || *expires > answer_limits::max_expires_in.count()) {
        return fail(
            errc::bad_answer,
            std::string(what) + ": expiresIn must be a whole number of seconds, 1 to 86400");
    }
    g.expires_in = std::chrono::seconds{*expires};
    if (o->contains("interval")) {
        auto interval = integer_field(*o, "interval");
        if (!interval || *interval < 1 || *interval > answer_limits::max_interval.count()) {
            return fail(
                errc::bad_answer,
                std::string(what) + ": interval must be a whole number of seconds, 1 to 300");
        }
        g.interval = std::chrono::seconds{*interval};
    }
    return g;
}

outcome<poll_answer> parse_poll_answer(unsigned status, std::string_view body) {
    constexpr std::string_view what = "/api/device-token";
    auto o = parse_object(body, what);
    if (!o) {
        return fail(errc::bad_answer, std::string(what) + ": HTTP " + std::to_string(status) +
                                          " with a body that is not a JSON object");
    }
    if (status == 200) {
        poll_answer a;
        a.status = poll_status::approved;
        auto* token = text_field(*o, "token");
        auto* host = text_field(*o, "hostId");
        auto id = integer_field(*o, "deviceId");
        if (!token || token->empty() || !host || !id || *id <= 0) {
            return fail(errc::bad_answer,
                        std::string(what) + ": 200 without token, deviceId and hostId");
        }
        a.approved = credential{std::string(*token), *id, std::string(*host)};
        return a;
    }
    auto* code = text_field(*o, "error");
    const std::string error = code ? std::string(*code) : std::string();
    if (status == 404 && error == "authorization_pending") return poll_answer{};
    if (status == 429 && error == "slow_down") return poll_answer{poll_status::slow_down, {}};
    if (status == 403 && error == "access_denied") {
        return fail(errc::denied, "the pairing request was denied in the browser");
    }
    if (status == 410 && error == "expired_token") {
        return fail(errc::expired,
                    "the pairing code expired (or its token was already collected): pair again");
    }
    if (status == 400 && error == "invalid_grant") {
        return fail(errc::unknown_code, "the server does not know this pairing request");
    }
    return fail(errc::bad_answer, std::string(what) + ": unexpected HTTP " +
                                      std::to_string(status) +
                                      (error.empty() ? std::string() : " " + error));
}

poll_schedule::poll_schedule(std::chrono::seconds interval, clock::time_point expires_at) noexcept
    : interval_(std::max(interval, std::chrono::seconds{1})), expires_at_(expires_at) {}

void poll_schedule::on_answer(poll_status status) noexcept {
    if (status == poll_status::slow_down) interval_ += std::chrono::seconds{5};
}

}  // namespace windash::pairing
