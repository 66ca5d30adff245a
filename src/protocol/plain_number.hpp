#pragma once
// The one reader of plainly written JSON numbers, shared by the plain fast path
// (plain_scanner.cpp) and the fast path for number arrays (sample_reader.cpp).

#include <cstdint>

namespace windash::protocol::detail {

/// Reads the JSON number at `p` when it has no exponent and at most 15 digits: its value is then
/// exactly the correctly rounded mantissa / 10^fraction_digits (both exact doubles), as simdjson
/// computes it. Returns the end of the number; nullptr, having decided nothing, for anything
/// else (invalid JSON included), which the general reader then judges. `p` must be followed by
/// a byte that is not a digit (the padding of a simdjson document is enough).
[[gnu::always_inline]] inline const char* read_plain_number(const char* p, double& out) noexcept {
    static constexpr double powers_of_ten[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                               1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    constexpr int max_digits = 15;
    const bool negative = *p == '-';
    p += negative;
    std::uint64_t mantissa = 0;
    int digits = 0, fraction_digits = 0;
    if (*p == '0') {
        ++p, ++digits;  // JSON forbids further integer digits after a leading zero
    } else {
        if (*p < '1' || *p > '9') return nullptr;
        for (; *p >= '0' && *p <= '9'; ++p, ++digits)
            mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
    }
    if (*p == '.') {
        ++p;
        for (; *p >= '0' && *p <= '9'; ++p, ++digits, ++fraction_digits)
            mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
        if (fraction_digits == 0) return nullptr;
    }
    if (digits > max_digits || *p == 'e' || *p == 'E') return nullptr;
    const double magnitude = static_cast<double>(mantissa) / powers_of_ten[fraction_digits];
    out = negative ? -magnitude : magnitude;
    return p;
}

}  // namespace windash::protocol::detail
