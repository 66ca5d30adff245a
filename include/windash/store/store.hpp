#pragma once
/// @file
/// The storage interface the server uses (SPEC §3, §4, §7). windash ships SQLite
/// (windash::store_sqlite) and PostgreSQL (windash::store_postgres) implementations; a third
/// party can implement it without linking either.
///
/// Threads: every member may be called from any thread concurrently. Every failure is returned as
/// an error_code of category `windash.store` (test it against condition::retryable / fatal); a
/// call that returns an error committed nothing it was asked to write.

#include <windash/store/errors.hpp>
#include <windash/store/history.hpp>
#include <windash/store/records.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace windash::store {

/// Result of every store operation.
template <class T>
using result = boost::system::result<T>;

/// Options common to every backend.
struct options {
    retention keep;                   ///< tier ages, SPEC §7
    std::size_t max_connections = 4;  ///< PostgreSQL pool size / SQLite reader connections
    std::chrono::milliseconds busy_timeout{5000};  ///< wait for a lock before errc::busy
    /// Receives diagnostic lines (database messages behind errc::internal). Default: dropped.
    std::function<void(std::string_view)> log;
    /// The clock used for retention horizons in queries. Default: system_clock.
    std::function<timestamp()> now;
};

/// The channel of device_batch::notify_if_stored.
inline constexpr std::string_view commit_channel = "windash_commits";
/// The longest notification payload (PostgreSQL's limit is 8000 bytes).
inline constexpr std::size_t max_notification_bytes = 7999;

/// Receives notifications from store::listen(): on the listener's own thread, one at a time;
/// it must not block for long.
using notification_handler =
    std::function<void(std::string_view channel, std::string_view payload)>;

/// Delivery of notifications; destroying it stops delivery (and waits for its thread).
class listener {
  public:
    virtual ~listener() = default;
};

/// Abstract store. Implementations apply their migrations when opened.
class store {
  public:
    virtual ~store() = default;

    /// Highest migration applied to the database.
    [[nodiscard]] virtual int schema_version() const noexcept = 0;
    /// Round trip to the database (SPEC §6 `/readyz`).
    [[nodiscard]] virtual result<void> ping() = 0;

    // Users and sessions (SPEC §4).
    /// errc::conflict when the email is taken.
    [[nodiscard]] virtual result<user> create_user(std::string_view email, std::string_view name,
                                                   std::string_view password_hash,
                                                   timestamp now) = 0;
    [[nodiscard]] virtual result<user> find_user(row_id id) = 0;
    /// How many users exist (SPEC §4: signup is open to the first user only by default).
    [[nodiscard]] virtual result<std::int64_t> count_users() = 0;
    [[nodiscard]] virtual result<user> find_user_by_email(std::string_view email) = 0;
    [[nodiscard]] virtual result<void> create_session(const secret_hash& id, row_id user_id,
                                                      timestamp now, timestamp expires_at) = 0;
    /// errc::not_found when unknown or expired at `now`.
    [[nodiscard]] virtual result<session> find_session(const secret_hash& id, timestamp now) = 0;
    /// Records that the session was used at `now` (idle expiry is the caller's rule, on
    /// session::last_used_at). Succeeds when the session does not exist.
    [[nodiscard]] virtual result<void> touch_session(const secret_hash& id, timestamp now) = 0;
    /// Succeeds when the session did not exist.
    [[nodiscard]] virtual result<void> delete_session(const secret_hash& id) = 0;

    // Device codes (SPEC §3).
    /// errc::conflict when `user_code` or the secret is already in use by an unexpired code.
    [[nodiscard]] virtual result<device_code> create_device_code(const new_device_code& code) = 0;
    /// The unexpired code with this user code, whatever its status; else errc::not_found.
    [[nodiscard]] virtual result<device_code> find_device_code(std::string_view user_code,
                                                               timestamp now) = 0;
    /// The code as it was before this poll, then records `now` as its last poll. Expired codes
    /// are returned too (the caller answers `expired_token`); unknown: errc::not_found.
    [[nodiscard]] virtual result<device_code> poll_device_code(const secret_hash& secret,
                                                               timestamp now) = 0;
    /// Approves or denies a pending, unexpired code; errc::not_found otherwise.
    [[nodiscard]] virtual result<device_code> decide_device_code(std::string_view user_code,
                                                                 row_id user_id, bool approve,
                                                                 std::string_view device_name,
                                                                 timestamp now) = 0;
    /// Turns an approved, unexpired code into a device holding `token` (its hash), exactly once:
    /// errc::conflict when already redeemed, errc::not_found when not approved or expired.
    [[nodiscard]] virtual result<device> redeem_device_code(const secret_hash& secret,
                                                            const secret_hash& token,
                                                            timestamp now) = 0;

