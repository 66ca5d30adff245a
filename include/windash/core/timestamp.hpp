#pragma once
/// @file
/// UTC timestamps with microsecond precision and their RFC 3339 text form (SPEC §1 `ts`).

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace windash {

/// A point in UTC time, microseconds since 1970-01-01T00:00:00Z. Leap seconds do not exist
/// here, as in POSIX time and std::chrono::system_clock.
using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

/// Why an RFC 3339 text was refused.
enum class timestamp_errc {
    bad_format = 1,  ///< not `YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z`
    not_utc,         ///< a numeric offset (`+02:00`) instead of `Z`
    out_of_range,    ///< a field outside its calendar range (month 13, Feb 30, hour 24, :60)
};

/// The category of timestamp_errc, named `windash.timestamp`.
[[nodiscard]] const boost::system::error_category& timestamp_category() noexcept;

/// Makes an error_code from a timestamp_errc.
[[nodiscard]] boost::system::error_code make_error_code(timestamp_errc e) noexcept;

/// Parses `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` (RFC 3339 §5.6 restricted to UTC): 1 to 6 fraction
/// digits, `T`/`Z` in either case, years 0000-9999, no leap second (`:60` is out_of_range).
/// Numeric offsets are refused with not_utc rather than converted: SPEC §1 asks for UTC.
[[nodiscard]] boost::system::result<timestamp> parse_rfc3339(std::string_view text) noexcept;

/// Longest text format_rfc3339 writes: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
inline constexpr std::size_t max_rfc3339_length = 27;

/// Writes `t` as RFC 3339 UTC into `out` (at least max_rfc3339_length bytes) and returns the
/// number of bytes written. The fraction is omitted when zero, else written without trailing zeros.
/// Precondition: `t` lies in years 0000-9999.
std::size_t format_rfc3339(timestamp t, char* out) noexcept;

/// format_rfc3339 into a new string.
[[nodiscard]] std::string to_rfc3339(timestamp t);

}  // namespace windash

namespace boost::system {
template <>
struct is_error_code_enum<windash::timestamp_errc> : std::true_type {};
}  // namespace boost::system
