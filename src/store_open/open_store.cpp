#include <windash/store_open.hpp>
#include <windash/store_postgres.hpp>
#include <windash/store_sqlite.hpp>

#include <string_view>

namespace windash::store {
namespace {

bool starts_with(const std::string& s, std::string_view prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

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
