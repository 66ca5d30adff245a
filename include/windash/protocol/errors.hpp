#pragma once
/// @file
/// Errors of windash::protocol: one code per rule of SPEC §1-§2, and two conditions callers
/// branch on: syntax_error (the bytes are not JSON) and schema_error (JSON, but not a valid
/// message or sample).

#include <boost/system/error_code.hpp>

#include <string>
#include <type_traits>

namespace windash::protocol {

/// What was wrong with a frame or a sample. Messages: see errors.cpp, one table.
enum class errc {
    invalid_json = 1,      ///< not JSON per RFC 8259 (syntax_error)
    frame_too_large,       ///< bigger than the configured frame limit
    not_an_object,         ///< the message or a nested part is not a JSON object
    missing_field,         ///< a required field is absent
    wrong_type,            ///< a value of the wrong JSON type
    out_of_range,          ///< a number outside its range, an array or string of bad length
    unknown_message_type,  ///< `type` is not "metrics" or "hello"
    bad_timestamp,         ///< `ts` is not RFC 3339 UTC
    bad_host_id,           ///< `hostId` is not 1-64 of [A-Za-z0-9._-]
    host_mismatch,         ///< `hostId` differs from the connection's
    used_exceeds_total,    ///< `used` greater than `total`
};

/// Conditions to branch on without listing every errc.
enum class condition {
    syntax_error = 1,  ///< errc::invalid_json
    schema_error,      ///< every other errc
};

/// The category of errc, named `windash.protocol`.
[[nodiscard]] const boost::system::error_category& protocol_category() noexcept;
/// The category of condition, named `windash.protocol.condition`.
[[nodiscard]] const boost::system::error_category& protocol_condition_category() noexcept;

[[nodiscard]] boost::system::error_code make_error_code(errc e) noexcept;
[[nodiscard]] boost::system::error_condition make_error_condition(condition c) noexcept;

/// Why a whole frame was refused: the code, and a message naming the field path
/// (`samples: must be an array of 1 to 1000 samples`, `invalid JSON: ...`).
struct frame_error {
    boost::system::error_code code;
    std::string message;
};

/// Lets `result<T, frame_error>::value()` throw a boost::system::system_error.
[[noreturn]] void throw_exception_from_error(const frame_error& e,
                                             const boost::source_location& where);

}  // namespace windash::protocol

namespace boost::system {
template <>
struct is_error_code_enum<windash::protocol::errc> : std::true_type {};
template <>
struct is_error_condition_enum<windash::protocol::condition> : std::true_type {};
}  // namespace boost::system
