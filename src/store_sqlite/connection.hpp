#pragma once
// A SQLite connection behind the driver interface of store_sql/sql.hpp.

#include "store_sql/sql.hpp"

#include <sqlite3.h>

#include <string>
#include <unordered_map>

namespace windash::store::sqlite {

class connection final : public detail::connection {
  public:
    /// How a commit reaches the disk: flushed before COMMIT returns (synchronous=FULL), or
    /// written and left for the caller to flush (synchronous=NORMAL, see wal_syncer.hpp).
    enum class commits { flushed, written };

    /// Opens `path` in WAL mode.
    [[nodiscard]] static result<std::unique_ptr<detail::connection>> open(
        const std::string& path, const options& opts, commits durability = commits::flushed);
    ~connection() override;

    result<void> exec(const char* sql) override;
    result<void> begin() override { return exec("BEGIN IMMEDIATE"); }
    // WAL: a deferred transaction keeps the snapshot of its first read until COMMIT.
    result<void> begin_read() override { return exec("BEGIN"); }
    result<std::int64_t> run(const char* sql, std::span<const detail::value> params,
                             const detail::row_handler& on_row) override;
    result<void> insert_metrics(std::span<const detail::staged_sample> rows,
                                std::vector<char>& fresh) override;
    bool usable() override { return true; }
    /// The SQLite handle, for the checkpointer's hook.
    [[nodiscard]] sqlite3* handle() const noexcept { return db_; }

  private:
    connection(sqlite3* db, const options& opts) : db_(db), log_(opts.log) {}
    result<sqlite3_stmt*> prepare(const char* sql);
    boost::system::error_code fail(int rc);
    int bind(sqlite3_stmt* s, int index, const detail::value& v);

    sqlite3* db_;
    std::function<void(std::string_view)> log_;
    std::unordered_map<std::string_view, sqlite3_stmt*> cache_;
};

}  // namespace windash::store::sqlite
