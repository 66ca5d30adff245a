#include "store_sql/sql_store.hpp"

#include <algorithm>
#include <optional>

namespace windash::store::detail {
namespace {

using boost::system::error_code;

blob hash_value(const secret_hash& h) {
    return blob{{reinterpret_cast<const char*>(h.bytes.data()), h.bytes.size()}};
}

std::optional<timestamp> optional_ts(const row& r, int col) {
    if (r.is_null(col)) return std::nullopt;
    return from_us(r.i64(col));
}

#define WINDASH_USER_COLUMNS "id, email, name, password_hash, created_at"
user to_user(const row& r) {
    return {r.i64(0), std::string(r.text(1)), std::string(r.text(2)), std::string(r.text(3)),
            from_us(r.i64(4))};
}

// last_seen_at is the newest stored sample's ts, one index probe, rather than the column of
// that name, which commits no longer write (it cost a devices page per commit).
#define WINDASH_DEVICE_COLUMNS                                                                \
    "id, user_id, host_id, name, created_at, (SELECT max(ts) FROM metrics WHERE device_id = " \
    "devices.id), last_contact_at"
device to_device(const row& r) {
    return {r.i64(0),          r.i64(1),          std::string(r.text(2)), std::string(r.text(3)),
            from_us(r.i64(4)), optional_ts(r, 5), optional_ts(r, 6)};
}

#define WINDASH_CODE_COLUMNS                                                     \
    "id, user_code, host_id, hostname, client_address, created_at, expires_at, " \
    "last_polled_at, status, user_id, device_name, device_id, secret_hash"
device_code to_code(const row& r) {
    device_code d;
    d.id = r.i64(0);
    d.user_code = r.text(1);
    d.host_id = r.text(2);
    d.hostname = r.text(3);
    d.client_address = r.text(4);
    d.created_at = from_us(r.i64(5));
    d.expires_at = from_us(r.i64(6));
    d.last_polled_at = optional_ts(r, 7);
    d.status = static_cast<device_code_status>(r.i64(8));
    if (!r.is_null(9)) d.user_id = r.i64(9);
    d.device_name = r.text(10);
    if (!r.is_null(11)) d.device_id = r.i64(11);
    auto secret = r.bytes(12);
    if (secret.size() == d.secret.bytes.size()) {
        std::copy(secret.begin(), secret.end(), d.secret.bytes.begin());
    }
    return d;
}

// Runs a statement expected to return at most one row, converted by `convert`.
template <class T>
result<T> one(connection& c, const char* sql, std::initializer_list<value> params,
              T (*convert)(const row&)) {
    std::optional<T> out;
    auto r = run(c, sql, params, [&](const row& rw) { out = convert(rw); });
    if (!r) return r.error();
    if (!out) return error_code(errc::not_found);
    return std::move(*out);
}

template <class T>
result<T> read_one(pool& p, const char* sql, std::initializer_list<value> params,
                   T (*convert)(const row&)) {
    auto lease = p.acquire();
    if (!lease) return lease.error();
    return one(**lease, sql, params, convert);
}

result<void> expect_changed(result<std::int64_t> changed) {
    if (!changed) return changed.error();
    if (*changed == 0) return error_code(errc::not_found);
    return {};
}

std::int64_t status_value(device_code_status s) { return static_cast<std::int64_t>(s); }

}  // namespace

timestamp sql_store::clock_now() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
}

sql_store::sql_store(options opts, std::shared_ptr<pool> writers, std::shared_ptr<pool> readers,
                     int version, notifications notes)
    : opts_(std::move(opts)),
      writers_(std::move(writers)),
      readers_(std::move(readers)),
      version_(version),
      notes_(std::move(notes)) {}

result<void> sql_store::ping() {
    auto lease = readers_->acquire();
    if (!lease) return lease.error();
    auto r = run(**lease, "SELECT 1", {});
    if (!r) return r.error();
    return {};
}

result<user> sql_store::create_user(std::string_view email, std::string_view name,
                                    std::string_view password_hash, timestamp now) {
    if (email.empty()) return error_code(errc::invalid_argument);
    return in_transaction(*writers_, [&](connection& c) {
        return one(c,
                   "INSERT INTO users (email, name, password_hash, created_at) "
                   "VALUES ($1, $2, $3, $4) RETURNING " WINDASH_USER_COLUMNS,
                   {email, name, password_hash, to_us(now)}, to_user);
    });
}

result<user> sql_store::find_user(row_id id) {
    return read_one(*readers_, "SELECT " WINDASH_USER_COLUMNS " FROM users WHERE id = $1", {id},
                    to_user);
}

result<std::int64_t> sql_store::count_users() {
    return read_one<std::int64_t>(*readers_, "SELECT count(*) FROM users", {},
                                  [](const row& r) { return r.i64(0); });
}

