#include "store_sql/aggregate.hpp"

#include "store_sql/codec.hpp"

#include <algorithm>
#include <cmath>

namespace windash::store::detail {
namespace {

constexpr std::uint8_t aggregate_version = 1;

void add_each(std::vector<stat>& into, const std::vector<double>& values) {
    if (into.size() < values.size()) into.resize(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) into[i].add(values[i]);
}

named_stats& find_named(std::vector<named_stats>& list, std::string_view name) {
    for (auto& n : list) {
        if (n.name == name) return n;
    }
    return list.emplace_back(named_stats{std::string(name), {}, {}});
}

void put(blob_writer& w, const stat& s) {
    w.u64(s.n);
    w.f64(s.min);
    w.f64(s.max);
    w.f64(s.sum);
}

stat get(blob_reader& r) {
    stat s;
    s.n = r.u64();
    s.min = r.f64();
    s.max = r.f64();
    s.sum = r.f64();
    return s;
}

bool merge_list(blob_reader& r, std::vector<stat>& into) {
    std::uint32_t n = r.u32();
    if (!r.ok() || n > sample_limits::max_cores) return false;
    if (into.size() < n) into.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) into[i].merge(get(r));
    return r.ok();
}

bool merge_named(blob_reader& r, std::vector<named_stats>& into) {
    std::uint32_t n = r.u32();
    if (!r.ok() || n > sample_limits::max_temperatures) return false;
    for (std::uint32_t i = 0; i < n; ++i) {
        auto& named = find_named(into, r.view());
        named.a.merge(get(r));
        named.b.merge(get(r));
    }
    return r.ok();
}

bool merge_lists(blob_reader& r, aggregate& into) {
    return merge_list(r, into.per_core) && merge_list(r, into.freq) && merge_named(r, into.disks) &&
           merge_named(r, into.temps) && r.at_end();
}

void put_list(blob_writer& w, const std::vector<stat>& list) {
    w.u32(static_cast<std::uint32_t>(list.size()));
    for (const auto& s : list) put(w, s);
}

void put_named(blob_writer& w, const std::vector<named_stats>& list) {
    w.u32(static_cast<std::uint32_t>(list.size()));
    for (const auto& n : list) {
        w.str(n.name);
        put(w, n.a);
        put(w, n.b);
    }
}

// The scalar stats in their blob order.
template <class A>
auto scalars(A& a) {
    return std::array{&a.cpu_total,  &a.mem_used, &a.mem_total, &a.mem_available, &a.swap_used,
                      &a.swap_total, &a.net_tx,   &a.net_rx,    &a.uptime,        &a.procs,
                      &a.load1,      &a.load5,    &a.load15};
}

void push(series& s, const stat& v) {
    double nan = std::nan("");
    s.min.push_back(v.n ? v.min : nan);
    s.avg.push_back(v.n ? v.sum / static_cast<double>(v.n) : nan);
    s.max.push_back(v.n ? v.max : nan);
}

// Every core index, disk name and sensor name seen in any bucket gets a series.
void shape_lists(const std::vector<aggregate>& buckets, history& h) {
    for (const auto& a : buckets) {
        if (h.per_core.size() < a.per_core.size()) h.per_core.resize(a.per_core.size());
        for (const auto& d : a.disks) {
            auto same = [&](const disk_series& s) { return s.name == d.name; };
            if (std::none_of(h.disks.begin(), h.disks.end(), same))
                h.disks.push_back({d.name, {}, {}});
        }
        for (const auto& t : a.temps) {
            auto same = [&](const temperature_series& s) { return s.name == t.name; };
            if (std::none_of(h.temps.begin(), h.temps.end(), same)) h.temps.push_back({t.name, {}});
        }
    }
}

const named_stats* find_existing(const std::vector<named_stats>& list, const std::string& name) {
    for (const auto& n : list) {
        if (n.name == name) return &n;
    }
    return nullptr;
}

void append_bucket(const aggregate& a, history& h) {
    h.sample_count.push_back(a.samples);
    push(h.cpu_total, a.cpu_total);
    push(h.mem_used, a.mem_used);
    push(h.mem_total, a.mem_total);
    push(h.net_tx, a.net_tx);
    push(h.net_rx, a.net_rx);
    for (std::size_t c = 0; c < h.per_core.size(); ++c) {
        push(h.per_core[c], c < a.per_core.size() ? a.per_core[c] : stat{});
    }
    for (auto& d : h.disks) {
        const named_stats* n = find_existing(a.disks, d.name);
        push(d.used, n ? n->a : stat{});
        push(d.total, n ? n->b : stat{});
    }
    push(h.swap_used, a.swap_used);
    push(h.swap_total, a.swap_total);
    push(h.load1, a.load1);
    push(h.load5, a.load5);
    push(h.load15, a.load15);
    for (auto& t : h.temps) {
        const named_stats* n = find_existing(a.temps, t.name);
        push(t.celsius, n ? n->a : stat{});
    }
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) noexcept { return (a + b - 1) / b; }

}  // namespace

