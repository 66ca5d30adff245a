#pragma once
/// @file
/// windash::store_postgres: the PostgreSQL backend of windash::store (libpq), and open_store(),
/// which picks a backend from SPEC §6's DATABASE_URL.

#include <windash/store/store.hpp>

#include <memory>
#include <string>

namespace windash::store {

/// Connects to `url` (a libpq URI or conninfo string), applies pending migrations under an
/// advisory lock and keeps a pool of up to opts.max_connections connections, reconnecting after
/// a server restart. Errors: bad_url, connection_lost, schema_too_new.
[[nodiscard]] result<std::unique_ptr<store>> open_postgres_store(const std::string& url,
                                                                 options opts = {});

/// SPEC §6: `postgres://` or `postgresql://` selects PostgreSQL, anything else is a SQLite path
/// (`sqlite://` / `file:` prefixes are stripped). An empty url means `./windash.db`.
[[nodiscard]] result<std::unique_ptr<store>> open_store(const std::string& database_url,
                                                        options opts = {});

}  // namespace windash::store
