#pragma once
/// @file
/// Errors of windash::pairing, category `windash.pairing`, and the failure value its calls
/// return: the code to branch on plus a sentence for the person running the agent.

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <type_traits>

namespace windash::pairing {

/// Why pairing failed. Messages live in one table in errors.cpp.
enum class errc {
    bad_server_url = 1,  ///< not `http://host[:port]` or `https://host[:port]`
    unreachable,         ///< connecting, TLS or the HTTP exchange failed or timed out
    bad_answer,          ///< the server answered something SPEC §3 does not allow
    rate_limited,        ///< too many codes asked for from this address (429)
    denied,              ///< the person denied the request (403 access_denied)
    expired,             ///< the code expired before approval (410 expired_token)
    unknown_code,        ///< the server does not know the device code (400 invalid_grant)
};

/// The category of errc, named `windash.pairing`.
[[nodiscard]] const boost::system::error_category& pairing_category() noexcept;
/// Makes an error_code from an errc.
[[nodiscard]] boost::system::error_code make_error_code(errc e) noexcept;

/// A failed step: `code` to branch on, `message` naming the server, the request and what came
/// back (`http://host:3000/api/device-codes: connection refused`).
struct failure {
    boost::system::error_code code;
    std::string message;
};

/// Result of every pairing call.
template <class T>
using outcome = boost::system::result<T, failure>;

/// Lets outcome<T>::value() throw: a std::runtime_error carrying the failure's message.
[[noreturn]] void throw_exception_from_error(const failure& f, const boost::source_location& loc);

}  // namespace windash::pairing

namespace boost::system {
template <>
struct is_error_code_enum<windash::pairing::errc> : std::true_type {};
}  // namespace boost::system
