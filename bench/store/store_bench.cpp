// store_bench: samples committed per second on SQLite and PostgreSQL, group commit against the
// seed design's one-transaction-per-sample way, and history queries over 1 h / 7 d / 1 y.
// PostgreSQL: a throwaway cluster (tests/support) unless DATABASE_URL names one.
#include "store/samples.hpp"
#include "support/postgres_cluster.hpp"
#include "year_history.hpp"
#include <windash/store.hpp>
#include <windash/store_open.hpp>
#include <windash/store_postgres.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>

namespace {

using namespace std::chrono_literals;
using namespace windash;
using namespace windash::store;
using windash::store::testing::make_sample;

constexpr int max_writers = 64;
constexpr std::size_t pool_size = 4;  // store connections (options::max_connections)

// One backend under test: the store, 64 devices, a unique-timestamp source.
struct target {
    std::string name;
    std::unique_ptr<store::store> db;
    std::unique_ptr<group_committer> committer;
    std::vector<row_id> devices;
    std::atomic<std::int64_t> next_minute{0};
    std::string url;
    bool variant = false;  // an insert-method variant of a backend: group commit only
    std::once_flag history_filled;
};

std::vector<std::unique_ptr<target>> targets;
std::unique_ptr<windash::testing::postgres_cluster> cluster;

timestamp epoch() { return windash::store::testing::base_time(); }

timestamp history_now() { return epoch() - 24h * 400; }

row_id add_device(store::store& db, const std::string& target, int i) {
    auto email = target + std::to_string(i) + "@example.com";
    auto u = db.create_user(email, "b", "h", epoch()).value();
    std::string code = target + "-" + std::to_string(i);
    auto secret = hash_secret(email);
    (void)db
        .create_device_code({code, secret, "h" + std::to_string(i), "", "", epoch(), epoch() + 1h})
        .value();
    (void)db.decide_device_code(code, u.id, true, "", epoch()).value();
    return db.redeem_device_code(secret, hash_secret(email + "t"), epoch()).value().id;
}

// `name` must contain the backend ("sqlite" or "postgres"): scripts filter on it.
void open_target(const std::string& name, const std::string& url,
                 postgres_insert insert = postgres_insert::arrays) {
    options opts;
    opts.max_connections = pool_size;
    opts.now = history_now;  // the history data ends at this pinned clock; retention default
    auto db = name.starts_with("postgres") ? open_postgres_store(url, opts, {insert})
                                           : open_store(url, opts);
    if (!db) throw std::runtime_error(name + ": " + db.error().message());
    auto t = std::make_unique<target>();
    t->name = name;
    t->url = url;
    t->variant = insert != postgres_insert::arrays;
    t->db = std::move(*db);
    t->committer = std::make_unique<group_committer>(*t->db, group_options{});
    for (int i = 0; i < max_writers + 2; ++i) t->devices.push_back(add_device(*t->db, name, i));
    targets.push_back(std::move(t));
}

// A batch of `n` typical samples (16 cores, 3 disks), built once per writer.
device_batch typical_batch(row_id dev, std::size_t n) {
    device_batch b{dev, {}};
    for (std::size_t i = 0; i < n; ++i) b.samples.push_back(make_sample(epoch(), i));
    return b;
}

// Moves the batch to timestamps no other writer uses, so every sample is new.
void refresh(target& t, device_batch& b) {
    auto minute = t.next_minute.fetch_add(static_cast<std::int64_t>(b.samples.size() / 60 + 1));
    auto start = epoch() + std::chrono::minutes{minute};
    for (std::size_t i = 0; i < b.samples.size(); ++i) {
        b.samples[i].ts = start + std::chrono::seconds{i};
    }
}

void fail_if(benchmark::State& state, bool bad, const char* what) {
    if (bad) state.SkipWithError(what);
}

// Group commit: every writer hands its batch to the shared committer. Thread 0 reports the
// samples per commit of the run (the loop's start and end are barriers for all threads).
void bm_group(benchmark::State& state, target* t) {
    auto batch = static_cast<std::size_t>(state.range(0));
    row_id dev = t->devices[static_cast<std::size_t>(state.thread_index())];
    auto b = typical_batch(dev, batch);
    group_stats before;
    if (state.thread_index() == 0) before = t->committer->stats();
    for (auto _ : state) {
        refresh(*t, b);
        auto r = t->committer->commit(b);  // a copy: the server would move its parsed batch
        fail_if(state, !r || r->accepted != batch, "group commit lost samples");
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
    if (state.thread_index() == 0) {
        auto after = t->committer->stats();
        auto commits = static_cast<double>(after.commits - before.commits);
        state.counters["samples_per_commit"] =
            commits > 0 ? static_cast<double>(after.samples - before.samples) / commits : 0;
    }
}

// The seed design: one INSERT per sample, each in its own transaction.
void bm_seed(benchmark::State& state, target* t) {
    auto batch = static_cast<std::size_t>(state.range(0));
    row_id dev = t->devices[static_cast<std::size_t>(state.thread_index())];
    auto b = typical_batch(dev, batch);
    device_batch one = typical_batch(dev, 1);
    for (auto _ : state) {
        refresh(*t, b);
        for (const auto& s : b.samples) {
            one.samples[0].ts = s.ts;
            auto r = t->db->commit_metrics({&one, 1});
            fail_if(state, !r || (*r)[0].accepted != 1, "seed insert lost a sample");
        }
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

// History: a device that has reported every 2 s for a year (year_history.hpp), at the pinned
// clock the targets' stores run on.
void fill_history(target& t) {
    bench::fill_year_history(t.url, *t.db, t.devices[max_writers], history_now());
}

void bm_history(benchmark::State& state, target* t, std::chrono::hours range) {
    std::call_once(t->history_filled, [t] { fill_history(*t); });  // outside the timed loop
    row_id dev = t->devices[max_writers];
    std::size_t points = 0;
    for (auto _ : state) {
        auto h = t->db->query_history({dev, history_now() - range, history_now(), 600});
        fail_if(state, !h || h->bucket_start.size() > 600 || h->bucket_start.empty(),
                "history query failed");
        if (h) points = h->bucket_start.size();
    }
    state.counters["points"] = static_cast<double>(points);
}

void register_commit(const char* way, void (*fn)(benchmark::State&, target*), target* t, int batch,
                     int writers) {
    auto name = "commit/" + t->name + "/" + way + "/batch:" + std::to_string(batch) +
                "/writers:" + std::to_string(writers);
    benchmark::RegisterBenchmark(name.c_str(), fn, t)
        ->Arg(batch)
        ->Threads(writers)
        ->UseRealTime()
        ->MinTime(0.3);
}

// Commit cases are registered configuration by configuration, backends interleaved, so a
// slow phase of the machine (or a growing table) does not fall on one backend's rows only.
// Insert-method variants ("postgres-pipeline", "postgres-copy") run group commit only.
void register_all() {
    for (int writers : {1, max_writers}) {
        for (int batch : {1, 30, 500}) {
            for (auto& t : targets) register_commit("group", bm_group, t.get(), batch, writers);
            for (auto& t : targets) {
                if (!t->variant) register_commit("seed", bm_seed, t.get(), batch, writers);
            }
        }
    }
    for (auto& t : targets) {
        if (t->variant) continue;
        for (auto [name, range] : {std::pair{"1h", 1h}, {"7d", 24h * 7}, {"1y", 24h * 365}}) {
            benchmark::RegisterBenchmark(("history/" + t->name + "/" + name).c_str(), bm_history,
                                         t.get(), range)
                ->Unit(benchmark::kMillisecond)
                ->MinTime(0.3);
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    auto dir =
        std::filesystem::temp_directory_path() / ("windash-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::string pg_url;
    if (const char* env = std::getenv("DATABASE_URL")) {
        pg_url = env;
    } else {
        cluster = std::make_unique<windash::testing::postgres_cluster>();
        pg_url = cluster->url();
    }
    // The committer runs the store's commit_concurrency() workers: 1 on SQLite, one per pooled
    // connection on PostgreSQL, so its commits overlap and share WAL flushes.
    open_target("sqlite", (dir / "bench.db").string());
    open_target("postgres", pg_url);
    // The same PostgreSQL group commit with the other insert methods, side by side.
    open_target("postgres-pipeline", pg_url, postgres_insert::pipeline);
    open_target("postgres-copy", pg_url, postgres_insert::copy);
    register_all();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    targets.clear();
    cluster.reset();
    std::filesystem::remove_all(dir);
}
