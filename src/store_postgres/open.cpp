#include "store_postgres/connection.hpp"
#include "store_postgres/listener.hpp"
#include "store_postgres/schema.hpp"
#include <windash/store_postgres.hpp>

namespace windash::store {
namespace {

timestamp now_of(const options& opts) {
    return opts.now ? opts.now()
                    : std::chrono::time_point_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now());
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
    detail::notifications notes;
    notes.notify_sql = "SELECT pg_notify($1, $2)";
    notes.listen = [url, opts](std::vector<std::string> channels, notification_handler handler) {
        return postgres::start_listener(url, opts, std::move(channels), std::move(handler));
    };
    return detail::make_sql_store(std::move(opts), connections, connections, *version,
                                  std::move(notes));
}

}  // namespace windash::store
