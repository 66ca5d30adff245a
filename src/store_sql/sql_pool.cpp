#include "store_sql/sql_store.hpp"

namespace windash::store::detail {

pool::lease::~lease() {
    if (owner_ && conn_) owner_->give_back(std::move(conn_));
}

result<pool::lease> pool::acquire() {
    std::unique_lock lock(mutex_);
    for (;;) {
        freed_.wait(lock, [this] { return !idle_.empty() || open_ < max_; });
        if (idle_.empty()) break;
        auto c = std::move(idle_.back());
        idle_.pop_back();
        if (c->usable()) return lease(this, std::move(c));
        --open_;  // dropped: the server restarted or the connection broke
    }
    ++open_;
    lock.unlock();
    auto made = make_();
    if (made) return lease(this, std::move(*made));
    lock.lock();
    --open_;
    freed_.notify_one();
    return made.error();
}

void pool::give_back(std::unique_ptr<connection> c) {
    {
        std::lock_guard lock(mutex_);
        if (c->usable()) {
            idle_.push_back(std::move(c));
        } else {
            --open_;
        }
    }
    freed_.notify_one();
}

result<int> migrate(connection& c, const dialect& d, timestamp now) {
    if (d.lock_migrations) {
        if (auto r = c.exec(d.lock_migrations); !r) return r.error();
    }
    int version = 0;
    auto r = c.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    for (const migration& m : d.migrations) {
        if (!r) break;
        r = in_transaction_on(c, [&]() -> result<void> {
            std::int64_t have = 0;
            auto q = run(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {},
                         [&](const row& rw) { have = rw.i64(0); });
            if (!q) return q.error();
            if (have >= m.version) return {};
            if (auto e = c.exec(m.sql); !e) return e;
            q = run(c,
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    {std::int64_t{m.version}, std::string_view(m.name), to_us(now)});
            if (!q) return q.error();
            return {};
        });
        version = m.version;
    }
    std::int64_t highest = 0;
    if (r) {
        auto q = run(c, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {},
                     [&](const row& rw) { highest = rw.i64(0); });
        if (!q) r = q.error();
    }
    if (d.unlock_migrations) (void)c.exec(d.unlock_migrations);
    if (!r) return r.error();
    if (highest > version) return boost::system::error_code(errc::schema_too_new);
    return version;
}

std::unique_ptr<store> make_sql_store(options opts, std::shared_ptr<pool> writers,
                                      std::shared_ptr<pool> readers, int version,
                                      notifications notes) {
    return std::make_unique<sql_store>(std::move(opts), std::move(writers), std::move(readers),
                                       version, std::move(notes));
}

}  // namespace windash::store::detail
