#include <windash/store/history.hpp>
#include <windash/store/store.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace windash::store {
namespace {

std::chrono::seconds age_of(tier t, const retention& keep) noexcept {
    return t == tier::raw ? keep.raw : t == tier::minute ? keep.minute : keep.hour;
}

void merge_series(series& s, const std::vector<std::uint64_t>& weight) {
    if (s.min.empty()) return;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    double sum = 0;
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < s.min.size(); ++i) {
        if (std::isnan(s.avg[i])) continue;
        lo = std::min(lo, s.min[i]);
        hi = std::max(hi, s.max[i]);
        sum += s.avg[i] * static_cast<double>(weight[i]);
        n += weight[i];
    }
    double nan = std::nan("");
    s = series{{n ? lo : nan}, {n ? sum / static_cast<double>(n) : nan}, {n ? hi : nan}};
}

}  // namespace

tier choose_tier(timestamp from, timestamp to, std::size_t max_points, timestamp now,
                 const retention& keep) noexcept {
    auto desired = (to - from) / static_cast<std::int64_t>(std::max<std::size_t>(max_points, 1));
    tier t = desired >= tier_width(tier::hour)     ? tier::hour
             : desired >= tier_width(tier::minute) ? tier::minute
                                                   : tier::raw;
    while (t != tier::hour && from < now - age_of(t, keep)) {
        t = t == tier::raw ? tier::minute : tier::hour;
    }
    return t;
}

// Bucket means are weighted by their sample counts; exact unless some samples of a bucket lack a
// metric (per-core lists of varying length).
result<history> store::summarize(row_id device_id, timestamp from, timestamp to) {
    auto h = query_history({device_id, from, to, 600});
    if (!h || h->bucket_start.empty()) return h;
    std::uint64_t total = 0;
    for (auto n : h->sample_count) total += n;
    const auto weight = h->sample_count;
    h->bucket_start.resize(1);
    h->sample_count = {total};
    h->bucket_width = std::chrono::duration_cast<std::chrono::microseconds>(to - from);
    for (series* s : {&h->cpu_total, &h->mem_used, &h->mem_total, &h->net_tx, &h->net_rx}) {
        merge_series(*s, weight);
    }
    for (auto& s : h->per_core) merge_series(s, weight);
    for (auto& d : h->disks) {
        merge_series(d.used, weight);
        merge_series(d.total, weight);
    }
    for (series* s : {&h->swap_used, &h->swap_total, &h->load1, &h->load5, &h->load15}) {
        merge_series(*s, weight);
    }
    for (auto& t : h->temps) merge_series(t.celsius, weight);
    return h;
}

}  // namespace windash::store
