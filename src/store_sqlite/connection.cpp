#include "store_sqlite/connection.hpp"

#include <string>

namespace windash::store::sqlite {
namespace {

using boost::system::error_code;

errc errc_of(int rc) {
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return errc::busy;
        case SQLITE_FULL:
            return errc::disk_full;
        case SQLITE_IOERR:
            return errc::io_error;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return errc::corrupt;
        case SQLITE_CANTOPEN:
        case SQLITE_PERM:
        case SQLITE_READONLY:
            return errc::bad_url;
        case SQLITE_CONSTRAINT:
            // A taken key is a conflict; CHECK, NOT NULL, trigger... reject the value itself.
            return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
                       ? errc::conflict
                       : errc::invalid_argument;
        default:
            return errc::internal;
    }
}

class sqlite_row final : public detail::row {
  public:
    explicit sqlite_row(sqlite3_stmt* s) : s_(s) {}
    bool is_null(int col) const override { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
    std::int64_t i64(int col) const override { return sqlite3_column_int64(s_, col); }
    double f64(int col) const override { return sqlite3_column_double(s_, col); }
    std::string_view text(int col) const override {
        auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
        return {p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(s_, col))};
    }
    std::string_view bytes(int col) const override {
        auto* p = static_cast<const char*>(sqlite3_column_blob(s_, col));
        return {p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(s_, col))};
    }

  private:
    sqlite3_stmt* s_;
};

// Resets the statement on scope exit so it can be reused and releases its read lock.
struct reset_on_exit {
    sqlite3_stmt* s;
    ~reset_on_exit() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
};

std::string to_sqlite_placeholders(const char* sql) {
    std::string out(sql);
    for (std::size_t i = 0; i + 1 < out.size(); ++i) {
        if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
    }
    return out;
}

constexpr const char* insert_metric_sql =
    "INSERT INTO metrics (device_id, ts, cpu_total, mem_used, mem_total, net_tx, net_rx, "
    "uptime_sec, proc_count, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "ON CONFLICT DO NOTHING";

}  // namespace

result<std::unique_ptr<detail::connection>> connection::open(const std::string& path,
                                                             const options& opts,
                                                             commits durability) {
    sqlite3* db = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    std::unique_ptr<connection> c(new connection(db, opts));
    if (rc != SQLITE_OK) return c->fail(rc);
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, static_cast<int>(opts.busy_timeout.count()));
    // FULL syncs the WAL on every commit: a returned commit survives power loss (SPEC §7).
    // NORMAL leaves that flush to the caller (wal_syncer), before it reports the commit.
    // A 16 MiB page cache keeps the hot index pages out of pread() (the default 2 MiB made a
    // busy writer read them back again and again). journal_size_limit truncates the WAL back
    // to 64 MiB after a checkpoint resets it.
    auto r = c->exec(
        "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384; "
        "PRAGMA journal_size_limit=67108864");
    if (r) {
        r = c->exec(durability == commits::flushed ? "PRAGMA synchronous=FULL"
                                                   : "PRAGMA synchronous=NORMAL");
    }
    if (!r) return r.error();
    return std::unique_ptr<detail::connection>(std::move(c));
}

connection::~connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
}

error_code connection::fail(int rc) {
    if (log_) log_(std::string("sqlite: ") + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)));
    return errc_of(rc);
}

result<void> connection::exec(const char* sql) {
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return fail(rc);
    return {};
}

result<sqlite3_stmt*> connection::prepare(const char* sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    std::string text = to_sqlite_placeholders(sql);
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v3(db_, text.c_str(), static_cast<int>(text.size()),
                                SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) return fail(rc);
    cache_.emplace(sql, s);
    return s;
}

int connection::bind(sqlite3_stmt* s, int i, const detail::value& v) {
    struct binder {
        sqlite3_stmt* s;
        int i;
        int operator()(std::nullptr_t) const { return sqlite3_bind_null(s, i); }
        int operator()(std::int64_t x) const { return sqlite3_bind_int64(s, i, x); }
        int operator()(double x) const { return sqlite3_bind_double(s, i, x); }
        int operator()(std::string_view x) const {
            return sqlite3_bind_text64(s, i, x.data(), x.size(), SQLITE_STATIC, SQLITE_UTF8);
        }
        int operator()(detail::blob x) const {
            return sqlite3_bind_blob64(s, i, x.bytes.data(), x.bytes.size(), SQLITE_STATIC);
        }
    };
    return std::visit(binder{s, i}, v);
}

result<std::int64_t> connection::run(const char* sql, std::span<const detail::value> params,
                                     const detail::row_handler& on_row) {
    auto s = prepare(sql);
    if (!s) return s.error();
    reset_on_exit guard{*s};
    for (std::size_t i = 0; i < params.size(); ++i) {
        if (int rc = bind(*s, static_cast<int>(i + 1), params[i]); rc != SQLITE_OK) {
            return fail(rc);
        }
    }
    sqlite_row row(*s);
    int rc;
    while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
        if (on_row) on_row(row);
    }
    if (rc != SQLITE_DONE) return fail(rc);
    return std::int64_t{sqlite3_changes(db_)};
}

result<void> connection::insert_metrics(std::span<const detail::staged_sample> rows,
                                        std::vector<char>& fresh) {
    fresh.assign(rows.size(), 0);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const detail::metric_row& m = *rows[i].row;
        const detail::value params[] = {
            rows[i].device_id, m.ts,     m.cpu_total, m.mem_used, m.mem_total,
            m.net_tx,          m.net_rx, m.uptime,    m.procs,    detail::blob{m.detail}};
        auto changed = run(insert_metric_sql, params, {});
        if (!changed) return changed.error();
        fresh[i] = *changed > 0;
    }
    return {};
}

}  // namespace windash::store::sqlite
