#pragma once
/// @file
/// Errors of windash::ingest (category `windash.ingest`): why an agent's upgrade was refused
/// (SPEC §2) and why the server could not start.

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace windash::ingest {

/// What went wrong. Messages live in one table in errors.cpp.
enum class errc {
    invalid_token = 1,    ///< missing, unknown or revoked bearer token: 401 invalid_token
    host_mismatch,        ///< the token's device was paired for another hostId: 409
    bad_host_id,          ///< `?hostId=` absent or not 1-64 of [A-Za-z0-9._-]: 400
    storage_unavailable,  ///< the token could not be checked now (database down): 503
    bad_option,           ///< a server_options value out of range (start())
    tls_certificate,      ///< the TLS certificate chain file could not be loaded (start())
    tls_private_key,      ///< the TLS private key could not be loaded or does not match
};

/// The category of errc, named `windash.ingest`.
[[nodiscard]] const boost::system::error_category& ingest_category() noexcept;

/// Makes an error_code from an errc.
[[nodiscard]] boost::system::error_code make_error_code(errc e) noexcept;

}  // namespace windash::ingest

namespace boost::system {
template <>
struct is_error_code_enum<windash::ingest::errc> : std::true_type {};
}  // namespace boost::system
