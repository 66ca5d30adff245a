#pragma once
// Tokenizing helpers shared by the procfs parsers and the Linux collector.

#include <charconv>
#include <cstdint>
#include <string_view>

namespace windash::collector::detail {

// Cuts the next line (without its '\n') off the front of `text`.
inline std::string_view next_line(std::string_view& text) noexcept {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    return line;
}

inline bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

// Cuts the next blank-separated field off the front of `line`; empty at the end.
inline std::string_view next_field(std::string_view& line) noexcept {
    std::size_t begin = 0;
    while (begin < line.size() && is_blank(line[begin])) ++begin;
    std::size_t end = begin;
    while (end < line.size() && !is_blank(line[end])) ++end;
    auto field = line.substr(begin, end - begin);
    line.remove_prefix(end);
    return field;
}

// Whole-field unsigned parse: false unless every byte is a digit and it fits.
template <typename Unsigned>
bool to_unsigned(std::string_view field, Unsigned& value) noexcept {
    const char* end = field.data() + field.size();
    auto [ptr, ec] = std::from_chars(field.data(), end, value);
    return ec == std::errc{} && ptr == end && !field.empty();
}

inline bool to_double(std::string_view field, double& value) noexcept {
    const char* end = field.data() + field.size();
    auto [ptr, ec] = std::from_chars(field.data(), end, value);
    return ec == std::errc{} && ptr == end && !field.empty();
}

}  // namespace windash::collector::detail
