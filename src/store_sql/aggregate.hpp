#pragma once
// Rollup statistics (min/avg/max of every numeric field, per core and per disk included) and the
// history bucketing built on them. Pure code, shared by the backends and tested directly.

#include <windash/core/sample.hpp>
#include <windash/store/history.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace windash::store::detail {

/// min/max/sum/count of one metric.
struct stat {
    std::uint64_t n = 0;
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    double sum = 0;
    void add(double v) noexcept;
    void merge(const stat& o) noexcept;
    bool operator==(const stat&) const = default;
};

struct named_stats {
    std::string name;
    stat a;  // disks: used; temps: celsius
    stat b;  // disks: total; temps: unused
    bool operator==(const named_stats&) const = default;
};

/// Statistics of a set of samples; merging an encoded aggregate equals aggregating the union.
struct aggregate {
    std::uint64_t samples = 0;
    stat cpu_total, mem_used, mem_total, mem_available, swap_used, swap_total;
    stat net_tx, net_rx, uptime, procs, load1, load5, load15;
    std::vector<stat> per_core, freq;
    std::vector<named_stats> disks, temps;

    void add(const sample& s);
    /// Adds what history reads of `s` apart from the five scalars raw rows have grouped in
    /// SQL (cpu_total, mem_used, mem_total, net_tx, net_rx): per-core and per-disk values,
    /// swap, load and temperatures.
    void add_lists(const sample& s);
    /// Whether `s` (one of this aggregate's stats) is among the five that SQL groups.
    [[nodiscard]] bool grouped_in_sql(const stat& s) const noexcept {
        return &s == &cpu_total || &s == &mem_used || &s == &mem_total || &s == &net_tx ||
               &s == &net_rx;
    }
    bool operator==(const aggregate&) const = default;
};

[[nodiscard]] std::string encode(const aggregate& a);
/// Merges what encode() wrote into `into` without building an aggregate (the history hot path);
/// false, leaving `into` partly merged, when `blob` is damaged.
[[nodiscard]] bool merge_encoded(aggregate& into, std::string_view blob);
/// Like merge_encoded() for rows whose history scalars were grouped in SQL: merges the lists
/// (per core, per disk...) and the scalars SQL does not group; those it groups only when
/// `with_scalars`; never the sample count.
[[nodiscard]] bool merge_encoded_lists(aggregate& into, std::string_view blob, bool with_scalars);

/// Start of the `width`-wide bucket holding `ts_us` (floor, also before 1970).
[[nodiscard]] std::int64_t bucket_floor(std::int64_t ts_us, std::int64_t width) noexcept;

/// The rows to read and buckets to fill for a history query.
struct query_plan {
    tier source = tier::raw;
    std::int64_t origin = 0;  // first bucket start, µs
    std::int64_t width = 1;   // bucket width, µs
    std::int64_t from = 0;    // read rows with from <= ts < to
    std::int64_t to = 0;
};

[[nodiscard]] query_plan plan_query(const history_query& q, timestamp now, const retention& keep);

/// The buckets of a plan: opened in ascending order from the rows SQL grouped, then found again
/// while the per-core and per-disk lists of the same rows are folded in.
class history_builder {
  public:
    explicit history_builder(const query_plan& plan) : plan_(plan) {}
    /// The bucket starting at `start` (a bucket boundary of the plan), appended after the last
    /// one; starts must ascend.
    aggregate& open(std::int64_t start);
    /// The bucket holding `ts_us` among those open()ed, searched forward from the last found;
    /// nullptr when it was never opened.
    aggregate* find(std::int64_t ts_us);
    [[nodiscard]] history finish() const;

  private:
    query_plan plan_;
    std::vector<std::int64_t> starts_;
    std::vector<aggregate> buckets_;
    std::size_t cursor_ = 0;
};

}  // namespace windash::store::detail