    // Devices (SPEC §4). Another user's device is errc::not_found, like a missing one.
    [[nodiscard]] virtual result<std::vector<device>> list_devices(row_id user_id) = 0;
    [[nodiscard]] virtual result<device> find_device(row_id user_id, row_id device_id) = 0;
    [[nodiscard]] virtual result<device> find_device_by_token(const secret_hash& token) = 0;
    [[nodiscard]] virtual result<device> rename_device(row_id user_id, row_id device_id,
                                                       std::string_view name) = 0;
    /// Deletes the device and revokes its token at once; its samples age out with retention.
    [[nodiscard]] virtual result<void> delete_device(row_id user_id, row_id device_id) = 0;
    /// Replaces the token hash: the old token stops working when this returns.
    [[nodiscard]] virtual result<void> rotate_device_token(row_id user_id, row_id device_id,
                                                           const secret_hash& token) = 0;
    /// Advances each device's last_contact_at to its `at` (never backwards), in one
    /// transaction; unknown or deleted devices are skipped. Several servers may call it for the
    /// same device: the newest contact wins (SPEC §2 online state across servers).
    [[nodiscard]] virtual result<void> record_contact(std::span<const contact> contacts) = 0;

    // Metrics (SPEC §2, §7).
    /// Stores every batch in one transaction and returns one outcome per batch, in order, once
    /// it is durable (SQLite: the WAL flushed; PostgreSQL: synchronous_commit=on). Idempotent:
    /// samples whose `(device_id, ts)` is stored count as duplicates. On error nothing is
    /// reported stored; a retry is safe (an I/O error flushing a commit leaves its samples
    /// readable, and the retry counts them as duplicates).
    /// Use group_committer to merge concurrent callers into one call.
    [[nodiscard]] virtual result<std::vector<batch_outcome>> commit_metrics(
        std::span<const device_batch> batches) = 0;
    /// How many commit_metrics calls can usefully run at once (SQLite: 2, one on its one writer
    /// while the other waits for its WAL flush; PostgreSQL: the pool size). group_committer runs
    /// this many workers by default.
    [[nodiscard]] virtual std::size_t commit_concurrency() const noexcept { return 1; }
    /// The newest stored raw sample of a device, if any.
    [[nodiscard]] virtual result<std::optional<sample>> latest_sample(row_id device_id) = 0;
    /// Downsampled history, see history.hpp. Rollup tiers hold every committed sample within
    /// the raw retention, rolled up by build_rollups() or not yet.
    [[nodiscard]] virtual result<history> query_history(const history_query& q) = 0;
    /// min/avg/max per metric over `[from, to)`: a history with at most one bucket.
    [[nodiscard]] result<history> summarize(row_id device_id, timestamp from, timestamp to);

    // Notifications between processes sharing the database (PostgreSQL LISTEN/NOTIFY), so that
    // several servers on one database act as one.
    /// Whether notify() and listen() reach other processes. Default: false.
    [[nodiscard]] virtual bool notifies() const noexcept { return false; }
    /// Sends `payload` (at most max_notification_bytes) on `channel` (lower-case ASCII letters
    /// and `_`) to every listener, this process's included. Default: errc::invalid_argument.
    [[nodiscard]] virtual result<void> notify(std::string_view channel, std::string_view payload);
    /// Delivers what is sent on `channels` to `handler` until the listener is destroyed. A lost
    /// connection is re-established (what was sent meanwhile is lost) and reported through
    /// options::log. Default: errc::invalid_argument.
    [[nodiscard]] virtual result<std::unique_ptr<listener>> listen(
        std::vector<std::string> channels, notification_handler handler);

    // Maintenance, meant for a background thread; neither blocks commits for long.
    /// Rebuilds up to `max_buckets` 1-minute buckets touched by commits since the last call,
    /// and the hours holding them. Returns the number of minute buckets rebuilt (0: up to date).
    [[nodiscard]] virtual result<std::size_t> build_rollups(std::size_t max_buckets) = 0;
    /// Deletes up to `max_rows` rows per table older than their tier's age at `now`, plus expired
    /// sessions and device codes, in short transactions. Returns the rows deleted.
    [[nodiscard]] virtual result<std::size_t> expire(timestamp now, std::size_t max_rows) = 0;
};

}  // namespace windash::store
