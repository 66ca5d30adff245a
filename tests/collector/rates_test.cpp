#include <windash/collector/rates.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <limits>
#include <vector>

namespace wc = windash::collector;
using namespace std::chrono_literals;

TEST_CASE("cpu_percent: table of intervals") {
    struct row {
        wc::cpu_times prev, cur;
        double percent;
    };
    const row rows[] = {
        {{}, {}, 0},                                  // no time elapsed
        {{}, {10, 0, 10, 80, 0, 0, 0, 0}, 20},        // since boot
        {{10, 0, 10, 80}, {60, 0, 10, 130}, 50},      // user vs idle
        {{0, 0, 0, 0, 0}, {0, 0, 0, 50, 50}, 0},      // iowait is idle
        {{}, {1, 1, 1, 0, 0, 1, 1, 1}, 100},          // every busy column
        {{100, 0, 100, 100}, {50, 0, 150, 150}, 50},  // user went backwards
        {{100, 100, 100, 100}, {0, 0, 0, 0}, 0},      // everything went backwards
    };
    for (const auto& r : rows) {
        CHECK(wc::cpu_percent(r.prev, r.cur) == r.percent);
    }
}

TEST_CASE("per_core_percent matches cores by id") {
    std::vector<wc::core_times> prev{{0, {0, 0, 0, 100}}, {2, {50, 0, 0, 50}}};
    std::vector<wc::core_times> cur{
        {0, {50, 0, 0, 150}}, {1, {10, 0, 0, 30}}, {2, {50, 0, 0, 150}}};
    CHECK(wc::per_core_percent(prev, cur) == std::vector<double>{50, 25, 0});
    CHECK(wc::per_core_percent({}, {}).empty());
}

TEST_CASE("per_core_percent: max_cores + 1 cores report max_cores values") {
    std::vector<wc::core_times> cur;
    for (unsigned i = 0; i <= windash::sample_limits::max_cores; ++i)
        cur.push_back({i, {1, 0, 0, 1}});
    auto percent = wc::per_core_percent({}, cur);
    CHECK(percent.size() == windash::sample_limits::max_cores);
    CHECK(percent.back() == 50);
}

TEST_CASE("net_rates: table of intervals") {
    using list = std::vector<wc::interface_counters>;
    struct row {
        const char* name;
        list prev, cur;
        std::chrono::microseconds elapsed;
        windash::network_rates expected;
    };
    const row rows[] = {
        {"steady", {{"eth0", 1000, 500}}, {{"eth0", 3000, 1500}}, 2s, {500, 1000}},
        {"loopback ignored", {{"lo", 0, 0}}, {{"lo", 1000, 1000}}, 1s, {0, 0}},
        {"summed", {{"a", 0, 0}, {"b", 0, 0}}, {{"b", 10, 20}, {"a", 30, 40}}, 1s, {60, 40}},
        {"vanished", {{"a", 0, 0}, {"b", 0, 0}}, {{"a", 10, 10}}, 1s, {10, 10}},
        {"appeared", {{"a", 0, 0}}, {{"a", 10, 10}, {"new", 1 << 30, 1 << 30}}, 1s, {10, 10}},
        {"reset", {{"a", 5000, 5000}}, {{"a", 10, 4}}, 1s, {0, 0}},
        {"one direction reset", {{"a", 5000, 100}}, {{"a", 10, 300}}, 1s, {200, 0}},
        {"rounded", {{"a", 0, 0}}, {{"a", 1, 2}}, 3s, {1, 0}},
        {"sub-second", {{"a", 0, 0}}, {{"a", 1000, 0}}, 250ms, {0, 4000}},
        {"no time", {{"a", 0, 0}}, {{"a", 1000, 1000}}, 0s, {0, 0}},
        {"clock backwards", {{"a", 0, 0}}, {{"a", 1000, 1000}}, -1s, {0, 0}},
        {"huge",
         {{"a", 0, 0}},
         {{"a", std::numeric_limits<std::uint64_t>::max(), 0}},
         1us,
         {0, std::numeric_limits<std::uint64_t>::max()}},
    };
    for (const auto& r : rows) {
        CAPTURE(r.name);
        auto got = wc::net_rates(r.prev, r.cur, r.elapsed);
        CHECK(got.tx_bps == r.expected.tx_bps);
        CHECK(got.rx_bps == r.expected.rx_bps);
    }
}