result<user> sql_store::find_user_by_email(std::string_view email) {
    return read_one(*readers_, "SELECT " WINDASH_USER_COLUMNS " FROM users WHERE email = $1",
                    {email}, to_user);
}

result<void> sql_store::create_session(const secret_hash& id, row_id user_id, timestamp now,
                                       timestamp expires_at) {
    return in_transaction(*writers_, [&](connection& c) -> result<void> {
        auto r = run(c,
                     "INSERT INTO sessions (id_hash, user_id, created_at, expires_at, "
                     "last_used_at) VALUES ($1, $2, $3, $4, $3)",
                     {hash_value(id), user_id, to_us(now), to_us(expires_at)});
        if (!r) return r.error();
        return {};
    });
}

result<session> sql_store::find_session(const secret_hash& id, timestamp now) {
    return read_one(
        *readers_,
        "SELECT user_id, created_at, expires_at, last_used_at FROM sessions "
        "WHERE id_hash = $1 AND expires_at > $2",
        {hash_value(id), to_us(now)}, +[](const row& r) {
            return session{r.i64(0), from_us(r.i64(1)), from_us(r.i64(2)), from_us(r.i64(3))};
        });
}

result<void> sql_store::touch_session(const secret_hash& id, timestamp now) {
    return in_transaction(*writers_, [&](connection& c) -> result<void> {
        auto r =
            run(c, "UPDATE sessions SET last_used_at = $2 WHERE id_hash = $1 AND last_used_at < $2",
                {hash_value(id), to_us(now)});
        if (!r) return r.error();
        return {};
    });
}

result<void> sql_store::delete_session(const secret_hash& id) {
    return in_transaction(*writers_, [&](connection& c) -> result<void> {
        auto r = run(c, "DELETE FROM sessions WHERE id_hash = $1", {hash_value(id)});
        if (!r) return r.error();
        return {};
    });
}

result<device_code> sql_store::create_device_code(const new_device_code& code) {
    return in_transaction(*writers_, [&](connection& c) -> result<device_code> {
        bool taken = false;
        auto r = run(c, "SELECT 1 FROM device_codes WHERE user_code = $1 AND expires_at > $2",
                     {std::string_view(code.user_code), to_us(code.created_at)},
                     [&](const row&) { taken = true; });
        if (!r) return r.error();
        if (taken) return error_code(errc::conflict);
        return one(
            c,
            "INSERT INTO device_codes (user_code, secret_hash, host_id, hostname, "
            "client_address, created_at, expires_at, status, device_name) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, 0, '') RETURNING " WINDASH_CODE_COLUMNS,
            {std::string_view(code.user_code), hash_value(code.secret),
             std::string_view(code.host_id), std::string_view(code.hostname),
             std::string_view(code.client_address), to_us(code.created_at), to_us(code.expires_at)},
            to_code);
    });
}

result<device_code> sql_store::find_device_code(std::string_view user_code, timestamp now) {
    return read_one(*readers_,
                    "SELECT " WINDASH_CODE_COLUMNS
                    " FROM device_codes "
                    "WHERE user_code = $1 AND expires_at > $2 ORDER BY id DESC LIMIT 1",
                    {user_code, to_us(now)}, to_code);
}

result<device_code> sql_store::poll_device_code(const secret_hash& secret, timestamp now) {
    return in_transaction(*writers_, [&](connection& c) -> result<device_code> {
        auto code =
            one(c, "SELECT " WINDASH_CODE_COLUMNS " FROM device_codes WHERE secret_hash = $1",
                {hash_value(secret)}, to_code);
        if (!code) return code;
        auto r = run(c, "UPDATE device_codes SET last_polled_at = $1 WHERE id = $2",
                     {to_us(now), code->id});
        if (!r) return r.error();
        return code;
    });
}

result<device_code> sql_store::decide_device_code(std::string_view user_code, row_id user_id,
                                                  bool approve, std::string_view device_name,
                                                  timestamp now) {
    auto status = approve ? device_code_status::approved : device_code_status::denied;
    return in_transaction(*writers_, [&](connection& c) {
        return one(c,
                   "UPDATE device_codes SET status = $1, user_id = $2, device_name = $3 "
                   "WHERE user_code = $4 AND expires_at > $5 AND status = 0 "
                   "RETURNING " WINDASH_CODE_COLUMNS,
                   {status_value(status), user_id, device_name, user_code, to_us(now)}, to_code);
    });
}

