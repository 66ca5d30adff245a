#pragma once
/// @file
/// windash::store_postgres: the PostgreSQL backend of windash::store (libpq).
/// open_store(), which picks a backend from the URL, is in <windash/store_open.hpp>.

#include <windash/store/store.hpp>

#include <memory>
#include <string>

namespace windash::store {

/// How commit_metrics sends samples to PostgreSQL. Both store the same rows and report the same
/// accepted/duplicate counts. Pipeline is the default: in store_bench it commits small groups
/// 1.1-2.2x faster than COPY and large ones as fast (bench/store/README.md).
enum class postgres_insert {
    pipeline,  ///< one prepared INSERT ... ON CONFLICT DO NOTHING per sample, in pipeline mode
    copy,      ///< COPY into a per-connection staging table, then INSERT ... ON CONFLICT DO NOTHING
};

/// Settings only the PostgreSQL backend has.
struct postgres_options {
    postgres_insert metrics_insert = postgres_insert::pipeline;
};

/// Connects to `url` (a libpq URI or conninfo string), applies pending migrations under an
/// advisory lock and keeps a pool of up to opts.max_connections connections, reconnecting after
/// a server restart. Errors: bad_url, connection_lost, schema_too_new.
[[nodiscard]] result<std::unique_ptr<store>> open_postgres_store(const std::string& url,
                                                                 options opts = {},
                                                                 postgres_options pg = {});

}  // namespace windash::store
