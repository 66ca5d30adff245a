#include "store_sql/sql_store.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace windash::store::detail {
namespace {

using boost::system::error_code;

constexpr std::int64_t minute_us = 60'000'000;
constexpr std::int64_t hour_us = 3'600'000'000;
constexpr std::int64_t minute_tier = mark_tier(tier::minute);
constexpr std::int64_t hour_tier = mark_tier(tier::hour);

#define WINDASH_METRIC_COLUMNS \
    "ts, cpu_total, mem_used, mem_total, net_tx, net_rx, uptime_sec, proc_count, detail"

metric_row to_metric_row(const row& r) {
    return {r.i64(0), r.f64(1), r.i64(2),
            r.i64(3), r.i64(4), r.i64(5),
            r.i64(6), r.i64(7), std::string(r.bytes(8))};
}

const char* rollup_select(tier t) {
    return t == tier::minute ? "SELECT bucket, stats FROM metrics_1m WHERE device_id = $1 "
                               "AND bucket >= $2 AND bucket < $3 ORDER BY bucket"
                             : "SELECT bucket, stats FROM metrics_1h WHERE device_id = $1 "
                               "AND bucket >= $2 AND bucket < $3 ORDER BY bucket";
}

// Calls `on_stats(bucket, encoded aggregate)` per rollup row; it returns false when damaged.
template <class F>
result<void> scan_rollups(connection& c, tier t, row_id device, std::int64_t from, std::int64_t to,
                          F&& on_stats) {
    bool corrupt = false;
    auto r =
        c.run(rollup_select(t), std::initializer_list<value>{device, from, to}, [&](const row& rw) {
            if (!on_stats(rw.i64(0), rw.bytes(1))) corrupt = true;
        });
    if (!r) return r.error();
    if (corrupt) return error_code(errc::corrupt);
    return {};
}

// Rollup rows carry the history scalars as columns too (migration 2), so history can group
// them in SQL; `stats` keeps everything, per core and per disk included.
#define WINDASH_ROLLUP_SCALARS                                                                   \
    "cpu_min, cpu_max, cpu_sum, mem_used_min, mem_used_max, mem_used_sum, mem_total_min, "       \
    "mem_total_max, mem_total_sum, net_tx_min, net_tx_max, net_tx_sum, net_rx_min, net_rx_max, " \
    "net_rx_sum"

#define WINDASH_ROLLUP_UPSERT(table)                                                              \
    "INSERT INTO " table " (device_id, bucket, samples, stats, " WINDASH_ROLLUP_SCALARS           \
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, " \
    "$19) ON CONFLICT (device_id, bucket) DO UPDATE SET samples = excluded.samples, "             \
    "stats = excluded.stats, cpu_min = excluded.cpu_min, cpu_max = excluded.cpu_max, "            \
    "cpu_sum = excluded.cpu_sum, mem_used_min = excluded.mem_used_min, "                          \
    "mem_used_max = excluded.mem_used_max, mem_used_sum = excluded.mem_used_sum, "                \
    "mem_total_min = excluded.mem_total_min, mem_total_max = excluded.mem_total_max, "            \
    "mem_total_sum = excluded.mem_total_sum, net_tx_min = excluded.net_tx_min, "                  \
    "net_tx_max = excluded.net_tx_max, net_tx_sum = excluded.net_tx_sum, "                        \
    "net_rx_min = excluded.net_rx_min, net_rx_max = excluded.net_rx_max, "                        \
    "net_rx_sum = excluded.net_rx_sum"

const char* upsert_sql(tier t) {
    return t == tier::minute ? WINDASH_ROLLUP_UPSERT("metrics_1m")
                             : WINDASH_ROLLUP_UPSERT("metrics_1h");
}
#undef WINDASH_ROLLUP_UPSERT
#undef WINDASH_ROLLUP_SCALARS

struct staged_group {
    std::vector<metric_row> rows;
    std::vector<staged_sample> staged;
    std::vector<std::size_t> batch_of;                 // batch index of each row
    std::vector<const std::string*> notify_if_stored;  // each row's payload, or nullptr
};

