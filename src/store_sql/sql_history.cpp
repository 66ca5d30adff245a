// History queries (SPEC §4, §7). The scalar series (cpu total, memory, network) are grouped into
// buckets in the database, `GROUP BY (ts - origin) / width`, on the tier the plan chose. Per-core
// and per-disk values live in blobs SQL cannot read, so they are folded in C++ from a second scan
// of the same rows, in the same read-only snapshot.
#include "store_sql/sql_store.hpp"

#include <algorithm>
#include <array>

namespace windash::store::detail {
namespace {

using boost::system::error_code;

#define WINDASH_STATS(col) ", MIN(" col "), MAX(" col "), SUM(CAST(" col " AS DOUBLE PRECISION))"
// Raw rows: key, samples, then MIN, MAX, SUM of each history scalar.
constexpr const char* raw_buckets_sql =
    "SELECT (ts - $2) / $3, COUNT(*)" WINDASH_STATS("cpu_total") WINDASH_STATS("mem_used")
        WINDASH_STATS("mem_total") WINDASH_STATS("net_tx") WINDASH_STATS("net_rx")
    " FROM metrics WHERE device_id = $1 AND ts >= $4 AND ts < $5 GROUP BY 1 ORDER BY 1";
#undef WINDASH_STATS
constexpr const char* raw_lists_sql =
    "SELECT ts, detail FROM metrics WHERE device_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts";

// Rollup rows: key, samples, samples behind the scalar columns (NULL in rows built before
// migration 2, whose blobs then supply the scalars), then MIN, MAX, SUM of each scalar.
#define WINDASH_ROLLUP_BUCKETS(table)                                                       \
    "SELECT (bucket - $2) / $3, CAST(SUM(samples) AS BIGINT), "                             \
    "CAST(SUM(CASE WHEN cpu_min IS NULL THEN 0 ELSE samples END) AS BIGINT), "              \
    "MIN(cpu_min), MAX(cpu_max), SUM(cpu_sum), MIN(mem_used_min), MAX(mem_used_max), "      \
    "SUM(mem_used_sum), MIN(mem_total_min), MAX(mem_total_max), SUM(mem_total_sum), "       \
    "MIN(net_tx_min), MAX(net_tx_max), SUM(net_tx_sum), MIN(net_rx_min), MAX(net_rx_max), " \
    "SUM(net_rx_sum) FROM " table                                                           \
    " WHERE device_id = $1 AND bucket >= $4 AND bucket < $5 "                               \
    "GROUP BY 1 ORDER BY 1"
#define WINDASH_ROLLUP_LISTS(table)                                                 \
    "SELECT bucket, stats, CASE WHEN cpu_min IS NULL THEN 1 ELSE 0 END FROM " table \
    " WHERE device_id = $1 AND bucket >= $2 AND bucket < $3 ORDER BY bucket"

struct history_sql {
    const char* buckets;
    const char* lists;
};

history_sql sql_for(tier t) {
    switch (t) {
        case tier::raw:
            return {raw_buckets_sql, raw_lists_sql};
        case tier::minute:
            return {WINDASH_ROLLUP_BUCKETS("metrics_1m"), WINDASH_ROLLUP_LISTS("metrics_1m")};
        default:
            return {WINDASH_ROLLUP_BUCKETS("metrics_1h"), WINDASH_ROLLUP_LISTS("metrics_1h")};
    }
}
#undef WINDASH_ROLLUP_BUCKETS
#undef WINDASH_ROLLUP_LISTS

std::array<stat*, 5> history_scalars(aggregate& a) {
    return {&a.cpu_total, &a.mem_used, &a.mem_total, &a.net_tx, &a.net_rx};
}

// MIN, MAX, SUM at `col`; raw integer columns hold u64 bit patterns, as aggregate::add reads them.
stat column_stat(const row& r, int col, std::uint64_t n, bool integer) {
    auto value = [&](int c) { return integer ? static_cast<double>(to_u64(r.i64(c))) : r.f64(c); };
    return {n, value(col), value(col + 1), r.f64(col + 2)};
}

void open_bucket(const row& r, const query_plan& p, history_builder& b) {
    aggregate& a = b.open(p.origin + r.i64(0) * p.width);
    a.samples = to_u64(r.i64(1));
    const bool raw = p.source == tier::raw;
    const std::uint64_t n = raw ? a.samples : to_u64(r.i64(2));
    if (n == 0) return;  // only rows built before migration 2: their blobs hold the scalars
    const int first = raw ? 2 : 3;
    auto stats = history_scalars(a);
    for (int i = 0; i < 5; ++i) *stats[i] = column_stat(r, first + 3 * i, n, raw && i != 0);
}

// Folds one row of the second scan into its bucket; false when the row is unreadable or its
// bucket is missing (impossible within one snapshot).
bool fold_lists(const row& r, tier t, history_builder& b, metric_row& m, sample& s) {
    aggregate* a = b.find(r.i64(0));
    if (!a) return false;
    if (t != tier::raw) return merge_encoded_lists(*a, r.bytes(1), r.i64(2) != 0);
    m.ts = r.i64(0);
    m.detail.assign(r.bytes(1));
    if (!decode_row(m, s)) return false;
    a->add_lists(s);
    return true;
}

// Where the plan's rollups stop being current: the start of its first bucket with a pending mark
// (a commit added samples since maintenance built it), counting for an hour the marks of its
// minutes too; p.to when there is none. Maintenance builds buckets in any order (a late batch
// marks buckets older than ones already built), so "after the newest rollup row" would miss
// them. A late batch thus costs a raw scan from its first bucket until maintenance's next pass.
// Marks older than the raw retention are not counted: their raw rows are gone, and maintenance
// leaves those rollups as they are.
result<std::int64_t> rollups_current_until(connection& c, row_id device, const query_plan& p,
                                           std::int64_t raw_horizon) {
    const std::int64_t width = tier_width(p.source).count();
    const std::int64_t lowest = std::max(p.from, bucket_floor(raw_horizon + width - 1, width));
    if (lowest >= p.to) return p.to;
    std::int64_t first_mark = p.to;
    auto r = run(c,
                 "SELECT MIN(b) FROM (SELECT MIN(bucket) AS b FROM rollup_pending WHERE tier = $1 "
                 "AND device_id = $3 AND bucket >= $4 AND bucket < $5 UNION ALL SELECT "
                 "MIN(bucket) FROM rollup_pending WHERE tier = $2 AND device_id = $3 "
                 "AND bucket >= $4 AND bucket < $5) AS marks",
                 {mark_tier(tier::minute), mark_tier(p.source), device, lowest, p.to},
                 [&](const row& rw) {
                     if (!rw.is_null(0)) first_mark = bucket_floor(rw.i64(0), width);
                 });
    if (!r) return r.error();
    return first_mark;
}

result<void> read_buckets(connection& c, row_id device, const query_plan& p,
                          std::int64_t raw_horizon, history_builder& b) {
    std::int64_t rows_to = p.to;  // rollup tiers: rollup rows before it, raw samples from it on
    if (p.source != tier::raw) {
        auto until = rollups_current_until(c, device, p, raw_horizon);
        if (!until) return until.error();
        rows_to = *until;
    }
    const history_sql sql = sql_for(p.source);
    auto r = run(c, sql.buckets, {device, p.origin, p.width, p.from, rows_to},
                 [&](const row& rw) { open_bucket(rw, p, b); });
    if (!r) return r.error();
    bool corrupt = false;
    metric_row m;
    sample s;
    r = run(c, sql.lists, {device, p.from, rows_to}, [&](const row& rw) {
        if (!fold_lists(rw, p.source, b, m, s)) corrupt = true;
    });
    if (!r) return r.error();
    if (corrupt) return error_code(errc::corrupt);
    if (rows_to < p.to) {
        // Samples the rollups do not hold yet: the latest ones (maintenance runs now and then)
        // and any a late batch added to older buckets. Ascending after the rollup rows, as
        // find() needs; a bucket of the plan may hold both.
        auto tail = scan_raw(c, device, rows_to, p.to, [&](std::int64_t ts, const sample& raw) {
            aggregate* a = b.find(ts);
            if (!a) a = &b.open(p.origin + bucket_floor(ts - p.origin, p.width));
            a->add(raw);
        });
        if (!tail) return tail.error();
    }
    return {};
}

// Both scans in one snapshot, so a concurrent commit or rollup build cannot split them.
result<void> read_snapshot(connection& c, row_id device, const query_plan& p,
                           std::int64_t raw_horizon, history_builder& b) {
    if (auto t = c.begin_read(); !t) return t;
    auto r = read_buckets(c, device, p, raw_horizon, b);
    if (r) r = c.exec("COMMIT");
    if (!r) (void)c.exec("ROLLBACK");
    return r;
}

}  // namespace

result<history> sql_store::query_history(const history_query& q) {
    if (q.max_points == 0 || q.to < q.from) return error_code(errc::invalid_argument);
    const timestamp now_ts = now();
    query_plan plan = plan_query(q, now_ts, opts_.keep);
    history_builder builder(plan);
    auto lease = readers_->acquire();
    if (!lease) return lease.error();
    auto r = read_snapshot(**lease, q.device_id, plan, to_us(now_ts - opts_.keep.raw), builder);
    if (!r) return r.error();
    return builder.finish();
}

}  // namespace windash::store::detail
