#include "store_sqlite/checkpointer.hpp"
#include "store_sqlite/connection.hpp"
#include "store_sqlite/schema.hpp"
#include "store_sqlite/wal_syncer.hpp"
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
    // SQLite allows one writer at a time; readers run beside it in WAL mode. The writer's
    // checkpoints run on the checkpointer's thread, which lives as long as the writer pool.
    std::shared_ptr<sqlite::checkpointer> checkpoints;
    try {
        checkpoints = std::make_shared<sqlite::checkpointer>(path, opts);
    } catch (const std::runtime_error&) {
        return boost::system::error_code(errc::bad_url);
    }
    // The writer's commits are flushed after it is released (wal_syncer.hpp), so the next
    // group is written while the previous one's WAL frames go to the disk.
    auto wal = std::make_shared<sqlite::wal_syncer>(path);
    auto make_writer = [path, opts, checkpoints]() -> result<std::unique_ptr<detail::connection>> {
        auto c = sqlite::connection::open(path, opts, sqlite::connection::commits::written);
        if (c) checkpoints->watch(static_cast<sqlite::connection&>(**c).handle());
        return c;
    };
    auto writers = std::make_shared<detail::pool>(make_writer, 1,
                                                  [wal]() -> result<void> { return wal->sync(); });
    auto readers =
        std::make_shared<detail::pool>(make, std::max<std::size_t>(opts.max_connections, 1));
    return detail::make_sql_store(std::move(opts), writers, readers, *version);
}

}  // namespace windash::store