result<staged_group> stage(std::span<const device_batch> batches) {
    staged_group g;
    for (std::size_t b = 0; b < batches.size(); ++b) {
        const auto& batch = batches[b];
        if (batch.device_id <= 0) return error_code(errc::invalid_argument);
        if (!batch.notify_if_stored.empty() &&
            batch.notify_if_stored.size() != batch.samples.size()) {
            return error_code(errc::invalid_argument);
        }
        for (std::size_t k = 0; k < batch.samples.size(); ++k) {
            g.rows.push_back(encode_row(batch.samples[k]));
            g.batch_of.push_back(b);
            const std::string* note =
                batch.notify_if_stored.empty() ? nullptr : &batch.notify_if_stored[k];
            if (note && (note->empty() || note->size() > max_notification_bytes)) note = nullptr;
            g.notify_if_stored.push_back(note);
        }
    }
    std::size_t i = 0;
    for (const auto& b : batches) {
        for (std::size_t k = 0; k < b.samples.size(); ++k) {
            g.staged.push_back({b.device_id, &g.rows[i++]});
        }
    }
    return g;
}

// Marks a bucket for build_rollups. A mark already there is locked (PostgreSQL) but not
// rewritten ("WHERE false" writes nothing on either backend), so a device streaming a sample
// every 2 s writes its mark once a minute, not with every commit. The lock is what
// rebuild_tier relies on: its unmarking waits for this transaction, then it recounts the
// bucket's samples, so a commit racing with a rollup is never missed.
constexpr const char* mark_pending_sql =
    "INSERT INTO rollup_pending (tier, device_id, bucket) VALUES ($1, $2, $3) "
    "ON CONFLICT (tier, device_id, bucket) DO UPDATE SET gen = rollup_pending.gen WHERE false";

result<void> mark_pending(connection& c, std::int64_t tier_no, row_id device, std::int64_t bucket) {
    auto r = run(c, mark_pending_sql, {tier_no, device, bucket});
    if (!r) return r.error();
    return {};
}

// Marks the touched minutes for build_rollups, all in one run_each (a group of a hundred
// batches touches a hundred or more minutes: one round trip to PostgreSQL, not one each).
// Devices' last_seen_at is not written here: it is read as the newest stored ts
// (sql_accounts.cpp), which saves a devices page in every commit.
result<void> after_insert(connection& c, const staged_group& g, const std::vector<char>& fresh) {
    std::set<std::pair<row_id, std::int64_t>> minutes;
    for (std::size_t i = 0; i < g.staged.size(); ++i) {
        if (!fresh[i]) continue;
        auto [dev, row] = g.staged[i];
        minutes.emplace(dev, bucket_floor(row->ts, minute_us));
    }
    std::vector<value> marks;
    marks.reserve(minutes.size() * 3);
    for (auto [dev, bucket] : minutes) marks.insert(marks.end(), {minute_tier, dev, bucket});
    if (auto r = c.run_each(mark_pending_sql, 3, marks); !r) return r.error();
    return {};
}

std::vector<batch_outcome> outcomes(const staged_group& g, const std::vector<char>& fresh,
                                    std::size_t batches) {
    std::vector<batch_outcome> out(batches);
    for (std::size_t i = 0; i < fresh.size(); ++i) {
        auto& o = out[g.batch_of[i]];
        if (fresh[i])
            ++o.accepted;
        else
            ++o.duplicates;
    }
    return out;
}

}  // namespace

result<void> scan_raw(connection& c, row_id device, std::int64_t from, std::int64_t to,
                      const std::function<void(std::int64_t, const sample&)>& on_sample) {
    bool corrupt = false;
    sample s;
    auto r = run(c,
                 "SELECT " WINDASH_METRIC_COLUMNS
                 " FROM metrics WHERE device_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts",
                 {device, from, to}, [&](const row& rw) {
                     if (!decode_row(to_metric_row(rw), s))
                         corrupt = true;
                     else
                         on_sample(rw.i64(0), s);
                 });
    if (!r) return r.error();
    if (corrupt) return error_code(errc::corrupt);
    return {};
}

