#pragma once
/// @file
/// Accounts and devices created without a browser (SPEC §6 `windash-server user add` and
/// `device add`), for automation, load tests and the tests of this repository.

#include <windash/store/records.hpp>
#include <windash/store/store.hpp>

#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace windash::ingest {

/// Limits on what provisioning accepts.
struct account_limits {
    static constexpr std::size_t max_email_length = 254;     ///< RFC 5321 path limit
    static constexpr std::size_t max_name_length = 256;      ///< user and device names
    static constexpr std::size_t min_password_length = 8;    ///< OWASP ASVS 2.1.1
    static constexpr std::size_t max_password_length = 256;  ///< bounds hashing work
};

/// Hashes `password` with Argon2id (m = 19 MiB, t = 2, p = 1, OWASP's minimum; a random 16-byte
/// salt) into a PHC string that carries its parameters. Takes about 30 ms of one core.
[[nodiscard]] store::result<std::string> hash_password(std::string_view password);

/// True when `password` matches `phc`, a hash_password() result (constant-time comparison).
[[nodiscard]] bool verify_password(std::string_view password, const std::string& phc);

/// An email as stored and looked up: lower-cased (ASCII).
[[nodiscard]] std::string normalize_email(std::string_view email);

/// A fresh bearer token: 32 random bytes (OpenSSL RAND_bytes) as 43 base64url characters.
[[nodiscard]] std::string generate_token();

/// Why provisioning failed: the store's code (errc::invalid_argument, conflict, not_found, or a
/// database error) and a message naming what was wrong, for a person to read.
struct provisioning_error {
    boost::system::error_code code;
    std::string message;
};

/// Lets `result<T, provisioning_error>::value()` throw a boost::system::system_error.
[[noreturn]] void throw_exception_from_error(const provisioning_error& e,
                                             const boost::source_location& where);

template <class T>
using provisioning_result = boost::system::result<T, provisioning_error>;

/// Creates a user; the email is stored lower-cased. Errors: invalid_argument (bad email, name
/// or password length), conflict (email taken).
[[nodiscard]] provisioning_result<store::user> add_user(store::store& db, std::string_view email,
                                                        std::string_view name,
                                                        std::string_view password);

/// Pairs a device for the user with `email` without the browser step (the same rows as SPEC §3
/// pairing: a device code created, approved and redeemed at once) and returns its new bearer
/// token. Errors: not_found (no such user), invalid_argument (bad hostId or name).
[[nodiscard]] provisioning_result<std::string> add_device(store::store& db, std::string_view email,
                                                          std::string_view host_id,
                                                          std::string_view name);

}  // namespace windash::ingest
