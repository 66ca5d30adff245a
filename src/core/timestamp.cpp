#include <windash/core/timestamp.hpp>

#include <array>

namespace windash {
namespace {

// Boost's error_category has a protected, non-virtual destructor by design (categories are
// never deleted through a base pointer), which -Wnon-virtual-dtor cannot know.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class timestamp_category_impl final : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "windash.timestamp"; }
    std::string message(int ev) const override {
        switch (static_cast<timestamp_errc>(ev)) {
            case timestamp_errc::bad_format:
                return "must be an RFC 3339 UTC time like 2025-11-03T17:22:53Z";
            case timestamp_errc::not_utc:
                return "must be in UTC (end in Z)";
            case timestamp_errc::out_of_range:
                return "is not a valid calendar date and time";
        }
        return "unknown timestamp error";
    }
};
#pragma GCC diagnostic pop

// Reads `n` ASCII digits at `p`; false if any is not a digit.
constexpr bool read_digits(const char* p, int n, int& value) noexcept {
    value = 0;
    for (int i = 0; i < n; ++i) {
        unsigned d = static_cast<unsigned char>(p[i]) - unsigned{'0'};
        if (d > 9) return false;
        value = value * 10 + static_cast<int>(d);
    }
    return true;
}

constexpr bool is_char(char c, char upper) noexcept { return c == upper || c == (upper | 0x20); }

void write_digits(char* out, int n, long long value) noexcept {
    for (int i = n - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

}  // namespace

const boost::system::error_category& timestamp_category() noexcept {
    static const timestamp_category_impl category;
    return category;
}

boost::system::error_code make_error_code(timestamp_errc e) noexcept {
    return {static_cast<int>(e), timestamp_category()};
}

boost::system::result<timestamp> parse_rfc3339(std::string_view s) noexcept {
    using namespace std::chrono;
    // Fixed part "YYYY-MM-DDTHH:MM:SS" is 19 bytes; then an optional fraction and the zone.
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || !is_char(s[10], 'T') || s[13] != ':' ||
        s[16] != ':')
        return timestamp_errc::bad_format;
    int y, mo, d, h, mi, sec;
    if (!read_digits(&s[0], 4, y) || !read_digits(&s[5], 2, mo) || !read_digits(&s[8], 2, d) ||
        !read_digits(&s[11], 2, h) || !read_digits(&s[14], 2, mi) || !read_digits(&s[17], 2, sec))
        return timestamp_errc::bad_format;
    std::size_t pos = 19;
    long long micros = 0;
    if (s[pos] == '.') {
        std::size_t digits = 0;
        for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++digits) {
            if (digits == 6) return timestamp_errc::bad_format;
            micros = micros * 10 + (s[pos] - '0');
        }
        if (digits == 0) return timestamp_errc::bad_format;
        for (; digits < 6; ++digits) micros *= 10;
    }
    if (pos + 1 != s.size() || !is_char(s[pos], 'Z')) {
        bool offset = pos < s.size() && (s[pos] == '+' || s[pos] == '-');
        return offset ? timestamp_errc::not_utc : timestamp_errc::bad_format;
    }
    year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!date.ok() || h > 23 || mi > 59 || sec > 59) return timestamp_errc::out_of_range;
    return timestamp{sys_days{date}} + hours{h} + minutes{mi} + seconds{sec} + microseconds{micros};
}

std::size_t format_rfc3339(timestamp t, char* out) noexcept {
    using namespace std::chrono;
    const auto day_start = floor<days>(t);
    const year_month_day date{day_start};
    const hh_mm_ss<microseconds> time{t - day_start};
    write_digits(out, 4, static_cast<int>(date.year()));
    out[4] = '-';
    write_digits(out + 5, 2, static_cast<unsigned>(date.month()));
    out[7] = '-';
    write_digits(out + 8, 2, static_cast<unsigned>(date.day()));
    out[10] = 'T';
    write_digits(out + 11, 2, time.hours().count());
    out[13] = ':';
    write_digits(out + 14, 2, time.minutes().count());
    out[16] = ':';
    write_digits(out + 17, 2, time.seconds().count());
    std::size_t n = 19;
    if (long long micros = time.subseconds().count(); micros != 0) {
        out[n++] = '.';
        int digits = 6;
        while (micros % 10 == 0) micros /= 10, --digits;  // trailing zeros add nothing
        write_digits(out + n, digits, micros);
        n += static_cast<std::size_t>(digits);
    }
    out[n++] = 'Z';
    return n;
}

std::string to_rfc3339(timestamp t) {
    std::array<char, max_rfc3339_length> buffer;
    return {buffer.data(), format_rfc3339(t, buffer.data())};
}

}  // namespace windash
