#pragma once
/// @file
/// windash::store_open: open_store(), which picks the SQLite or PostgreSQL backend from SPEC §6's
/// DATABASE_URL. Links both backends; an application that needs only one links that one.

#include <windash/store/store.hpp>

#include <memory>
#include <string>

namespace windash::store {

/// SPEC §6: `postgres://` or `postgresql://` selects PostgreSQL (open_postgres_store with its
/// default postgres_options), anything else is a SQLite path for open_sqlite_store (`sqlite://` /
/// `file:` prefixes are stripped). An empty url means `./windash.db`. Errors: those of the
/// backend chosen.
[[nodiscard]] result<std::unique_ptr<store>> open_store(const std::string& database_url,
                                                        options opts = {});

}  // namespace windash::store
