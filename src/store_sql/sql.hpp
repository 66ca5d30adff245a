#pragma once
// The small driver interface the SQL backends implement (SQLite, PostgreSQL), and the connection
// pool over it. SQL text uses `$1..$n` placeholders; drivers translate when they must.

#include "store_sql/codec.hpp"
#include <windash/store/store.hpp>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

namespace windash::store::detail {

/// A BLOB/BYTEA parameter (a plain string_view binds as TEXT).
struct blob {
    std::string_view bytes;
};
using value = std::variant<std::nullptr_t, std::int64_t, double, std::string_view, blob>;

/// One result row; valid only inside the row handler.
class row {
  public:
    [[nodiscard]] virtual bool is_null(int col) const = 0;
    [[nodiscard]] virtual std::int64_t i64(int col) const = 0;
    [[nodiscard]] virtual double f64(int col) const = 0;
    [[nodiscard]] virtual std::string_view text(int col) const = 0;
    [[nodiscard]] virtual std::string_view bytes(int col) const = 0;

  protected:
    ~row() = default;
};
using row_handler = std::function<void(const row&)>;

/// A sample ready for insertion into `metrics`.
struct staged_sample {
    row_id device_id = 0;
    const metric_row* row = nullptr;
};

/// One database connection. Not thread-safe: a pool hands it to one thread at a time.
class connection {
  public:
    virtual ~connection() = default;
    /// Runs a parameterless script (one or more statements).
    [[nodiscard]] virtual result<void> exec(const char* sql) = 0;
    /// Starts a write transaction (SQLite: BEGIN IMMEDIATE).
    [[nodiscard]] virtual result<void> begin() = 0;
    /// Starts a read-only transaction whose statements all see one snapshot; end it with COMMIT.
    [[nodiscard]] virtual result<void> begin_read() = 0;
    /// Runs one prepared statement (cached by the address of `sql`, which must be a literal) and
    /// calls `on_row` for each row; returns the number of rows changed.
    [[nodiscard]] virtual result<std::int64_t> run(const char* sql, std::span<const value> params,
                                                   const row_handler& on_row = {}) = 0;
    /// Runs `sql` once per parameter set, ignoring any result rows: `params` holds the sets one
    /// after another, `per_set` values each. Returns the rows changed in all. Backends that can
    /// send statements without waiting for each reply override it (PostgreSQL pipelines them: one
    /// round trip per thousand sets instead of one per set); the default runs them one by one.
    [[nodiscard]] virtual result<std::int64_t> run_each(const char* sql, std::size_t per_set,
                                                        std::span<const value> params) {
        if (per_set == 0 || params.size() % per_set != 0) {
            return boost::system::error_code(errc::invalid_argument);
        }
        std::int64_t changed = 0;
        for (std::size_t at = 0; at < params.size(); at += per_set) {
            auto n = run(sql, params.subspan(at, per_set));
            if (!n) return n;
            changed += *n;
        }
        return changed;
    }
    /// INSERT ... ON CONFLICT DO NOTHING of every row; fresh[i] tells whether rows[i] was stored.
    /// Inside a transaction begun by the caller.
    [[nodiscard]] virtual result<void> insert_metrics(std::span<const staged_sample> rows,
                                                      std::vector<char>& fresh) = 0;
    /// False when the connection can no longer be used (checked before reuse).
    [[nodiscard]] virtual bool usable() = 0;
};

/// Convenience: run() with an initializer list.
inline result<std::int64_t> run(connection& c, const char* sql, std::initializer_list<value> p,
                                const row_handler& on_row = {}) {
    return c.run(sql, std::span<const value>(p.begin(), p.size()), on_row);
}

/// A bounded pool of connections made on demand; acquire() blocks while all are leased.
class pool {
  public:
    using factory = std::function<result<std::unique_ptr<connection>>()>;

    class lease {
      public:
        lease(pool* owner, std::unique_ptr<connection> c) : owner_(owner), conn_(std::move(c)) {}
        lease(lease&& o) noexcept = default;
        lease& operator=(lease&&) = delete;
        ~lease();
        connection& operator*() const noexcept { return *conn_; }
        connection* operator->() const noexcept { return conn_.get(); }

      private:
        pool* owner_;
        std::unique_ptr<connection> conn_;
    };

    /// Makes the transactions committed on the pool's connections so far durable.
    using syncer = std::function<result<void>()>;

    /// `sync`, for a backend whose commits return before they are flushed (SQLite with
    /// synchronous=NORMAL): run by in_transaction after it gave the connection back, so the
    /// next writer commits meanwhile. Empty: commits are durable when they return.
    pool(factory make, std::size_t max_size, syncer sync = {})
        : make_(std::move(make)), sync_(std::move(sync)), max_(max_size) {}
    [[nodiscard]] result<lease> acquire();
    /// The most connections this pool holds at once.
    [[nodiscard]] std::size_t max_size() const noexcept { return max_; }
    /// Whether commits need sync_committed() to be durable.
    [[nodiscard]] bool syncs_after_commit() const noexcept { return static_cast<bool>(sync_); }
    /// Makes every transaction committed before the call durable; nothing to do without a syncer.
    [[nodiscard]] result<void> sync_committed() const { return sync_ ? sync_() : result<void>{}; }

  private:
    void give_back(std::unique_ptr<connection> c);
    factory make_;
    syncer sync_;
    std::size_t max_;
    std::size_t open_ = 0;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<connection>> idle_;
};

/// A versioned schema change, applied in its own transaction.
struct migration {
    int version;
    const char* name;
    const char* sql;
};

/// What differs between SQL backends beyond their driver.
struct dialect {
    std::span<const migration> migrations;
    const char* lock_migrations = nullptr;  // e.g. pg_advisory_lock, outside transactions
    const char* unlock_migrations = nullptr;
};

/// Applies missing migrations; returns the schema version. errc::schema_too_new when the database
/// knows a version this program does not.
[[nodiscard]] result<int> migrate(connection& c, const dialect& d, timestamp now);

/// Notifications between processes, for backends that have them (PostgreSQL LISTEN/NOTIFY).
struct notifications {
    /// Sends one inside the current transaction ($1 channel, $2 payload); nullptr: none.
    const char* notify_sql = nullptr;
    /// Starts a listener (store::listen).
    std::function<result<std::unique_ptr<listener>>(std::vector<std::string>, notification_handler)>
        listen;
};

/// The store over a pool of writers and a pool of readers (may be the same pool).
[[nodiscard]] std::unique_ptr<store> make_sql_store(options opts, std::shared_ptr<pool> writers,
                                                    std::shared_ptr<pool> readers, int version,
                                                    notifications notes = {});

}  // namespace windash::store::detail
