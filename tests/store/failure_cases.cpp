// Failures surface as errors, and nothing is reported committed unless it is: a constraint that
// rejects one sample of a group, a database server that is down, a damaged SQLite file, a full
// disk. Run against the backend of this binary (see backend.hpp).
#include "store/fixture.hpp"
#include <windash/store/group_committer.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace windash::store::testing {
namespace {

using namespace std::chrono_literals;

// A constraint an operator might add, rejecting one CPU value.
constexpr double rejected_cpu = 61.25;

void reject_cpu(const std::string& url) {
    if (current_backend().name() == "sqlite") {
        current_backend().exec_sql(url,
                                   "CREATE TRIGGER reject_cpu BEFORE INSERT ON metrics WHEN "
                                   "NEW.cpu_total = 61.25 BEGIN SELECT RAISE(ABORT, 'cpu_total "
                                   "rejected by test'); END");
    } else {
        current_backend().exec_sql(
            url, "ALTER TABLE metrics ADD CONSTRAINT reject_cpu CHECK (cpu_total <> 61.25)");
    }
}

void accept_cpu(const std::string& url) {
    current_backend().exec_sql(url, current_backend().name() == "sqlite"
                                        ? "DROP TRIGGER reject_cpu"
                                        : "ALTER TABLE metrics DROP CONSTRAINT reject_cpu");
}

std::uint64_t stored(store& s, row_id dev) {
    return total_samples(must(s.query_history({dev, base_time() - 1h, base_time() + 24h, 100000})));
}

TEST_CASE("a sample the database rejects fails its whole group, and nothing of it is stored") {
    auto url = current_backend().fresh_url();
    auto s = must(current_backend().open(url, test_options()));
    auto a = make_device(*s, "a@example.com");
    auto b = make_device(*s, "b@example.com");
    auto good = batch_of(a.id, base_time(), 20);
    auto bad = batch_of(b.id, base_time(), 20);
    bad.samples[13].cpu.total = rejected_cpu;  // in the middle of the group
    const device_batch group[] = {good, bad};
    reject_cpu(url);

    auto failed = s->commit_metrics(group);
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error() == errc::invalid_argument);
    CHECK(stored(*s, a.id) == 0);
    CHECK(stored(*s, b.id) == 0);
    CHECK_FALSE(must(s->latest_sample(a.id)).has_value());

    // Through the group committer every caller of the failed group gets the error.
    group_committer committer(*s);
    auto via_committer = committer.commit(bad);
    REQUIRE_FALSE(via_committer.has_value());
    CHECK(via_committer.error() == errc::invalid_argument);
    CHECK(committer.stats().failures == 1);
    CHECK(committer.stats().samples == 0);

    // The connections stay usable: once the constraint is gone the same group commits in full.
    accept_cpu(url);
    auto out = must(s->commit_metrics(group));
    CHECK(out[0] == batch_outcome{20, 0});
    CHECK(out[1] == batch_outcome{20, 0});
    CHECK(stored(*s, a.id) == 20);
    CHECK(stored(*s, b.id) == 20);
}

TEST_CASE("a group marks every minute it touches, past one pipeline chunk, all or nothing") {
    auto url = current_backend().fresh_url();
    auto s = must(current_backend().open(url, test_options()));
    auto dev = make_device(*s);
    // 2,500 samples a minute apart: 2,500 rollup marks, more than one pipelined chunk (1,000)
    // on PostgreSQL. The 1,700th minute's mark is refused by a constraint.
    constexpr std::size_t minutes = 2500;
    const auto start = base_time() - std::chrono::minutes{minutes};
    auto b = batch_of(dev.id, start, minutes, 60s);
    const auto refused_bucket = std::chrono::duration_cast<std::chrono::microseconds>(
                                    (start + std::chrono::minutes{1700}).time_since_epoch())
                                    .count();
    const bool sqlite = current_backend().name() == "sqlite";
    const std::string bucket = std::to_string(refused_bucket);
    current_backend().exec_sql(
        url, sqlite ? "CREATE TRIGGER reject_mark BEFORE INSERT ON rollup_pending WHEN NEW.bucket "
                      "= " +
                          bucket + " BEGIN SELECT RAISE(ABORT, 'mark rejected by test'); END"
                    : "ALTER TABLE rollup_pending ADD CONSTRAINT reject_mark CHECK (bucket <> " +
                          bucket + ")");
    auto failed = s->commit_metrics({&b, 1});
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error() == errc::invalid_argument);
    const auto stored_since_start = [&] {
        return total_samples(
            must(s->query_history({dev.id, start - 1h, base_time() + 1h, 100000})));
    };
    CHECK(stored_since_start() == 0);

    // The connection that failed mid-pipeline is usable again; every minute gets its mark.
    current_backend().exec_sql(url, sqlite
                                        ? "DROP TRIGGER reject_mark"
                                        : "ALTER TABLE rollup_pending DROP CONSTRAINT reject_mark");
    auto out = must(s->commit_metrics({&b, 1}));
    CHECK(out[0] == batch_outcome{minutes, 0});
    CHECK(stored_since_start() == minutes);
    std::size_t built = 0;
    for (int pass = 0; pass < 10; ++pass) {
        auto n = must(s->build_rollups(1000));
        if (n == 0) break;
        built += n;
    }
    CHECK(built == minutes);
}

