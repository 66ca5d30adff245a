// Background maintenance against the backend of this binary (see backend.hpp): rollups appear
// while samples arrive, and commits keep succeeding beside it.
#include "store/fixture.hpp"
#include <windash/store/maintenance.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace windash::store::testing {
namespace {

using namespace std::chrono_literals;

// Generous: only a hung maintenance thread gets near it; nothing asserts how fast it is.
constexpr auto patience = 60s;

// Errors reported by maintenance, collected for the assertions.
struct error_log {
    std::mutex mutex;
    std::vector<std::string> lines;
    auto sink() {
        return [this](std::string_view what, boost::system::error_code ec) {
            std::lock_guard lock(mutex);
            lines.push_back(std::string(what) + ": " + ec.message());
        };
    }
    std::string all() {
        std::lock_guard lock(mutex);
        std::string out;
        for (const auto& l : lines) out += l + "\n";
        return out;
    }
};

maintenance_options quick(error_log& log, std::size_t rollup_batch = 64) {
    maintenance_options o;
    o.interval = 10ms;
    o.rollup_batch = rollup_batch;
    o.on_error = log.sink();
    o.now = [] { return base_time(); };
    return o;
}

// Samples in the 1-minute tier over the day before base_time().
std::uint64_t minute_tier_samples(store& s, row_id dev) {
    auto h = s.query_history({dev, base_time() - 20h, base_time(), 600});
    REQUIRE_MESSAGE(h.has_value(), h.error().message());
    REQUIRE(h->source == tier::minute);
    std::uint64_t n = 0;
    for (auto c : h->sample_count) n += c;
    return n;
}

// Polls until the 1-minute tier holds `want` samples; false after `patience`.
bool wait_for_rollups(store& s, row_id dev, std::uint64_t want) {
    auto give_up = std::chrono::steady_clock::now() + patience;
    while (minute_tier_samples(s, dev) != want) {
        if (std::chrono::steady_clock::now() > give_up) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

// Waits for a pass that started after this call to end; false after `patience`.
bool wait_for_full_pass(const maintenance& m) {
    auto want = m.passes() + 2;
    auto give_up = std::chrono::steady_clock::now() + patience;
    while (m.passes() < want) {
        if (std::chrono::steady_clock::now() > give_up) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

TEST_CASE("maintenance builds rollups in the background as samples arrive") {
    auto s = open_fresh();
    auto dev = make_device(*s, "bg@example.com");
    error_log log;
    maintenance m(*s, quick(log));
    auto first = batch_of(dev.id, base_time() - 3h, 360, 10s);
    REQUIRE(s->commit_metrics({&first, 1}).has_value());
    CHECK(wait_for_rollups(*s, dev.id, 360));
    // A later, late-arriving batch lands in its buckets too.
    auto late = batch_of(dev.id, base_time() - 5h, 60, 10s);
    REQUIRE(s->commit_metrics({&late, 1}).has_value());
    CHECK(wait_for_rollups(*s, dev.id, 420));
    // The hour tier follows the minute tier, perhaps a batch later: poll it too (under the
    // sanitizers and beside other tests, that batch can come after the minute tier is read).
    const auto hour_buckets = [&] {
        auto week = s->query_history({dev.id, base_time() - 600h, base_time(), 600});
        REQUIRE_MESSAGE(week.has_value(), week.error().message());
        REQUIRE(week->source == tier::hour);
        return week->sample_count;
    };
    const auto give_up = std::chrono::steady_clock::now() + patience;
    while (hour_buckets() != std::vector<std::uint64_t>{60, 360} &&
           std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(20ms);
    CHECK(hour_buckets() == std::vector<std::uint64_t>{60, 360});
    m.stop();
    m.stop();  // idempotent
    CHECK(m.passes() >= 1);
    CHECK_MESSAGE(log.all().empty(), log.all());
}

TEST_CASE("commits through group_committer keep succeeding while maintenance runs") {
    auto s = open_fresh();
    auto dev = make_device(*s, "busy@example.com");
    // Rows past the raw age keep expire() busy while the writers commit.
    auto old = batch_of(dev.id, base_time() - 20 * 24h, 600, 10s);
    REQUIRE(s->commit_metrics({&old, 1}).has_value());
    error_log log;
    constexpr int writers = 4;
    constexpr int batches = 15;
    constexpr std::size_t per_batch = 30;
    std::atomic<int> failures{0};
    std::atomic<std::uint64_t> accepted{0};
    {
        auto opts = quick(log, 4);  // small batches: maintenance is busy throughout
        opts.expire_batch = 10;
        maintenance m(*s, opts);
        group_committer committer(*s, {1000, 2});
        std::vector<std::thread> threads;
        for (int t = 0; t < writers; ++t) {
            threads.emplace_back([&, t] {
                for (int k = 0; k < batches; ++k) {
                    auto start =
                        base_time() - 10h + std::chrono::hours{t} + std::chrono::minutes{k};
                    auto r = committer.commit(batch_of(dev.id, start, per_batch, 2s));
                    if (r && r->accepted == per_batch) {
                        accepted += r->accepted;
                    } else {
                        ++failures;
                    }
                }
            });
        }
        for (auto& t : threads) t.join();
        CHECK(failures == 0);
        CHECK(wait_for_rollups(*s, dev.id, accepted.load()));
        CHECK(wait_for_full_pass(m));
    }
    CHECK(accepted == writers * batches * per_batch);
    CHECK_MESSAGE(log.all().empty(), log.all());
    // Expired in the background: nothing is left for expire() to delete.
    auto left = s->expire(base_time(), 100000);
    REQUIRE(left.has_value());
    CHECK(*left == 0);
}

}  // namespace
}  // namespace windash::store::testing