result<std::vector<batch_outcome>> sql_store::commit_metrics(
    std::span<const device_batch> batches) {
    auto g = stage(batches);  // encoded before taking a writer: the lock covers only SQL
    if (!g) return g.error();
    std::vector<char> fresh;
    return in_transaction(*writers_, [&](connection& c) -> result<std::vector<batch_outcome>> {
        if (g->staged.empty()) return std::vector<batch_outcome>(batches.size());
        if (auto r = c.insert_metrics(g->staged, fresh); !r) return r.error();
        if (auto r = after_insert(c, *g, fresh); !r) return r.error();
        if (notes_.notify_sql != nullptr) {
            // In the transaction: delivered when, and only if, it commits.
            std::vector<value> notes;
            for (std::size_t i = 0; i < fresh.size(); ++i) {
                const std::string* note = g->notify_if_stored[i];
                if (!fresh[i] || note == nullptr) continue;
                notes.insert(notes.end(), {commit_channel, std::string_view(*note)});
            }
            if (auto r = c.run_each(notes_.notify_sql, 2, notes); !r) return r.error();
        }
        return outcomes(*g, fresh, batches.size());
    });
}

result<void> sql_store::notify(std::string_view channel, std::string_view payload) {
    if (notes_.notify_sql == nullptr || payload.size() > max_notification_bytes) {
        return error_code(errc::invalid_argument);
    }
    auto lease = writers_->acquire();
    if (!lease) return lease.error();
    auto r = run(**lease, notes_.notify_sql, {channel, payload});
    if (!r) return r.error();
    return {};
}

result<std::unique_ptr<listener>> sql_store::listen(std::vector<std::string> channels,
                                                    notification_handler handler) {
    if (!notes_.listen) return error_code(errc::invalid_argument);
    return notes_.listen(std::move(channels), std::move(handler));
}

result<std::optional<sample>> sql_store::latest_sample(row_id device_id) {
    auto lease = readers_->acquire();
    if (!lease) return lease.error();
    std::optional<metric_row> latest;
    std::string host;
    auto r = run(**lease,
                 "SELECT " WINDASH_METRIC_COLUMNS
                 " FROM metrics WHERE device_id = $1 ORDER BY ts DESC LIMIT 1",
                 {device_id}, [&](const row& rw) { latest = to_metric_row(rw); });
    if (r) {
        r = run(**lease, "SELECT host_id FROM devices WHERE id = $1", {device_id},
                [&](const row& rw) { host = rw.text(0); });
    }
    if (!r) return r.error();
    if (!latest) return std::optional<sample>{};
    sample s;
    if (!decode_row(*latest, s)) return error_code(errc::corrupt);
    s.host_id = std::move(host);
    return std::optional<sample>{std::move(s)};
}

// A rollup computed outside the writer lock, ready to be written: the upsert's parameters.
struct sql_store::rollup_job {
    row_id device = 0;
    std::int64_t bucket = 0;
    bool expired = false;        // the source rows are past their retention: left alone
    std::int64_t samples = 0;    // raw samples aggregated, the version checked before writing
    std::int64_t newest_ts = 0;  // of a minute's raw samples, for devices.last_seen_at
    std::vector<value> upsert;   // empty: nothing to write (expired or no source rows)
    std::string stats;           // the encoded aggregate upsert's blob points into
};

