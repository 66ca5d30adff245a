#include "ingest/request_target.hpp"

#include <algorithm>
#include <cctype>

namespace windash::ingest::detail {
namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
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

std::optional<std::string> query_parameter(std::string_view target, std::string_view name) {
    auto q = target.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    std::string_view query = target.substr(q + 1);
    std::optional<std::string> found;
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        auto eq = pair.find('=');
        auto key = percent_decode(pair.substr(0, eq));
        if (!key || *key != name) continue;
        if (found) return std::nullopt;  // given twice: ambiguous, refuse
        auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
        if (!value) return std::nullopt;
        found = std::move(value);
    }
    return found;
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

}  // namespace windash::ingest::detail