namespace {

std::string_view device_name_for(const device_code& code) {
    if (!code.device_name.empty()) return code.device_name;
    if (!code.hostname.empty()) return code.hostname;
    return code.host_id;
}

result<device> redeem_in(connection& c, const secret_hash& secret, const secret_hash& token,
                         timestamp now) {
    // The claim is one conditional UPDATE: of concurrent redeems on PostgreSQL, the later ones
    // wait on the row, then find it no longer approved, so exactly one device is created (a
    // SELECT first would let both see `approved` under READ COMMITTED).
    auto code = one(c,
                    "UPDATE device_codes SET status = $1 WHERE secret_hash = $2 AND status = $3 "
                    "AND expires_at > $4 RETURNING " WINDASH_CODE_COLUMNS,
                    {status_value(device_code_status::redeemed), hash_value(secret),
                     status_value(device_code_status::approved), to_us(now)},
                    to_code);
    if (!code && code.error() == errc::not_found) {
        auto seen =
            one(c, "SELECT " WINDASH_CODE_COLUMNS " FROM device_codes WHERE secret_hash = $1",
                {hash_value(secret)}, to_code);
        if (!seen) return seen.error();
        if (seen->status == device_code_status::redeemed) return error_code(errc::conflict);
        return error_code(errc::not_found);  // not approved, or expired
    }
    if (!code) return code.error();
    auto dev = one(c,
                   "INSERT INTO devices (user_id, host_id, name, token_hash, created_at) "
                   "VALUES ($1, $2, $3, $4, $5) RETURNING " WINDASH_DEVICE_COLUMNS,
                   {*code->user_id, std::string_view(code->host_id), device_name_for(*code),
                    hash_value(token), to_us(now)},
                   to_device);
    if (!dev) return dev;
    auto r = run(c, "UPDATE device_codes SET device_id = $1 WHERE id = $2", {dev->id, code->id});
    if (!r) return r.error();
    return dev;
}

}  // namespace

result<device> sql_store::redeem_device_code(const secret_hash& secret, const secret_hash& token,
                                             timestamp now) {
    return in_transaction(*writers_,
                          [&](connection& c) { return redeem_in(c, secret, token, now); });
}

result<std::vector<device>> sql_store::list_devices(row_id user_id) {
    auto lease = readers_->acquire();
    if (!lease) return lease.error();
    std::vector<device> out;
    auto r = run(**lease,
                 "SELECT " WINDASH_DEVICE_COLUMNS
                 " FROM devices WHERE user_id = $1 AND deleted_at IS NULL ORDER BY id",
                 {user_id}, [&](const row& rw) { out.push_back(to_device(rw)); });
    if (!r) return r.error();
    return out;
}

result<device> sql_store::find_device(row_id user_id, row_id device_id) {
    return read_one(*readers_,
                    "SELECT " WINDASH_DEVICE_COLUMNS
                    " FROM devices WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
                    {device_id, user_id}, to_device);
}

result<device> sql_store::find_device_by_token(const secret_hash& token) {
    return read_one(*readers_,
                    "SELECT " WINDASH_DEVICE_COLUMNS
                    " FROM devices WHERE token_hash = $1 AND deleted_at IS NULL",
                    {hash_value(token)}, to_device);
}

result<void> sql_store::record_contact(std::span<const contact> contacts) {
    if (contacts.empty()) return {};
    return in_transaction(*writers_, [&](connection& c) -> result<void> {
        for (const auto& k : contacts) {
            auto r = run(c,
                         "UPDATE devices SET last_contact_at = $1 WHERE id = $2 AND "
                         "(last_contact_at IS NULL OR last_contact_at < $1)",
                         {to_us(k.at), k.device_id});
            if (!r) return r.error();
        }
        return {};
    });
}

result<device> sql_store::rename_device(row_id user_id, row_id device_id, std::string_view name) {
    if (name.empty()) return error_code(errc::invalid_argument);
    return in_transaction(*writers_, [&](connection& c) {
        return one(c,
                   "UPDATE devices SET name = $1 WHERE id = $2 AND user_id = $3 "
                   "AND deleted_at IS NULL RETURNING " WINDASH_DEVICE_COLUMNS,
                   {name, device_id, user_id}, to_device);
    });
}

result<void> sql_store::delete_device(row_id user_id, row_id device_id) {
    return in_transaction(*writers_, [&](connection& c) {
        return expect_changed(run(c,
                                  "UPDATE devices SET deleted_at = $1, token_hash = NULL "
                                  "WHERE id = $2 AND user_id = $3 AND deleted_at IS NULL",
                                  {to_us(now()), device_id, user_id}));
    });
}

result<void> sql_store::rotate_device_token(row_id user_id, row_id device_id,
                                            const secret_hash& token) {
    return in_transaction(*writers_, [&](connection& c) {
        return expect_changed(run(c,
                                  "UPDATE devices SET token_hash = $1 WHERE id = $2 "
                                  "AND user_id = $3 AND deleted_at IS NULL",
                                  {hash_value(token), device_id, user_id}));
    });
}

}  // namespace windash::store::detail
