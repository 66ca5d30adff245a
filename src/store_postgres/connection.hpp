#pragma once
// A libpq connection behind the driver interface of store_sql/sql.hpp: prepared statements
// with binary parameters and results; metrics go in by pipelined single-row INSERTs or, when
// asked, by COPY into a staging table.

#include "store_sql/sql.hpp"
#include <windash/store_postgres.hpp>

#include <libpq-fe.h>

#include <functional>
#include <string>
#include <unordered_map>

namespace windash::store::postgres {

class connection final : public detail::connection {
  public:
    [[nodiscard]] static result<std::unique_ptr<detail::connection>> open(const std::string& url,
                                                                          const options& opts,
                                                                          postgres_options pg);
    ~connection() override;

    result<void> exec(const char* sql) override;
    result<void> begin() override;
    result<void> begin_read() override {
        return exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    }
    result<std::int64_t> run(const char* sql, std::span<const detail::value> params,
                             const detail::row_handler& on_row) override;
    result<std::int64_t> run_each(const char* sql, std::size_t per_set,
                                  std::span<const detail::value> params) override;
    result<void> insert_metrics(std::span<const detail::staged_sample> rows,
                                std::vector<char>& fresh) override;
    bool usable() override;

  private:
    connection(PGconn* c, const options& opts, postgres_options pg)
        : conn_(c), log_(opts.log), pg_(pg) {}
    result<std::string> prepare(const char* sql, std::span<const detail::value> params);
    result<std::string> prepare_typed(const char* sql, std::span<const Oid> types);
    boost::system::error_code fail(PGresult* r);
    result<void> copy_rows(std::span<const detail::staged_sample> rows);
    result<void> copy_insert(std::span<const detail::staged_sample> rows, std::vector<char>& fresh);
    struct column_arrays;
    result<void> arrays_insert(std::span<const detail::staged_sample> rows,
                               std::vector<char>& fresh);
    enum class all_new { inserted, no };
    result<all_new> insert_if_all_new(const column_arrays& params);
    result<void> pipeline_insert(std::span<const detail::staged_sample> rows,
                                 std::vector<char>& fresh);
    result<void> pipelined(std::size_t count, const std::function<bool(std::size_t)>& send,
                           const std::function<void(std::size_t, PGresult*)>& on_done);
    result<void> pipeline_chunk(std::size_t first, std::size_t count,
                                const std::function<bool(std::size_t)>& send,
                                const std::function<void(std::size_t, PGresult*)>& on_done);

    PGconn* conn_;
    std::function<void(std::string_view)> log_;
    postgres_options pg_;
    std::unordered_map<std::string_view, std::string> prepared_;
    bool staged_table_ = false;
};

}  // namespace windash::store::postgres