// The aggregate of one bucket, read on `c` (a reader): raw samples for a minute, minute
// rollups for an hour. Buckets whose source rows have expired are left alone (a rebuild would
// shrink them).
result<void> sql_store::compute_rollup(connection& c, std::int64_t tier_no, rollup_job& job) {
    auto keep = tier_no == minute_tier ? opts_.keep.raw : opts_.keep.minute;
    if (job.bucket < to_us(now() - keep)) {
        job.expired = true;
        return {};
    }
    aggregate a;
    auto r = tier_no == minute_tier
                 ? scan_raw(c, job.device, job.bucket, job.bucket + minute_us,
                            [&](std::int64_t ts, const sample& s) {
                                a.add(s);
                                job.newest_ts = std::max(job.newest_ts, ts);
                            })
                 : scan_rollups(c, tier::minute, job.device, job.bucket, job.bucket + hour_us,
                                [&](std::int64_t, std::string_view stats) {
                                    return merge_encoded(a, stats);
                                });
    if (!r) return r.error();
    job.samples = static_cast<std::int64_t>(a.samples);
    if (a.samples == 0) return {};
    job.stats = encode(a);
    job.upsert = {job.device, job.bucket, static_cast<std::int64_t>(a.samples), blob{job.stats}};
    for (const stat* st : {&a.cpu_total, &a.mem_used, &a.mem_total, &a.net_tx, &a.net_rx}) {
        job.upsert.insert(job.upsert.end(), {st->min, st->max, st->sum});
    }
    return {};
}

namespace {

// How many raw samples a bucket holds now: rows of a minute, or the minute rollups' sample
// counts of an hour. Samples are only ever added to a bucket within its retention, so an
// unchanged count means unchanged contents.
result<std::int64_t> source_samples(connection& c, std::int64_t tier_no, row_id device,
                                    std::int64_t bucket) {
    std::int64_t n = 0;
    auto r =
        tier_no == minute_tier
            ? run(c, "SELECT count(*) FROM metrics WHERE device_id = $1 AND ts >= $2 AND ts < $3",
                  {device, bucket, bucket + minute_us}, [&](const row& rw) { n = rw.i64(0); })
            : run(c,
                  "SELECT coalesce(sum(samples), 0) FROM metrics_1m WHERE device_id = $1 "
                  "AND bucket >= $2 AND bucket < $3",
                  {device, bucket, bucket + hour_us}, [&](const row& rw) { n = rw.i64(0); });
    if (!r) return r.error();
    return n;
}

}  // namespace

// Rollups are read and aggregated on a reader, outside the writer lock, so commits go on
// meanwhile; the writer only stores the results. It first takes the bucket's mark (deleting
// it waits for any commit holding it, see mark_pending), then counts the bucket's source
// samples again: if a commit added some since they were read, the mark goes back and the
// result waits for the next pass. A commit that marks the bucket after the delete finds no
// mark and writes a new one. Either way no sample is missed.
result<std::size_t> sql_store::rebuild_tier(std::int64_t tier_no, std::size_t max_buckets) {
    std::vector<rollup_job> jobs;
    {
        auto lease = readers_->acquire();
        if (!lease) return lease.error();
        auto r = run(**lease,
                     "SELECT device_id, bucket FROM rollup_pending WHERE tier = $1 "
                     "ORDER BY device_id, bucket LIMIT $2",
                     {tier_no, static_cast<std::int64_t>(max_buckets)}, [&](const row& rw) {
                         rollup_job job;
                         job.device = rw.i64(0);
                         job.bucket = rw.i64(1);
                         jobs.push_back(std::move(job));
                     });
        if (!r) return r.error();
        for (auto& job : jobs) {
            if (auto c = compute_rollup(**lease, tier_no, job); !c) return c.error();
        }
    }
    if (jobs.empty()) return 0;
    auto done = in_transaction(*writers_, [&](connection& c) -> result<void> {
        for (const auto& job : jobs) {
            auto unmarked = run(c,
                                "DELETE FROM rollup_pending WHERE tier = $1 AND device_id = $2 "
                                "AND bucket = $3",
                                {tier_no, job.device, job.bucket});
            if (!unmarked) return unmarked.error();
            if (*unmarked == 0) continue;  // another server's pass took it
            if (!job.expired) {
                auto now_samples = source_samples(c, tier_no, job.device, job.bucket);
                if (!now_samples) return now_samples.error();
                if (*now_samples != job.samples) {  // added to since it was read: next pass
                    if (auto m = mark_pending(c, tier_no, job.device, job.bucket); !m) {
                        return m.error();
                    }
                    continue;
                }
            }
            if (job.upsert.empty()) continue;
            auto tier_of = tier_no == minute_tier ? tier::minute : tier::hour;
            if (auto w = c.run(upsert_sql(tier_of), job.upsert); !w) return w.error();
            if (tier_no == minute_tier) {
                if (auto m =
                        mark_pending(c, hour_tier, job.device, bucket_floor(job.bucket, hour_us));
                    !m) {
                    return m.error();
                }
                // The column, for readers of the database, as of the rollups (once a minute
                // per device); the store's own reads take the newest ts from metrics.
                auto seen = run(c,
                                "UPDATE devices SET last_seen_at = $1 WHERE id = $2 AND "
                                "(last_seen_at IS NULL OR last_seen_at < $1)",
                                {job.newest_ts, job.device});
                if (!seen) return seen.error();
            }
        }
        return {};
    });
    if (!done) return done.error();
    return jobs.size();
}

