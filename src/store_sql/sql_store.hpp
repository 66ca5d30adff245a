#pragma once
// The store implemented once over the driver interface of sql.hpp. Accounts (users, sessions,
// device codes, devices) live in sql_accounts.cpp, metrics in sql_metrics.cpp.

#include "store_sql/aggregate.hpp"
#include "store_sql/sql.hpp"

#include <functional>

namespace windash::store::detail {

/// rollup_pending.tier of a rollup tier (its enum value: 1 minute, 2 hour). A mark says a commit
/// added samples to that bucket since maintenance last built it.
[[nodiscard]] constexpr std::int64_t mark_tier(tier t) noexcept {
    return static_cast<std::int64_t>(t);
}

/// Calls `on_sample(ts_us, sample)` for the raw samples of `device` in [from, to), ascending;
/// errc::corrupt when a row cannot be decoded.
result<void> scan_raw(connection& c, row_id device, std::int64_t from, std::int64_t to,
                      const std::function<void(std::int64_t, const sample&)>& on_sample);

class sql_store final : public store {
  public:
    sql_store(options opts, std::shared_ptr<pool> writers, std::shared_ptr<pool> readers,
              int version, notifications notes);

    int schema_version() const noexcept override { return version_; }
    // One more than the writers when commits are flushed afterwards: one flushes, one commits.
    std::size_t commit_concurrency() const noexcept override {
        return writers_->max_size() + (writers_->syncs_after_commit() ? 1 : 0);
    }
    result<void> ping() override;

    result<user> create_user(std::string_view email, std::string_view name,
                             std::string_view password_hash, timestamp now) override;
    result<user> find_user(row_id id) override;
    result<std::int64_t> count_users() override;
    result<user> find_user_by_email(std::string_view email) override;
    result<void> create_session(const secret_hash& id, row_id user_id, timestamp now,
                                timestamp expires_at) override;
    result<session> find_session(const secret_hash& id, timestamp now) override;
    result<void> touch_session(const secret_hash& id, timestamp now) override;
    result<void> delete_session(const secret_hash& id) override;

    result<device_code> create_device_code(const new_device_code& code) override;
    result<device_code> find_device_code(std::string_view user_code, timestamp now) override;
    result<device_code> poll_device_code(const secret_hash& secret, timestamp now) override;
    result<device_code> decide_device_code(std::string_view user_code, row_id user_id, bool approve,
                                           std::string_view device_name, timestamp now) override;
    result<device> redeem_device_code(const secret_hash& secret, const secret_hash& token,
                                      timestamp now) override;

    result<std::vector<device>> list_devices(row_id user_id) override;
    result<device> find_device(row_id user_id, row_id device_id) override;
    result<device> find_device_by_token(const secret_hash& token) override;
    result<device> rename_device(row_id user_id, row_id device_id, std::string_view name) override;
    result<void> record_contact(std::span<const contact> contacts) override;
    result<void> delete_device(row_id user_id, row_id device_id) override;
    result<void> rotate_device_token(row_id user_id, row_id device_id,
                                     const secret_hash& token) override;

    result<std::vector<batch_outcome>> commit_metrics(
        std::span<const device_batch> batches) override;
    result<std::optional<sample>> latest_sample(row_id device_id) override;
    result<history> query_history(const history_query& q) override;
    bool notifies() const noexcept override { return notes_.notify_sql != nullptr; }
    result<void> notify(std::string_view channel, std::string_view payload) override;
    result<std::unique_ptr<listener>> listen(std::vector<std::string> channels,
                                             notification_handler handler) override;
    result<std::size_t> build_rollups(std::size_t max_buckets) override;
    result<std::size_t> expire(timestamp now, std::size_t max_rows) override;

  private:
    timestamp now() const { return opts_.now ? opts_.now() : clock_now(); }
    static timestamp clock_now();
    struct rollup_job;
    result<void> compute_rollup(connection& c, std::int64_t tier, rollup_job& job);
    result<std::size_t> rebuild_tier(std::int64_t tier, std::size_t max_buckets);
    result<std::size_t> expire_table(int table, std::int64_t before, std::size_t max_rows);

    options opts_;
    std::shared_ptr<pool> writers_;
    std::shared_ptr<pool> readers_;
    int version_;
    notifications notes_;
};

/// Runs `body()` inside a write transaction on `c`: commits when it succeeds, else rolls back.
template <class F>
auto in_transaction_on(connection& c, F&& body) -> decltype(body()) {
    if (auto b = c.begin(); !b) return b.error();
    auto r = body();
    if (!r) {
        (void)c.exec("ROLLBACK");
        return r;
    }
    if (auto done = c.exec("COMMIT"); !done) {
        (void)c.exec("ROLLBACK");
        return done.error();
    }
    return r;
}

/// Runs `body(connection&)` inside a write transaction on a writer: commits when it succeeds,
/// rolls back otherwise. Returns once the commit is durable: when the pool's commits need a
/// flush, it runs after the writer is given back, so another transaction commits meanwhile.
template <class F>
auto in_transaction(pool& writers, F&& body) -> decltype(body(std::declval<connection&>())) {
    auto r = [&]() -> decltype(body(std::declval<connection&>())) {
        auto lease = writers.acquire();
        if (!lease) return lease.error();
        connection& c = **lease;
        return in_transaction_on(c, [&] { return body(c); });
    }();
    if (r) {
        if (auto s = writers.sync_committed(); !s) return s.error();
    }
    return r;
}

}  // namespace windash::store::detail