void stat::add(double v) noexcept {
    ++n;
    min = std::min(min, v);
    max = std::max(max, v);
    sum += v;
}

void stat::merge(const stat& o) noexcept {
    n += o.n;
    min = std::min(min, o.min);
    max = std::max(max, o.max);
    sum += o.sum;
}

void aggregate::add(const sample& s) {
    ++samples;
    cpu_total.add(s.cpu.total);
    mem_used.add(static_cast<double>(s.mem.used));
    mem_total.add(static_cast<double>(s.mem.total));
    if (s.mem.available) mem_available.add(static_cast<double>(*s.mem.available));
    net_tx.add(static_cast<double>(s.net.tx_bps));
    net_rx.add(static_cast<double>(s.net.rx_bps));
    uptime.add(static_cast<double>(s.uptime_sec));
    procs.add(static_cast<double>(s.proc_count));
    add_each(freq, s.cpu.freq_mhz);
    add_lists(s);  // per core, per disk, swap, load, temperatures
}

void aggregate::add_lists(const sample& s) {
    add_each(per_core, s.cpu.per_core);
    for (const auto& d : s.disks) {
        auto& n = find_named(disks, d.name);
        n.a.add(static_cast<double>(d.used));
        n.b.add(static_cast<double>(d.total));
    }
    if (s.mem.swap_used) swap_used.add(static_cast<double>(*s.mem.swap_used));
    if (s.mem.swap_total) swap_total.add(static_cast<double>(*s.mem.swap_total));
    if (s.load) {
        load1.add(s.load->one);
        load5.add(s.load->five);
        load15.add(s.load->fifteen);
    }
    for (const auto& t : s.temps) find_named(temps, t.name).a.add(t.celsius);
}

std::string encode(const aggregate& a) {
    blob_writer w;
    w.u8(aggregate_version);
    w.u64(a.samples);
    for (const stat* s : scalars(a)) put(w, *s);
    put_list(w, a.per_core);
    put_list(w, a.freq);
    put_named(w, a.disks);
    put_named(w, a.temps);
    return w.take();
}

bool merge_encoded(aggregate& into, std::string_view blob) {
    blob_reader r(blob);
    if (r.u8() != aggregate_version) return false;
    into.samples += r.u64();
    for (stat* s : scalars(into)) s->merge(get(r));
    return merge_lists(r, into);
}

bool merge_encoded_lists(aggregate& into, std::string_view blob, bool with_scalars) {
    blob_reader r(blob);
    if (r.u8() != aggregate_version) return false;
    (void)r.u64();
    for (stat* s : scalars(into)) {
        stat v = get(r);
        if (with_scalars || !into.grouped_in_sql(*s)) s->merge(v);
    }
    return merge_lists(r, into);
}

std::int64_t bucket_floor(std::int64_t ts_us, std::int64_t width) noexcept {
    std::int64_t q = ts_us / width;
    if (ts_us % width != 0 && ts_us < 0) --q;
    return q * width;
}

query_plan plan_query(const history_query& q, timestamp now, const retention& keep) {
    query_plan p;
    p.source = choose_tier(q.from, q.to, q.max_points, now, keep);
    std::int64_t points = static_cast<std::int64_t>(std::max<std::size_t>(q.max_points, 1));
    std::int64_t tw = tier_width(p.source).count();
    p.from = to_us(q.from);
    p.to = std::max(to_us(q.to), p.from);
    p.origin = tw ? bucket_floor(p.from, tw) : p.from;
    p.width = std::max<std::int64_t>(ceil_div(p.to - p.origin, points), 1);
    if (tw) p.width = ceil_div(p.width, tw) * tw;
    if (tw) p.from = p.origin;  // rollup rows are keyed by their bucket start
    return p;
}

aggregate& history_builder::open(std::int64_t start) {
    starts_.push_back(start);
    return buckets_.emplace_back();
}

aggregate* history_builder::find(std::int64_t ts_us) {
    std::int64_t start = plan_.origin + (ts_us - plan_.origin) / plan_.width * plan_.width;
    while (cursor_ < starts_.size() && starts_[cursor_] < start) ++cursor_;
    if (cursor_ == starts_.size() || starts_[cursor_] != start) return nullptr;
    return &buckets_[cursor_];
}

history history_builder::finish() const {
    history h;
    h.source = plan_.source;
    h.bucket_width = std::chrono::microseconds{plan_.width};
    shape_lists(buckets_, h);
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        h.bucket_start.push_back(from_us(starts_[i]));
        append_bucket(buckets_[i], h);
    }
    return h;
}

}  // namespace windash::store::detail
