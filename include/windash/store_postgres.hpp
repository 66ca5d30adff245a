#pragma once
/// @file
/// windash::store_postgres: the PostgreSQL backend of windash::store (libpq).
/// open_store(), which picks a backend from the URL, is in <windash/store_open.hpp>.

#include <windash/store/store.hpp>

#include <memory>
#include <string>

namespace windash::store {

/// How commit_metrics sends samples to PostgreSQL. All store the same rows and report the same
/// accepted/duplicate counts. Arrays is the default: in the ingest benchmark it acknowledged
/// 1.6x the samples per second of pipeline (bench/ingest/README.md).
enum class postgres_insert {
    /// The whole group as one INSERT ... SELECT unnest($1::int8[], ...): each column one binary
    /// array parameter. Plain, under a savepoint, when every key is new; otherwise again with
    /// ON CONFLICT DO NOTHING.
    arrays,
    pipeline,  ///< one prepared INSERT ... ON CONFLICT DO NOTHING per sample, in pipeline mode
    copy,      ///< COPY into a per-connection staging table, then INSERT ... ON CONFLICT DO NOTHING
};

/// Settings only the PostgreSQL backend has.
struct postgres_options {
    postgres_insert metrics_insert = postgres_insert::arrays;
};

/// Connects to `url` (a libpq URI or conninfo string), applies pending migrations under an
/// advisory lock and keeps a pool of up to opts.max_connections connections, reconnecting after
/// a server restart. Errors: bad_url, connection_lost, schema_too_new.
[[nodiscard]] result<std::unique_ptr<store>> open_postgres_store(const std::string& url,
                                                                 options opts = {},
                                                                 postgres_options pg = {});

}  // namespace windash::store
