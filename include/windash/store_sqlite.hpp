#pragma once
/// @file
/// windash::store_sqlite: the embedded SQLite backend of windash::store (SPEC §6, §7).

#include <windash/store/store.hpp>

#include <memory>
#include <string>

namespace windash::store {

/// Opens (creating if needed) the SQLite database at `path` in WAL mode and applies pending
/// migrations. A call that commits returns once the commit's WAL frames are on disk: the writer
/// commits with synchronous=NORMAL and the WAL is flushed after the writer is released, so the
/// next transaction is written meanwhile (commit_concurrency() is 2).
/// Errors: bad_url (cannot open), corrupt, schema_too_new, busy.
[[nodiscard]] result<std::unique_ptr<store>> open_sqlite_store(const std::string& path,
                                                               options opts = {});

}  // namespace windash::store
