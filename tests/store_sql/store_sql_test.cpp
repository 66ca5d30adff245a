// Pure parts of the shared SQL engine (windash::store_sql): row and rollup encodings, history
// plans and buckets. No database.
#include "store/samples.hpp"
#include "store_sql/aggregate.hpp"
#include "store_sql/codec.hpp"
#include <windash/store.hpp>

#include <doctest/doctest.h>

#include <cmath>

namespace windash::store {
namespace {

using namespace std::chrono_literals;
using testing::base_time;
using testing::make_sample;

TEST_CASE("metric rows round-trip, and damaged blobs are refused") {
    auto s = make_sample(base_time() + 7us, 42);
    s.host_id.clear();
    auto row = detail::encode_row(s);
    sample back;
    REQUIRE(detail::decode_row(row, back));
    CHECK(back == s);
    s.load.reset();
    s.mem.swap_used.reset();
    s.cpu.freq_mhz.clear();
    s.temps.clear();
    row = detail::encode_row(s);
    REQUIRE(detail::decode_row(row, back));
    CHECK(back == s);
    row.detail.pop_back();
    CHECK_FALSE(detail::decode_row(row, back));
    row.detail = "\x02";
    CHECK_FALSE(detail::decode_row(row, back));
}

TEST_CASE("merging an encoded aggregate equals aggregating the union") {
    detail::aggregate all, left, right;
    for (std::uint64_t i = 0; i < 10; ++i) {
        auto s = make_sample(base_time(), i * 7, i < 5 ? 4 : 8);
        all.add(s);
        (i < 5 ? left : right).add(s);
    }
    REQUIRE(detail::merge_encoded(left, detail::encode(right)));
    CHECK(left == all);
    CHECK(all.per_core.size() == 8);
    CHECK(all.per_core[7].n == 5);
    detail::aggregate copy, damaged;
    REQUIRE(detail::merge_encoded(copy, detail::encode(all)));
    CHECK(copy == all);
    CHECK_FALSE(detail::merge_encoded(damaged, ""));
    CHECK_FALSE(detail::merge_encoded(damaged, detail::encode(all) + "x"));
}

TEST_CASE("a rollup's lists merge apart from its scalars, as SQL-grouped history needs") {
    detail::aggregate all, lists, legacy;
    for (std::uint64_t i = 0; i < 6; ++i) all.add(make_sample(base_time(), i * 11, 4 + i));
    auto blob = detail::encode(all);
    // Scalars grouped in SQL: only per-core/per-disk lists come from the blob, never the count.
    REQUIRE(detail::merge_encoded_lists(lists, blob, false));
    CHECK(lists.samples == 0);
    CHECK(lists.cpu_total.n == 0);
    CHECK(lists.per_core == all.per_core);
    CHECK(lists.disks == all.disks);
    // What SQL does not group (swap, load, temperatures...) comes from the blob.
    CHECK(lists.swap_used == all.swap_used);
    CHECK(lists.load1 == all.load1);
    CHECK(lists.temps == all.temps);
    // A row without scalar columns (built before migration 2): its scalars come from the blob.
    REQUIRE(detail::merge_encoded_lists(legacy, blob, true));
    legacy.samples = all.samples;
    CHECK(legacy == all);
    CHECK_FALSE(detail::merge_encoded_lists(lists, blob + "x", false));
}

TEST_CASE("history_builder finds opened buckets forward and refuses unopened ones") {
    history_query q{1, base_time(), base_time() + 1h, 120};
    auto plan = detail::plan_query(q, base_time(), {});
    REQUIRE(plan.source == tier::raw);
    detail::history_builder b(plan);
    b.open(plan.origin).samples = 1;
    b.open(plan.origin + 2 * plan.width).samples = 2;
    CHECK(b.find(plan.origin + 5) == b.find(plan.origin + plan.width - 1));
    CHECK(b.find(plan.origin + plan.width) == nullptr);
    REQUIRE(b.find(plan.origin + 2 * plan.width + 7) != nullptr);
    CHECK(b.find(plan.origin + 2 * plan.width + 7)->samples == 2);
    CHECK(b.finish().sample_count == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("history buckets align to the tier and never exceed maxPoints") {
    history_query q{1, base_time() + 30s, base_time() + 30s + 7 * 24h, 600};
    auto plan = detail::plan_query(q, base_time() + 7 * 24h, {});
    CHECK(plan.source == tier::minute);
    CHECK(plan.origin == detail::to_us(base_time()));
    CHECK(plan.width == 17 * 60'000'000LL);  // (7 days + 30 s) / 600 → 17 whole minutes
    CHECK((detail::to_us(q.to) - plan.origin + plan.width - 1) / plan.width <= 600);

    // Two samples in the first bucket, found again as the list scan does; the second bucket
    // has a disk the first lacks.
    detail::history_builder b(plan);
    auto s = make_sample(base_time(), 1);
    b.open(plan.origin).add(s);
    REQUIRE(b.find(plan.origin + 16 * 60'000'000LL) != nullptr);
    b.find(plan.origin + 16 * 60'000'000LL)->add(s);
    detail::aggregate& second = b.open(plan.origin + plan.width);
    second.add(s);
    s.disks.push_back({"/new", 1, 2});
    second.add(s);
    auto h = b.finish();
    REQUIRE(h.bucket_start.size() == 2);
    CHECK(h.sample_count == std::vector<std::uint64_t>{2, 2});
    REQUIRE(h.disks.size() == 4);
    CHECK(h.disks[3].name == "/new");
    CHECK(std::isnan(h.disks[3].used.avg[0]));
    CHECK(h.disks[3].used.avg[1] == 1);
}

}  // namespace
}  // namespace windash::store
