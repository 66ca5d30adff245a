#include "store_postgres/connection.hpp"
#include "store_postgres/schema.hpp"
#include <windash/store_postgres.hpp>
#include <windash/store_sqlite.hpp>

namespace windash::store {
namespace {

timestamp now_of(const options& opts) {
    return opts.now ? opts.now()
                    : std::chrono::time_point_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now());
}

bool starts_with(const std::string& s, std::string_view prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

result<std::unique_ptr<store>> open_postgres_store(const std::string& url, options opts,
                                                   postgres_options pg) {
    auto first = postgres::connection::open(url, opts, pg);
    if (!first) return first.error();
    auto version = detail::migrate(**first, postgres::postgres_dialect(), now_of(opts));
    if (!version) return version.error();
    auto make = [url, opts, pg] { return postgres::connection::open(url, opts, pg); };
    auto connections =
        std::make_shared<detail::pool>(make, std::max<std::size_t>(opts.max_connections, 1));
    return detail::make_sql_store(std::move(opts), connections, connections, *version);
}

result<std::unique_ptr<store>> open_store(const std::string& database_url, options opts) {
    if (starts_with(database_url, "postgres://") || starts_with(database_url, "postgresql://")) {
        return open_postgres_store(database_url, std::move(opts));
    }
    std::string path = database_url.empty() ? "./windash.db" : database_url;
    for (std::string_view prefix : {"sqlite://", "file:"}) {
        if (starts_with(path, prefix)) path.erase(0, prefix.size());
    }
    return open_sqlite_store(path, std::move(opts));
}

}  // namespace windash::store