TEST_CASE("commits fail while the database server is down and succeed once it is back" *
          doctest::skip(!backend_has_server())) {
    auto s = open_fresh();
    auto dev = make_device(*s);
    auto first = batch_of(dev.id, base_time(), 10);
    must(s->commit_metrics({&first, 1}));
    REQUIRE(current_backend().stop_server());
    auto second = batch_of(dev.id, base_time() + 1min, 10);
    {
        // Started again on the way out, also when an assertion below fails.
        struct start_again {
            ~start_again() { current_backend().start_server(); }
        } guard;
        auto down = s->commit_metrics({&second, 1});
        REQUIRE_FALSE(down.has_value());
        CHECK(down.error() == errc::connection_lost);
        CHECK(down.error() == condition::retryable);
        CHECK_FALSE(s->ping().has_value());
    }
    // The retry stores the batch once: the failed attempt left nothing behind.
    auto out = must(s->commit_metrics({&second, 1}));
    CHECK(out[0] == batch_outcome{10, 0});
    CHECK(stored(*s, dev.id) == 20);
}

TEST_CASE("a damaged SQLite file is refused as corrupt" *
          doctest::skip(backend_name() != "sqlite")) {
    auto url = current_backend().fresh_url();
    {
        auto s = must(current_backend().open(url, test_options()));
        auto dev = make_device(*s);
        auto b = batch_of(dev.id, base_time(), 10);
        must(s->commit_metrics({&b, 1}));
    }
    {
        // Overwrite the header ("SQLite format 3", page size...) with garbage.
        std::fstream f(url, std::ios::in | std::ios::out | std::ios::binary);
        REQUIRE(f);
        const std::string garbage(100, '\x5a');
        f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    }
    auto reopened = current_backend().open(url, test_options());
    REQUIRE_FALSE(reopened.has_value());
    CHECK(reopened.error() == errc::corrupt);
    CHECK(reopened.error() == condition::fatal);
}

// Whether this process holds CAP_SYS_ADMIN, which mounting a tmpfs needs (root on the CI
// machines); read from /proc so the case can be skipped as it registers.
bool can_mount() {
    constexpr int cap_sys_admin = 21;
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("CapEff:")) {
            return (std::stoull(line.substr(7), nullptr, 16) >> cap_sys_admin) & 1;
        }
    }
    return false;
}

// A small tmpfs holds the database.
struct small_filesystem {
    std::filesystem::path dir;
    bool mounted = false;
    small_filesystem() {
        std::string pattern = (std::filesystem::temp_directory_path() / "windash-full-XXXXXX");
        if (!::mkdtemp(pattern.data())) return;
        dir = pattern;
        mounted =
            std::system(("mount -t tmpfs -o size=2m windash-full " + dir.string() + " 2>/dev/null")
                            .c_str()) == 0;
    }
    bool grow() { return std::system(("mount -o remount,size=64m " + dir.string()).c_str()) == 0; }
    ~small_filesystem() {
        if (mounted) (void)std::system(("umount " + dir.string()).c_str());
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

// SQLite only: a full disk would stop the PostgreSQL server, not fail one commit.
TEST_CASE("a full disk fails the commit as disk_full; what was acknowledged stays" *
          doctest::skip(backend_name() != "sqlite" || !can_mount())) {
    small_filesystem fs;
    REQUIRE_MESSAGE(fs.mounted, "mounting a tmpfs failed although CAP_SYS_ADMIN is held");
    auto url = (fs.dir / "full.sqlite").string();
    auto s = must(current_backend().open(url, test_options()));
    auto dev = make_device(*s);
    std::uint64_t acknowledged = 0;
    result<std::vector<batch_outcome>> r;
    // Batches 10 minutes apart (a day holds 144): 2 MiB fill up long before that.
    for (int i = 0; i < 144; ++i) {
        auto b = batch_of(dev.id, base_time() + std::chrono::minutes{10 * i}, 100);
        r = s->commit_metrics({&b, 1});
        if (!r) break;
        acknowledged += (*r)[0].accepted;
    }
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == errc::disk_full);
    CHECK(r.error() == condition::retryable);
    REQUIRE(acknowledged > 0);
    REQUIRE(fs.grow());
    // Space is back: the store keeps serving, holds exactly what it acknowledged, takes more.
    CHECK(stored(*s, dev.id) == acknowledged);
    auto b = batch_of(dev.id, base_time() - 1h, 100);
    CHECK(must(s->commit_metrics({&b, 1}))[0] == batch_outcome{100, 0});
}

}  // namespace
}  // namespace windash::store::testing