result<std::size_t> sql_store::build_rollups(std::size_t max_buckets) {
    auto minutes = rebuild_tier(minute_tier, max_buckets);
    if (!minutes) return minutes;
    auto hours = rebuild_tier(hour_tier, max_buckets);
    if (!hours) return hours.error();
    return *minutes;
}

namespace {

const char* expire_sql(int table) {
    switch (table) {
        case 0:
            return "DELETE FROM metrics WHERE device_id = $1 AND ts IN (SELECT ts FROM metrics "
                   "WHERE device_id = $1 AND ts < $2 ORDER BY ts LIMIT $3)";
        case 1:
            return "DELETE FROM metrics_1m WHERE device_id = $1 AND bucket IN (SELECT bucket "
                   "FROM metrics_1m WHERE device_id = $1 AND bucket < $2 ORDER BY bucket "
                   "LIMIT $3)";
        default:
            return "DELETE FROM metrics_1h WHERE device_id = $1 AND bucket IN (SELECT bucket "
                   "FROM metrics_1h WHERE device_id = $1 AND bucket < $2 ORDER BY bucket "
                   "LIMIT $3)";
    }
}

}  // namespace

// One short autocommit statement per device and table, so commits interleave with expiry.
result<std::size_t> sql_store::expire_table(int table, std::int64_t before, std::size_t max_rows) {
    std::vector<row_id> devices;
    {
        auto lease = readers_->acquire();
        if (!lease) return lease.error();
        auto r = run(**lease, "SELECT id FROM devices ORDER BY id", {},
                     [&](const row& rw) { devices.push_back(rw.i64(0)); });
        if (!r) return r.error();
    }
    std::size_t deleted = 0;
    for (row_id dev : devices) {
        auto lease = writers_->acquire();
        if (!lease) return lease.error();
        auto n =
            run(**lease, expire_sql(table), {dev, before, static_cast<std::int64_t>(max_rows)});
        if (!n) return n.error();
        deleted += static_cast<std::size_t>(*n);
    }
    return deleted;
}

result<std::size_t> sql_store::expire(timestamp now_ts, std::size_t max_rows) {
    const std::chrono::seconds ages[] = {opts_.keep.raw, opts_.keep.minute, opts_.keep.hour};
    std::size_t deleted = 0;
    for (int table = 0; table < 3; ++table) {
        auto n = expire_table(table, to_us(now_ts - ages[table]), max_rows);
        if (!n) return n;
        deleted += *n;
    }
    auto lease = writers_->acquire();
    if (!lease) return lease.error();
    // Device codes linger a day after expiry so late polls still learn `expired_token`.
    auto a = run(**lease, "DELETE FROM sessions WHERE expires_at <= $1", {to_us(now_ts)});
    if (!a) return a.error();
    auto b = run(**lease, "DELETE FROM device_codes WHERE expires_at <= $1",
                 {to_us(now_ts - std::chrono::days{1})});
    if (!b) return b.error();
    return deleted + static_cast<std::size_t>(*a + *b);
}

}  // namespace windash::store::detail
