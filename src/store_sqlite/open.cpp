#include "store_sqlite/connection.hpp"
#include "store_sqlite/schema.hpp"
#include <windash/store_sqlite.hpp>

namespace windash::store {

result<std::unique_ptr<store>> open_sqlite_store(const std::string& path, options opts) {
    if (path.empty()) return boost::system::error_code(errc::bad_url);
    auto first = sqlite::connection::open(path, opts);
    if (!first) return first.error();
    auto now = opts.now ? opts.now()
                        : std::chrono::time_point_cast<std::chrono::microseconds>(
                              std::chrono::system_clock::now());
    auto version = detail::migrate(**first, sqlite::sqlite_dialect(), now);
    if (!version) return version.error();
    auto make = [path, opts] { return sqlite::connection::open(path, opts); };
    // SQLite allows one writer at a time; readers run beside it in WAL mode.
    auto writers = std::make_shared<detail::pool>(make, 1);
    auto readers =
        std::make_shared<detail::pool>(make, std::max<std::size_t>(opts.max_connections, 1));
    return detail::make_sql_store(std::move(opts), writers, readers, *version);
}

}  // namespace windash::store
