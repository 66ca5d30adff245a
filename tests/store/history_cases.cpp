// History bucketing in the database checked against a brute-force computation over the same
// samples, on the backend of this binary (see backend.hpp).
#include "store/backend.hpp"
#include "store/samples.hpp"
#include <windash/store.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace windash::store::testing {
namespace {

using namespace std::chrono_literals;

struct brute_stat {
    std::uint64_t n = 0;
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    double sum = 0;
    void add(double v) {
        ++n;
        min = std::min(min, v);
        max = std::max(max, v);
        sum += v;
    }
};

struct brute_bucket {
    std::uint64_t samples = 0;
    brute_stat cpu, mem_used, mem_total, tx, rx, swap_used, load1, load15;
    std::map<std::size_t, brute_stat> cores;
    std::map<std::string, std::pair<brute_stat, brute_stat>> disks;
    std::map<std::string, brute_stat> temps;
};

// Irregular times, fractional CPU, 2 to 8 cores, disks coming and going.
std::vector<sample> irregular_samples(timestamp start, std::size_t n, std::mt19937& rng) {
    std::uniform_int_distribution<int> gap_ms(1, 9000), cores(2, 8), coin(0, 1);
    std::uniform_real_distribution<double> pct(0, 100);
    std::vector<sample> out;
    auto ts = start;
    for (std::size_t i = 0; i < n; ++i) {
        ts += std::chrono::milliseconds(gap_ms(rng));
        sample s = make_sample(ts, i, static_cast<std::size_t>(cores(rng)));
        s.cpu.total = pct(rng);
        for (auto& c : s.cpu.per_core) c = pct(rng);
        s.mem.used = 1'000'000'000'000ULL + static_cast<std::uint64_t>(rng());
        s.net = {static_cast<std::uint64_t>(rng()), static_cast<std::uint64_t>(rng()) * 1000};
        if (coin(rng)) s.disks.pop_back();
        // Optional metrics come and go too (SPEC §1): load, swap, a sensor.
        s.load = load_average{pct(rng) / 10, pct(rng) / 20, pct(rng) / 30};
        if (coin(rng)) s.load.reset();
        s.mem.swap_used = static_cast<std::uint64_t>(rng());
        if (coin(rng)) s.mem.swap_used.reset();
        s.temps = {{"cpu", pct(rng)}, {"gpu", pct(rng)}};
        if (coin(rng)) s.temps.pop_back();
        out.push_back(std::move(s));
    }
    return out;
}

std::int64_t us(timestamp t) { return t.time_since_epoch().count(); }
std::int64_t floor_to(std::int64_t v, std::int64_t w) { return w ? v / w * w : v; }  // v > 0
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Buckets of `tier_width` (0: raw) as SPEC §7 rollups see them: a sample belongs to its tier
// bucket, which belongs to the query bucket holding the tier bucket's start.
std::map<std::int64_t, brute_bucket> brute_force(const std::vector<sample>& all, timestamp from,
                                                 timestamp to, std::size_t max_points,
                                                 std::int64_t tier_width = 0) {
    std::int64_t origin = floor_to(us(from), tier_width);
    auto points = static_cast<std::int64_t>(max_points);
    std::int64_t width = std::max<std::int64_t>(ceil_div(us(to) - origin, points), 1);
    if (tier_width) width = ceil_div(width, tier_width) * tier_width;
    std::map<std::int64_t, brute_bucket> out;
    for (const auto& s : all) {
        std::int64_t key = floor_to(us(s.ts), tier_width);
        if (key < origin || key >= us(to)) continue;
        auto& b = out[origin + (key - origin) / width * width];
        ++b.samples;
        b.cpu.add(s.cpu.total);
        b.mem_used.add(static_cast<double>(s.mem.used));
        b.mem_total.add(static_cast<double>(s.mem.total));
        b.tx.add(static_cast<double>(s.net.tx_bps));
        b.rx.add(static_cast<double>(s.net.rx_bps));
        for (std::size_t c = 0; c < s.cpu.per_core.size(); ++c) b.cores[c].add(s.cpu.per_core[c]);
        for (const auto& d : s.disks) {
            b.disks[d.name].first.add(static_cast<double>(d.used));
            b.disks[d.name].second.add(static_cast<double>(d.total));
        }
        if (s.mem.swap_used) b.swap_used.add(static_cast<double>(*s.mem.swap_used));
        if (s.load) {
            b.load1.add(s.load->one);
            b.load15.add(s.load->fifteen);
        }
        for (const auto& t : s.temps) b.temps[t.name].add(t.celsius);
    }
    return out;
}

void check_same(const series& got, std::size_t i, const brute_stat& want) {
    if (want.n == 0) {
        CHECK(std::isnan(got.avg[i]));
        return;
    }
    CHECK(got.min[i] == want.min);
    CHECK(got.max[i] == want.max);
    CHECK(got.avg[i] == doctest::Approx(want.sum / static_cast<double>(want.n)).epsilon(1e-12));
}

void check_bucket(const history& h, std::size_t i, const brute_bucket& want) {
    CHECK(h.sample_count[i] == want.samples);
    check_same(h.cpu_total, i, want.cpu);
    check_same(h.mem_used, i, want.mem_used);
    check_same(h.mem_total, i, want.mem_total);
    check_same(h.net_tx, i, want.tx);
    check_same(h.net_rx, i, want.rx);
    for (std::size_t c = 0; c < h.per_core.size(); ++c) {
        auto it = want.cores.find(c);
        check_same(h.per_core[c], i, it == want.cores.end() ? brute_stat{} : it->second);
    }
    for (const auto& d : h.disks) {
        auto it = want.disks.find(d.name);
        check_same(d.used, i, it == want.disks.end() ? brute_stat{} : it->second.first);
        check_same(d.total, i, it == want.disks.end() ? brute_stat{} : it->second.second);
    }
    check_same(h.swap_used, i, want.swap_used);
    check_same(h.load1, i, want.load1);
    check_same(h.load15, i, want.load15);
    REQUIRE(h.temps.size() == 2);
    for (const auto& t : h.temps) {
        auto it = want.temps.find(t.name);
        check_same(t.celsius, i, it == want.temps.end() ? brute_stat{} : it->second);
    }
}

struct range {
    timestamp from, to;
    std::size_t points;
};

void check_ranges(store& s, row_id dev, const std::vector<sample>& all, tier t,
                  std::initializer_list<range> ranges) {
    for (auto [from, to, points] : ranges) {
        CAPTURE(points);
        auto h = s.query_history({dev, from, to, points});
        REQUIRE_MESSAGE(h.has_value(), h.error().message());
        REQUIRE(h->source == t);
        auto want = brute_force(all, from, to, points, tier_width(t).count());
        REQUIRE(h->bucket_start.size() == want.size());
        std::size_t i = 0;
        for (const auto& [start, bucket] : want) {
            CHECK(us(h->bucket_start[i]) == start);
            check_bucket(*h, i++, bucket);
        }
    }
}

struct dataset {
    std::unique_ptr<store> s;
    row_id dev = 0;
    std::vector<sample> all;
};

void build_all_rollups(store& s) {
    for (;;) {
        auto built = s.build_rollups(1000);
        REQUIRE_MESSAGE(built.has_value(), built.error().message());
        if (*built == 0) break;
    }
}

// 1,200 irregular samples over the two hours before base_time(), committed. The samples for
// which `early(index, sample)` holds (none by default) are committed first and rolled up, then
// the rest.
using early_fn = std::function<bool(std::size_t, const sample&)>;
dataset irregular_dataset(const early_fn& early = {}) {
    options o;
    o.now = [] { return base_time(); };
    auto opened = current_backend().open(current_backend().fresh_url(), o);
    REQUIRE_MESSAGE(opened.has_value(), opened.error().message());
    dataset d{std::move(*opened), 0, {}};
    auto u = d.s->create_user("bf@example.com", "Bo", "$argon2id$x", base_time());
    REQUIRE(u.has_value());
    new_device_code nc{"BRTFRCBF",  hash_secret("bf-code"), "host-1", "pc", "127.0.0.1",
                       base_time(), base_time() + 10min};
    REQUIRE(d.s->create_device_code(nc).has_value());
    REQUIRE(d.s->decide_device_code(nc.user_code, u->id, true, "", base_time()).has_value());
    auto dev = d.s->redeem_device_code(nc.secret, hash_secret("bf-token"), base_time());
    REQUIRE(dev.has_value());
    d.dev = dev->id;
    std::mt19937 rng(20250101);
    d.all = irregular_samples(base_time() - 2h, 1200, rng);
    device_batch first{d.dev, {}};
    device_batch rest{d.dev, {}};
    for (std::size_t i = 0; i < d.all.size(); ++i) {
        (early && early(i, d.all[i]) ? first : rest).samples.push_back(d.all[i]);
    }
    if (!first.samples.empty()) {
        REQUIRE(d.s->commit_metrics({&first, 1}).has_value());
        build_all_rollups(*d.s);
    }
    REQUIRE(d.s->commit_metrics({&rest, 1}).has_value());
    return d;
}

TEST_CASE("history over raw rows equals a brute-force bucketing of the same samples") {
    auto d = irregular_dataset();
    check_ranges(*d.s, d.dev, d.all, tier::raw,
                 {{base_time() - 2h, base_time(), 600},
                  {base_time() - 2h, base_time(), 130},
                  {base_time() - 90min + 333ms, base_time() - 10min, 1000},
                  {base_time() - 1h, base_time() - 1h + 1s, 1000000},
                  {base_time() - 3h, base_time() - 2h + 1min, 62}});
}

TEST_CASE("history over rollups equals a brute-force bucketing of the same samples") {
    auto d = irregular_dataset();
    build_all_rollups(*d.s);
    check_ranges(*d.s, d.dev, d.all, tier::minute,
                 {{base_time() - 20h, base_time(), 600},
                  {base_time() - 2h + 17s, base_time() - 13min, 100},
                  {base_time() - 119min, base_time() - 1h, 59}});
    check_ranges(*d.s, d.dev, d.all, tier::hour,
                 {{base_time() - 600h, base_time(), 600},
                  {base_time() - 1500h, base_time(), 600},
                  {base_time() - 3h + 59min, base_time() + 1h, 2}});
}

TEST_CASE("a range read from rollups ends with the raw samples not rolled up yet") {
    // The samples of the last hour came after the last rollup build (maintenance runs now
    // and then): they are read from the raw rows, so the result is the same as if all of it
    // had been rolled up.
    auto d =
        irregular_dataset([](std::size_t, const sample& s) { return s.ts < base_time() - 1h; });
    check_ranges(*d.s, d.dev, d.all, tier::minute,
                 {{base_time() - 20h, base_time(), 600}, {base_time() - 2h, base_time(), 100}});
    check_ranges(*d.s, d.dev, d.all, tier::hour,
                 {{base_time() - 600h, base_time(), 600}, {base_time() - 3h, base_time() + 1h, 2}});
}

TEST_CASE("a late batch shows in ranges read from rollups before maintenance rebuilds them") {
    // The last hour and every third sample before it were rolled up; the rest came late (an
    // agent's spool after an outage): into older buckets than the newest rollup, and into
    // buckets already built. They count at once, and the same after the rebuild.
    auto d = irregular_dataset(
        [](std::size_t i, const sample& s) { return s.ts >= base_time() - 1h || i % 3 == 0; });
    for (int rebuilt = 0; rebuilt < 2; ++rebuilt) {
        CAPTURE(rebuilt);
        check_ranges(*d.s, d.dev, d.all, tier::minute,
                     {{base_time() - 20h, base_time(), 600}, {base_time() - 2h, base_time(), 100}});
        check_ranges(
            *d.s, d.dev, d.all, tier::hour,
            {{base_time() - 600h, base_time(), 600}, {base_time() - 3h, base_time() + 1h, 2}});
        build_all_rollups(*d.s);
    }
}

}  // namespace
}  // namespace windash::store::testing
