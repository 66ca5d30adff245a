// The store contract, run against the backend of this binary (see backend.hpp): the same cases
// pass on SQLite files and on a real PostgreSQL server.
#include "store/fixture.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <random>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace windash::store::testing {
namespace {

using namespace std::chrono_literals;
using boost::system::error_code;

TEST_CASE("migrations are applied once and the schema survives reopening") {
    auto url = current_backend().fresh_url();
    row_id id = 0;
    {
        auto s = must(current_backend().open(url, test_options()));
        CHECK(s->schema_version() == 5);
        must(s->ping());
        id = must(s->create_user("a@example.com", "Ann", "h", base_time())).id;
    }
    auto again = must(current_backend().open(url, test_options()));
    CHECK(again->schema_version() == 5);
    CHECK(must(again->find_user(id)).email == "a@example.com");
}

TEST_CASE("users are unique by email") {
    auto s = open_fresh();
    auto u = must(s->create_user("a@example.com", "Ann", "hash", base_time()));
    CHECK(u.id > 0);
    CHECK(u.created_at == base_time());
    auto dup = s->create_user("a@example.com", "Other", "hash", base_time());
    REQUIRE(dup.has_error());
    CHECK(dup.error() == errc::conflict);
    CHECK(must(s->find_user_by_email("a@example.com")).id == u.id);
    CHECK(must(s->find_user(u.id)).name == "Ann");
    CHECK(s->find_user(u.id + 100).error() == errc::not_found);
    CHECK(s->find_user_by_email("b@example.com").error() == errc::not_found);
}

TEST_CASE("sessions are found by hash until they expire") {
    auto s = open_fresh();
    auto u = must(s->create_user("a@example.com", "Ann", "hash", base_time()));
    auto id = hash_secret("cookie-value");
    must(s->create_session(id, u.id, base_time(), base_time() + 1h));
    auto found = must(s->find_session(id, base_time() + 59min));
    CHECK(found.user_id == u.id);
    CHECK(found.expires_at == base_time() + 1h);
    CHECK(found.last_used_at == base_time());
    // Last use only moves forward.
    must(s->touch_session(id, base_time() + 10min));
    must(s->touch_session(id, base_time() + 5min));
    CHECK(must(s->find_session(id, base_time() + 11min)).last_used_at == base_time() + 10min);
    must(s->touch_session(hash_secret("other"), base_time()));
    CHECK(s->find_session(id, base_time() + 1h).error() == errc::not_found);
    CHECK(s->find_session(hash_secret("other"), base_time()).error() == errc::not_found);
    must(s->delete_session(id));
    CHECK(s->find_session(id, base_time()).error() == errc::not_found);
    must(s->delete_session(id));
}

TEST_CASE("a device code is approved and redeemed exactly once") {
    auto s = open_fresh();
    auto u = must(s->create_user("a@example.com", "Ann", "hash", base_time()));
    new_device_code nc{"BCDFGHJK", hash_secret("secret"), "host-1",           "pc",
                       "10.0.0.1", base_time(),           base_time() + 10min};
    auto code = must(s->create_device_code(nc));
    CHECK(code.status == device_code_status::pending);
    CHECK(code.hostname == "pc");
    nc.secret = hash_secret("secret-2");
    CHECK(s->create_device_code(nc).error() == errc::conflict);

    auto poll = must(s->poll_device_code(hash_secret("secret"), base_time() + 2s));
    CHECK_FALSE(poll.last_polled_at.has_value());
    poll = must(s->poll_device_code(hash_secret("secret"), base_time() + 4s));
    CHECK(poll.last_polled_at == base_time() + 2s);
    CHECK(s->poll_device_code(hash_secret("nope"), base_time()).error() == errc::not_found);

    auto token = hash_secret("token");
    CHECK(s->redeem_device_code(hash_secret("secret"), token, base_time()).error() ==
          errc::not_found);
    auto decided = must(s->decide_device_code("BCDFGHJK", u.id, true, "Desk", base_time()));
    CHECK(decided.status == device_code_status::approved);
    CHECK(s->decide_device_code("BCDFGHJK", u.id, false, "", base_time()).error() ==
          errc::not_found);
    auto dev = must(s->redeem_device_code(hash_secret("secret"), token, base_time()));
    CHECK(dev.name == "Desk");
    CHECK(dev.host_id == "host-1");
    CHECK(dev.user_id == u.id);
    CHECK(s->redeem_device_code(hash_secret("secret"), token, base_time()).error() ==
          errc::conflict);
    CHECK(must(s->find_device_by_token(token)).id == dev.id);
    auto after = must(s->find_device_code("BCDFGHJK", base_time()));
    CHECK(after.status == device_code_status::redeemed);
    CHECK(after.device_id == dev.id);
}

TEST_CASE("denied and expired device codes are never redeemed") {
    auto s = open_fresh();
    auto u = must(s->create_user("a@example.com", "Ann", "hash", base_time()));
    must(s->create_device_code(
        {"BBBBBBBB", hash_secret("s1"), "", "", "", base_time(), base_time() + 10min}));
    must(s->create_device_code(
        {"CCCCCCCC", hash_secret("s2"), "", "", "", base_time(), base_time() + 10min}));
    must(s->decide_device_code("BBBBBBBB", u.id, false, "", base_time()));
    CHECK(s->redeem_device_code(hash_secret("s1"), hash_secret("t"), base_time()).error() ==
          errc::not_found);
    CHECK(s->decide_device_code("CCCCCCCC", u.id, true, "", base_time() + 10min).error() ==
          errc::not_found);
    CHECK(s->find_device_code("CCCCCCCC", base_time() + 10min).error() == errc::not_found);
    // An expired code's user code can be issued again.
    must(s->create_device_code(
        {"CCCCCCCC", hash_secret("s3"), "", "", "", base_time() + 11min, base_time() + 21min}));
}

TEST_CASE("devices belong to their user; rename, rotate and delete") {
    auto s = open_fresh();
    auto dev = make_device(*s);
    auto other = must(s->create_user("b@example.com", "Bob", "hash", base_time()));
    CHECK(s->find_device(other.id, dev.id).error() == errc::not_found);
    CHECK(s->rename_device(other.id, dev.id, "x").error() == errc::not_found);
    CHECK(s->delete_device(other.id, dev.id).error() == errc::not_found);
    CHECK(must(s->list_devices(other.id)).empty());

    CHECK(must(s->rename_device(dev.user_id, dev.id, "Office")).name == "Office");
    CHECK(s->rename_device(dev.user_id, dev.id, "").error() == errc::invalid_argument);
    auto old_token = hash_secret("a@example.com-token");
    must(s->rotate_device_token(dev.user_id, dev.id, hash_secret("new")));
    CHECK(s->find_device_by_token(old_token).error() == errc::not_found);
    CHECK(must(s->find_device_by_token(hash_secret("new"))).name == "Office");

    auto list = must(s->list_devices(dev.user_id));
    REQUIRE(list.size() == 1);
    CHECK(list[0].id == dev.id);
    must(s->delete_device(dev.user_id, dev.id));
    CHECK(s->find_device_by_token(hash_secret("new")).error() == errc::not_found);
    CHECK(must(s->list_devices(dev.user_id)).empty());
    CHECK(s->find_device(dev.user_id, dev.id).error() == errc::not_found);
}

TEST_CASE("record_contact advances a device's contact time, never backwards (SPEC §2 online)") {
    auto s = open_fresh();
    auto a = make_device(*s, "a@example.com");
    auto b = make_device(*s, "b@example.com");
    CHECK_FALSE(must(s->find_device(a.user_id, a.id)).last_contact_at.has_value());
    CHECK_FALSE(is_online(must(s->find_device(a.user_id, a.id)), base_time()));
    const contact first[] = {{a.id, base_time()}, {b.id, base_time() + 5s}, {999999, base_time()}};
    must(s->record_contact(first));
    auto dev = must(s->find_device(a.user_id, a.id));
    CHECK(dev.last_contact_at == base_time());
    CHECK(is_online(dev, base_time() + 59s));
    CHECK_FALSE(is_online(dev, base_time() + 60s));
    // An older contact (another server, a late flush) does not move it back.
    const contact older[] = {{a.id, base_time() - 30s}, {b.id, base_time() + 10s}};
    must(s->record_contact(older));
    CHECK(must(s->find_device(a.user_id, a.id)).last_contact_at == base_time());
    CHECK(must(s->list_devices(b.user_id))[0].last_contact_at == base_time() + 10s);
    must(s->record_contact({}));
}

TEST_CASE(
    "notifications: a commit announces exactly its newly stored samples; notify reaches "
    "listeners") {
    auto s = open_fresh();
    if (!s->notifies()) {  // one process only: nothing to reach
        CHECK(s->notify("windash_test", "x").error() == errc::invalid_argument);
        CHECK(s->listen({"windash_test"}, [](std::string_view, std::string_view) {}).error() ==
              errc::invalid_argument);
        return;
    }
    std::mutex m;
    std::condition_variable arrived;
    std::vector<std::pair<std::string, std::string>> got;
    auto l = s->listen({std::string(commit_channel), "windash_test"},
                       [&](std::string_view channel, std::string_view payload) {
                           std::lock_guard lock(m);
                           got.emplace_back(channel, payload);
                           arrived.notify_all();
                       });
    REQUIRE(l.has_value());
    CHECK(s->listen({"Not-Plain"}, [](std::string_view, std::string_view) {}).error() ==
          errc::invalid_argument);

    auto dev = make_device(*s);
    auto first = batch_of(dev.id, base_time(), 2);
    first.notify_if_stored = {"first", ""};  // an empty payload sends nothing
    must(s->commit_metrics({&first, 1}));
    must(s->notify("windash_test", "hello"));
    // A duplicate and a new sample: only the new one is announced.
    auto second = batch_of(dev.id, base_time() + 2s, 2);
    second.notify_if_stored = {"duplicate", "third"};
    CHECK(must(s->commit_metrics({&second, 1}))[0] == batch_outcome{1, 1});
    // A payload over the limit is not sent; the samples are stored all the same.
    auto big = batch_of(dev.id, base_time() + 10s, 1);
    big.notify_if_stored = {std::string(max_notification_bytes + 1, 'x')};
    CHECK(must(s->commit_metrics({&big, 1}))[0] == batch_outcome{1, 0});
    CHECK(s->notify("windash_test", std::string(max_notification_bytes + 1, 'x')).error() ==
          errc::invalid_argument);
    auto mismatched = batch_of(dev.id, base_time() + 20s, 2);
    mismatched.notify_if_stored = {"one"};
    CHECK(s->commit_metrics({&mismatched, 1}).error() == errc::invalid_argument);

    std::unique_lock lock(m);
    arrived.wait_for(lock, 10s, [&] { return got.size() >= 3; });
    using note = std::pair<std::string, std::string>;
    CHECK(got == std::vector<note>{{std::string(commit_channel), "first"},
                                   {"windash_test", "hello"},
                                   {std::string(commit_channel), "third"}});
}

TEST_CASE("metrics commits count accepted samples and duplicates per batch") {
    auto s = open_fresh();
    auto a = make_device(*s, "a@example.com");
    auto b = make_device(*s, "b@example.com");
    auto first = batch_of(a.id, base_time(), 30);
    CHECK(must(s->commit_metrics({&first, 1}))[0] == batch_outcome{30, 0});
    std::vector<device_batch> group{batch_of(a.id, base_time() + 40s, 30),  // 10 overlap
                                    batch_of(b.id, base_time(), 5),
                                    batch_of(b.id, base_time() + 8s, 2)};  // 1 repeat in group
    auto out = must(s->commit_metrics(group));
    REQUIRE(out.size() == 3);
    CHECK(out[0] == batch_outcome{20, 10});
    CHECK(out[1] == batch_outcome{5, 0});
    CHECK(out[2] == batch_outcome{1, 1});
    CHECK(must(s->commit_metrics(group))[0] == batch_outcome{0, 30});
    CHECK(must(s->commit_metrics({})).empty());

    std::vector<device_batch> bad{batch_of(0, base_time(), 1)};
    CHECK(s->commit_metrics(bad).error() == errc::invalid_argument);
    CHECK(must(s->find_device(a.user_id, a.id)).last_seen_at == base_time() + 98s);
}

TEST_CASE("the latest sample round-trips every field") {
    auto s = open_fresh();
    auto dev = make_device(*s);
    CHECK_FALSE(must(s->latest_sample(dev.id)).has_value());
    auto b = batch_of(dev.id, base_time(), 3);
    b.samples[2].mem.available.reset();
    b.samples[2].load.reset();
    b.samples[2].ts += 123us;
    b.samples[2].mem.total = ~std::uint64_t{0};
    must(s->commit_metrics({&b, 1}));
    auto latest = must(s->latest_sample(dev.id));
    REQUIRE(latest.has_value());
    CHECK(*latest == b.samples[2]);
}

TEST_CASE("group_committer merges concurrent callers and loses nothing") {
    auto s = open_fresh();
    auto dev = make_device(*s);
    // What a default group_committer runs as many workers as: on SQLite two, one committing on
    // its one writer while the other flushes the WAL; on PostgreSQL the pool.
    CHECK(s->commit_concurrency() ==
          (current_backend().name() == "sqlite" ? 2 : test_options().max_connections));
    std::atomic<std::uint64_t> accepted{0};
    {
        group_committer committer(*s, {1000, 2});
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&, t] {
                for (int k = 0; k < 10; ++k) {
                    auto start = base_time() + std::chrono::hours{t} + std::chrono::minutes{k};
                    auto r = committer.commit(batch_of(dev.id, start, 10));
                    if (r) accepted += r->accepted;
                }
            });
        }
        for (auto& t : threads) t.join();
        // A batch repeated through the committer is all duplicates.
        auto again = committer.commit(batch_of(dev.id, base_time(), 10));
        REQUIRE(again.has_value());
        CHECK(*again == batch_outcome{0, 10});
        auto st = committer.stats();
        CHECK(st.batches == 81);
        CHECK(st.samples == 810);
        CHECK(st.failures == 0);
        CHECK(st.commits >= 1);
        CHECK(st.commits <= st.batches);
    }
    CHECK(accepted == 800);
    auto h = must(s->query_history({dev.id, base_time(), base_time() + 8h, 100000}));
    CHECK(total_samples(h) == 800);
}

