#pragma once
/// @file
/// Errors of windash::store (category `windash.store`) and the two conditions callers branch on.

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace windash::store {

/// What went wrong in a store operation. Messages live in one table in errors.cpp.
enum class errc {
    not_found = 1,     ///< no such row (or it belongs to another user, or it expired)
    conflict,          ///< a unique key is taken (email, user code) or a state change lost a race
    busy,              ///< the database is locked or overloaded: retry later (retryable)
    connection_lost,   ///< the server went away; the operation did not commit (retryable)
    disk_full,         ///< no space left for the database (retryable once space is freed)
    io_error,          ///< the operating system reported an I/O error (fatal)
    corrupt,           ///< the database file or server state is damaged (fatal)
    schema_too_new,    ///< the database was migrated by a newer windash (fatal)
    bad_url,           ///< the database URL or path cannot be opened (fatal)
    invalid_argument,  ///< a value the schema cannot hold (empty name, bad device id)
    internal,          ///< any other database error, details in the log callback (fatal)
};

/// Conditions to branch on: retry the operation later, or stop and alert an operator.
enum class condition {
    retryable = 1,  ///< busy, connection_lost, disk_full
    fatal,          ///< io_error, corrupt, schema_too_new, bad_url, internal
};

/// The category of errc, named `windash.store`.
[[nodiscard]] const boost::system::error_category& store_category() noexcept;

/// The category of condition, named `windash.store.condition`.
[[nodiscard]] const boost::system::error_category& store_condition_category() noexcept;

/// Makes an error_code from an errc.
[[nodiscard]] boost::system::error_code make_error_code(errc e) noexcept;

/// Makes an error_condition from a condition.
[[nodiscard]] boost::system::error_condition make_error_condition(condition c) noexcept;

}  // namespace windash::store

namespace boost::system {
template <>
struct is_error_code_enum<windash::store::errc> : std::true_type {};
template <>
struct is_error_condition_enum<windash::store::condition> : std::true_type {};
}  // namespace boost::system
