#include "ingest/request_target.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>

namespace windash::ingest::detail {
namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// `plus_is_space`: HTML forms encode a space as `+` (application/x-www-form-urlencoded).
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(plus_is_space && text[i] == '+' ? ' ' : text[i]);
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        int hi = hex_value(text[i + 1]);
        int lo = hex_value(text[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

bool is_token68(char c) noexcept {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' ||
           c == '~' || c == '+' || c == '/' || c == '=';
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::string_view target_path(std::string_view target) noexcept {
    return target.substr(0, target.find('?'));
}

namespace {

std::optional<std::string> find_parameter(std::string_view query, std::string_view name,
                                          bool plus_is_space) {
    std::optional<std::string> found;
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        auto eq = pair.find('=');
        auto key = percent_decode(pair.substr(0, eq), plus_is_space);
        if (!key || *key != name) continue;
        if (found) return std::nullopt;  // given twice: ambiguous, refuse
        auto value =
            percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), plus_is_space);
        if (!value) return std::nullopt;
        found = std::move(value);
    }
    return found;
}

}  // namespace

std::optional<std::string> query_parameter(std::string_view target, std::string_view name) {
    auto q = target.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    return find_parameter(target.substr(q + 1), name, false);
}

std::optional<std::string> form_field(std::string_view body, std::string_view name) {
    return find_parameter(body, name, true);
}

std::string local_redirect(std::string_view next) {
    // A path on this server only: browsers read `//host` and `/\host` as other hosts.
    const bool local = next.size() <= 512 && next.starts_with('/') && !next.starts_with("//") &&
                       std::all_of(next.begin(), next.end(), [](char c) {
                           auto u = static_cast<unsigned char>(c);
                           return u > 0x20 && u < 0x7f && c != '\\';
                       });
    return local ? std::string(next) : std::string("/");
}

std::string percent_encode(std::string_view text) {
    constexpr std::string_view hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 15]);
        }
    }
    return out;
}

std::optional<std::string_view> bearer_token(std::string_view authorization,
                                             std::size_t max_length) noexcept {
    constexpr std::string_view scheme = "bearer";
    if (authorization.size() <= scheme.size() + 1) return std::nullopt;
    if (!iequals(authorization.substr(0, scheme.size()), scheme)) return std::nullopt;
    std::string_view rest = authorization.substr(scheme.size());
    if (rest.front() != ' ') return std::nullopt;
    auto start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(start);
    while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
    if (rest.empty() || rest.size() > max_length) return std::nullopt;
    if (!std::all_of(rest.begin(), rest.end(), is_token68)) return std::nullopt;
    return rest;
}

namespace {

bool is_cookie_octet(char c) noexcept {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x21 && u <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
}

}  // namespace

std::optional<std::string_view> cookie_value(std::string_view header,
                                             std::string_view name) noexcept {
    std::optional<std::string_view> found;
    while (!header.empty()) {
        auto semi = header.find(';');
        auto pair = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        while (!pair.empty() && pair.back() == ' ') pair.remove_suffix(1);
        auto eq = pair.find('=');
        if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
        if (found) return std::nullopt;  // twice: ambiguous (a cookie planted for a subpath)
        auto value = pair.substr(eq + 1);
        if (!std::all_of(value.begin(), value.end(), is_cookie_octet)) return std::nullopt;
        found = value;
    }
    return found;
}

std::optional<std::string> normalize_user_code(std::string_view typed) {
    if (typed.size() > 64) return std::nullopt;
    std::string code;
    for (char c : typed) {
        auto upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (std::isalnum(static_cast<unsigned char>(c)) == 0) continue;  // a separator
        if (user_code_alphabet.find(upper) == std::string_view::npos) return std::nullopt;
        code.push_back(upper);
    }
    if (code.size() != user_code_length) return std::nullopt;
    return code;
}

std::optional<timestamp> time_parameter(std::string_view text, timestamp now) noexcept {
    if (text == "now") return now;
    if (text.size() >= 3 && text.size() <= 8 && text.front() == '-') {
        auto digits = text.substr(1, text.size() - 2);
        if (!std::all_of(digits.begin(), digits.end(),
                         [](char c) { return c >= '0' && c <= '9'; })) {
            return std::nullopt;
        }
        std::int64_t n = 0;
        for (char c : digits) n = n * 10 + (c - '0');
        std::int64_t seconds_per = 0;
        switch (text.back()) {
            case 's':
                seconds_per = 1;
                break;
            case 'm':
                seconds_per = 60;
                break;
            case 'h':
                seconds_per = 3600;
                break;
            case 'd':
                seconds_per = 86400;
                break;
            default:
                return std::nullopt;
        }
        return now - std::chrono::seconds{n * seconds_per};
    }
    auto t = parse_rfc3339(text);
    if (!t) return std::nullopt;
    return *t;
}

bool same_origin(std::string_view origin, std::string_view host) noexcept {
    if (origin.empty()) return true;
    auto scheme_end = origin.find("://");
    if (scheme_end == std::string_view::npos) return false;  // "null" and the like
    auto authority = origin.substr(scheme_end + 3);
    if (authority.empty() || host.empty() || authority.size() != host.size()) return false;
    return iequals(authority, host);
}

}  // namespace windash::ingest::detail