TEST_CASE("history over raw samples is downsampled into at most maxPoints buckets") {
    auto s = open_fresh();
    auto dev = make_device(*s);
    auto b = batch_of(dev.id, base_time() - 1h, 1800);
    must(s->commit_metrics({&b, 1}));
    auto h = must(s->query_history({dev.id, base_time() - 1h, base_time(), 600}));
    CHECK(h.source == tier::raw);
    CHECK(h.bucket_width == 6s);
    REQUIRE(h.bucket_start.size() == 600);
    CHECK(h.bucket_start[0] == base_time() - 1h);
    CHECK(h.sample_count[0] == 3);
    CHECK(h.cpu_total.min[0] == 0);
    CHECK(h.cpu_total.avg[0] == 1);
    CHECK(h.cpu_total.max[0] == 2);
    REQUIRE(h.per_core.size() == 16);
    CHECK(h.per_core[15].avg[0] == 16);
    REQUIRE(h.disks.size() == 3);
    CHECK(h.disks[0].name == "C:\\");
    CHECK(h.disks[0].used.max[1] == 105);
    CHECK(h.mem_total.max[0] == 16'000'000'000.0);
    CHECK(h.net_tx.min[0] == 1'048'576.0);

    auto sum = must(s->summarize(dev.id, base_time() - 1h, base_time()));
    REQUIRE(sum.bucket_start.size() == 1);
    CHECK(sum.sample_count[0] == 1800);
    CHECK(sum.cpu_total.min[0] == 0);
    CHECK(sum.cpu_total.max[0] == 99);
    CHECK(sum.cpu_total.avg[0] == doctest::Approx(49.5));
    CHECK(must(s->query_history({dev.id, base_time(), base_time() + 1h, 10})).bucket_start.empty());
    CHECK(s->query_history({dev.id, base_time(), base_time(), 0}).error() ==
          errc::invalid_argument);
}

TEST_CASE("rollups are built incrementally and late samples land in their bucket") {
    auto s = open_fresh();
    auto dev = make_device(*s);
    // Three hours at one sample every 10 s, committed out of order.
    auto late = batch_of(dev.id, base_time() - 3h, 360, 10s);
    auto early = batch_of(dev.id, base_time() - 2h, 720, 10s, 360);
    must(s->commit_metrics({&early, 1}));
    CHECK(must(s->build_rollups(10000)) == 120);
    CHECK(must(s->build_rollups(10000)) == 0);
    must(s->commit_metrics({&late, 1}));
    CHECK(must(s->build_rollups(25)) == 25);
    CHECK(must(s->build_rollups(10000)) == 35);

    auto day = must(s->query_history({dev.id, base_time() - 20h, base_time(), 600}));
    CHECK(day.source == tier::minute);
    CHECK(day.bucket_width == 2min);
    CHECK(total_samples(day) == 1080);
    CHECK(day.cpu_total.min.front() == 0);
    CHECK(day.per_core.size() == 16);
    CHECK(day.disks.size() == 3);

    auto week = must(s->query_history({dev.id, base_time() - 600h, base_time(), 600}));
    CHECK(week.source == tier::hour);
    CHECK(total_samples(week) == 1080);
    REQUIRE(week.bucket_start.size() == 3);
    CHECK(week.sample_count[0] == 360);
    CHECK(week.cpu_total.max[0] == 99);

    // A late sample into a built minute is folded in by the next build.
    auto one = batch_of(dev.id, base_time() - 3h + 5s, 1);
    CHECK(must(s->commit_metrics({&one, 1}))[0].accepted == 1);
    CHECK(must(s->build_rollups(100)) == 1);
    week = must(s->query_history({dev.id, base_time() - 600h, base_time(), 600}));
    CHECK(week.sample_count[0] == 361);
}

TEST_CASE("rollups built while commits land into the same minutes miss no sample") {
    auto s = open_fresh();
    auto dev = make_device(*s);
    // Ten minutes, one sample a second, committed in shuffled order while rollups are built:
    // a rollup computed before a commit into its minute must not be the one that stays.
    std::vector<int> seconds(600);
    for (int i = 0; i < 600; ++i) seconds[i] = i;
    std::shuffle(seconds.begin(), seconds.end(), std::mt19937(7));
    const auto start = base_time() - 2h;
    std::atomic<bool> done{false};
    std::thread writer([&] {
        for (int i = 0; i < 600; ++i) {
            auto b = batch_of(dev.id, start + std::chrono::seconds{seconds[i]}, 1);
            must(s->commit_metrics({&b, 1}));
        }
        done = true;
    });
    int passes = 0;
    while (!done && passes < 100000) {
        must(s->build_rollups(4));
        ++passes;
    }
    writer.join();
    for (int i = 0; i < 1000 && must(s->build_rollups(100)) > 0; ++i) {
    }
    MESSAGE(passes << " rollup passes ran beside the commits");
    auto day = must(s->query_history({dev.id, base_time() - 20h, base_time(), 600}));
    REQUIRE(day.source == tier::minute);
    CHECK(total_samples(day) == 600);
    for (std::size_t i = 0; i < day.bucket_start.size(); ++i) {
        if (day.sample_count[i] != 0) CHECK(day.sample_count[i] == 120);  // 2-minute buckets
    }
    auto week = must(s->query_history({dev.id, base_time() - 600h, base_time(), 600}));
    REQUIRE(week.source == tier::hour);
    CHECK(total_samples(week) == 600);
}

TEST_CASE("expire removes rows past each tier's age and keeps the rest") {
    auto s = open_fresh();
    auto dev = make_device(*s);
    auto old = batch_of(dev.id, base_time() - 10 * 24h, 30, 10s);
    auto fresh = batch_of(dev.id, base_time() - 1h, 30, 10s);
    must(s->commit_metrics({&old, 1}));
    must(s->commit_metrics({&fresh, 1}));
    must(s->build_rollups(1000));
    auto u = must(s->find_user_by_email("a@example.com"));
    must(s->create_session(hash_secret("gone"), u.id, base_time() - 2h, base_time() - 1h));
    // Five days on, the old samples are past the 14-day raw age; the device code and the
    // session are past theirs.
    auto later = base_time() + 5 * 24h;
    CHECK(must(s->expire(later, 10)) == 10 + 1 + 1);
    CHECK(must(s->expire(later, 1000)) == 20);
    CHECK(must(s->expire(later, 1000)) == 0);
    auto span = must(s->query_history({dev.id, base_time() - 11 * 24h, base_time(), 600}));
    CHECK(span.source == tier::minute);
    CHECK(total_samples(span) == 60);  // the old minutes' rollups remain
    auto recent = must(s->query_history({dev.id, base_time() - 2h, base_time(), 100000}));
    CHECK(recent.source == tier::raw);
    CHECK(total_samples(recent) == 30);
    auto gone = must(s->query_history(
        {dev.id, base_time() - 10 * 24h - 1h, base_time() - 10 * 24h + 1h, 100000}));
    CHECK(gone.source == tier::raw);
    CHECK(gone.bucket_start.empty());
}

TEST_CASE("a restart of the database server between two commits is survived" *
          doctest::skip(!backend_has_server())) {
    auto s = open_fresh();
    auto dev = make_device(*s);
    auto first = batch_of(dev.id, base_time(), 10);
    must(s->commit_metrics({&first, 1}));
    REQUIRE(current_backend().restart_server());
    auto second = batch_of(dev.id, base_time() + 1min, 10);
    // Pooled connections died with the server: the pool notices and reconnects.
    auto out = s->commit_metrics({&second, 1});
    REQUIRE_MESSAGE(out.has_value(), out.error().message());
    CHECK((*out)[0] == batch_outcome{10, 0});
    CHECK(must(s->find_device(dev.user_id, dev.id)).id == dev.id);
}

constexpr std::size_t crash_batch = 50;

timestamp crash_batch_start(std::int64_t seq) { return base_time() + std::chrono::minutes{seq}; }

// The child: commit numbered batches forever, reporting each seq only after commit returned.
[[noreturn]] void commit_until_killed(const std::string& url, row_id dev, int report_fd) {
    auto s = current_backend().open(url, test_options());
    if (!s) ::_exit(2);
    for (std::int64_t seq = 0;; ++seq) {
        auto b = batch_of(dev, crash_batch_start(seq), crash_batch, 1s);
        auto r = (*s)->commit_metrics({&b, 1});
        if (!r || (*r)[0].accepted != crash_batch) ::_exit(3);
        if (::write(report_fd, &seq, sizeof seq) != sizeof seq) ::_exit(4);
    }
}

std::vector<std::int64_t> read_reports(int fd) {
    std::vector<std::int64_t> seqs;
    std::int64_t seq;
    while (::read(fd, &seq, sizeof seq) == sizeof seq) seqs.push_back(seq);
    return seqs;
}

TEST_CASE("every batch reported committed survives SIGKILL, exactly once") {
    const char* env = std::getenv("WINDASH_TEST_SEED");
    unsigned seed = env ? static_cast<unsigned>(std::atoll(env)) : std::random_device{}();
    INFO("WINDASH_TEST_SEED=", seed);
    std::mt19937 rng(seed);
    auto url = current_backend().fresh_url();
    row_id dev = 0;
    {
        auto s = must(current_backend().open(url, test_options()));
        dev = make_device(*s).id;
    }
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(fds[0]);
        commit_until_killed(url, dev, fds[1]);
    }
    ::close(fds[1]);
    // Let it report a random number of commits, then kill it wherever it is.
    std::size_t wanted = std::uniform_int_distribution<std::size_t>(1, 40)(rng);
    std::vector<std::int64_t> reported;
    std::int64_t seq = 0;
    while (reported.size() < wanted && ::read(fds[0], &seq, sizeof seq) == sizeof seq) {
        reported.push_back(seq);
    }
    std::this_thread::sleep_for(
        std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20000)(rng)));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));
    for (auto late : read_reports(fds[0])) reported.push_back(late);
    ::close(fds[0]);

    REQUIRE(!reported.empty());
    auto s = must(current_backend().open(url, test_options()));
    auto all = must(s->query_history({dev, base_time(), base_time() + 24h, 1000000}));
    auto stored = total_samples(all);
    // Everything reported is there; at most the one batch in flight is there unreported.
    CHECK(stored >= reported.size() * crash_batch);
    CHECK(stored <= (reported.size() + 1) * crash_batch);
    for (std::size_t i = 0; i < reported.size(); ++i) {
        REQUIRE(reported[i] == static_cast<std::int64_t>(i));
        auto from = crash_batch_start(reported[i]);
        auto h = must(s->query_history({dev, from, from + 1min, 1000000}));
        CHECK(total_samples(h) == crash_batch);
    }
}

}  // namespace
}  // namespace windash::store::testing
