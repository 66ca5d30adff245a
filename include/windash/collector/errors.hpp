#pragma once
/// @file
/// Errors of windash::collector, category `windash.collector`. A collection fails only when a
/// source every sample needs (CPU times, memory, uptime) cannot be read or parsed; optional
/// figures that cannot be read are simply left out of the sample.

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace windash::collector {

/// Why collect() or a procfs parser failed. Messages live in one table in errors.cpp.
enum class errc {
    source_unreadable = 1,  ///< a required file or OS call failed (/proc/stat, Win32 API)
    bad_proc_stat,          ///< /proc/stat has no well-formed `cpu` lines
    bad_meminfo,            ///< /proc/meminfo has no MemTotal
    bad_uptime,             ///< /proc/uptime does not start with a number
    bad_loadavg,            ///< /proc/loadavg does not start with three numbers
    bad_net_dev,            ///< a /proc/net/dev line is not `name: 16 numbers`
};

/// What callers branch on: retry later (`unavailable`) or report a broken host (`malformed`).
enum class condition {
    unavailable = 1,  ///< source_unreadable
    malformed,        ///< every bad_* error
};

/// The category of errc, named `windash.collector`.
[[nodiscard]] const boost::system::error_category& collector_category() noexcept;

/// The category of condition, named `windash.collector.condition`.
[[nodiscard]] const boost::system::error_category& collector_condition_category() noexcept;

/// Makes an error_code from an errc.
[[nodiscard]] boost::system::error_code make_error_code(errc e) noexcept;

/// Makes an error_condition from a condition.
[[nodiscard]] boost::system::error_condition make_error_condition(condition c) noexcept;

}  // namespace windash::collector

namespace boost::system {
template <>
struct is_error_code_enum<windash::collector::errc> : std::true_type {};
template <>
struct is_error_condition_enum<windash::collector::condition> : std::true_type {};
}  // namespace boost::system
