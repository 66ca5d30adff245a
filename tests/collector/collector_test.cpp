#include <windash/collector/collector.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;
namespace wc = windash::collector;
using namespace std::chrono_literals;

namespace {

using space_table = std::map<std::string, wc::filesystem_space>;

// Runs a collector over fixtures/<name>/t0 then t1, 2 s apart on a fake monotonic clock, by
// copying each snapshot over a scratch tree in place (the collector keeps files open, as it
// does with /proc, so the files must stay the same inodes).
class fixture_run {
  public:
    explicit fixture_run(const std::string& name, space_table spaces = {})
        : source_(fs::path(WINDASH_COLLECTOR_FIXTURES) / name),
          dir_(fs::temp_directory_path() /
               ("windash-collector-" + std::to_string(::getpid()) + "-" + name)),
          collector_(make_options(std::move(spaces))) {}
    ~fixture_run() {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    windash::sample at(const std::string& snapshot) {
        fs::copy(source_ / snapshot, dir_ / "root",
                 fs::copy_options::recursive | fs::copy_options::overwrite_existing);
        auto s = collector_.collect();
        REQUIRE_MESSAGE(s.has_value(), s.error().message());
        now_ += 2s;
        return *s;
    }

  private:
    wc::options make_options(space_table spaces) {
        fs::create_directories(dir_ / "root");
        wc::options o;
        o.host_id = "fixture-host";
        o.proc_root = (dir_ / "root" / "proc").string();
        o.sys_root = (dir_ / "root" / "sys").string();
        o.monotonic_clock = [this] { return now_; };
        o.wall_clock = [] { return windash::timestamp(1762190573s); };
        o.disk_space = [spaces = std::move(spaces)](const std::string& mount_point) {
            auto it = spaces.find(mount_point);
            return it == spaces.end() ? std::nullopt : std::optional(it->second);
        };
        return o;
    }

    fs::path source_;
    fs::path dir_;
    std::chrono::steady_clock::time_point now_{};
    wc::collector collector_;
};

}  // namespace

TEST_CASE("this machine, captured: two snapshots 2 s apart") {
    fixture_run run("this-machine", {{"/", {100'000, 40'000}}});
    auto first = run.at("t0");
    // Priming: CPU since boot, no network rate yet.
    CHECK(first.cpu.total ==
          (6350 + 3610 + 81 + 16) * 100.0 / (6350 + 3610 + 81 + 16 + 320557 + 732));
    CHECK(first.net == windash::network_rates{0, 0});

    auto s = run.at("t1");
    CHECK(s.host_id == "fixture-host");
    CHECK(s.ts == windash::timestamp(1762190573s));
    CHECK(s.cpu.total == 200.0 / 401);
    CHECK(s.cpu.per_core == std::vector<double>{100.0 / 201, 100.0 / 201});
    CHECK(s.cpu.freq_mhz.empty());  // a VM without cpufreq
    CHECK(s.mem.total == 24684084ULL * 1024);
    CHECK(s.mem.used == (24684084ULL - 24191500ULL) * 1024);
    CHECK(s.mem.available == 24191500ULL * 1024);
    CHECK(s.mem.swap_total == 0);
    CHECK(s.disks == std::vector<windash::disk_usage>{{"/", 60'000, 100'000}});
    CHECK(s.net == windash::network_rates{0, 0});  // eth0 idle between the captures
    CHECK(s.uptime_sec == 1662);
    CHECK(s.proc_count == 3);
    CHECK(s.load == windash::load_average{0.20, 0.10, 0.05});
    CHECK(s.temps.empty());
}

TEST_CASE("64-core host: per-core usage, frequencies, sensors, disks") {
    fixture_run run("host64", {{"/", {1'000'000'000'000, 400'000'000'000}},
                               {"/boot/efi", {536'870'912, 500'000'000}},
                               {"/data", {8'000'000'000'000, 2'000'000'000'000}},
                               {"/mnt/my disk", {1'000'000'000'000, 1'000'000'000'000}}});
    run.at("t0");
    auto s = run.at("t1");
    REQUIRE(s.cpu.per_core.size() == 64);
    REQUIRE(s.cpu.freq_mhz.size() == 64);
    for (std::size_t i = 0; i < 64; ++i) {
        CAPTURE(i);
        CHECK(s.cpu.per_core[i] == static_cast<double>(i));
        CHECK(s.cpu.freq_mhz[i] == 2000.5 + static_cast<double>(i));
    }
    CHECK(s.cpu.total == 31.5);
    CHECK(s.mem.total == 256ULL << 30);
    CHECK(s.mem.used == 64ULL << 30);
    CHECK(s.mem.swap_total == 8ULL << 30);
    CHECK(s.mem.swap_used == 2ULL << 30);
    CHECK(s.disks ==
          std::vector<windash::disk_usage>{{"/", 600'000'000'000, 1'000'000'000'000},
                                           {"/boot/efi", 36'870'912, 536'870'912},
                                           {"/data", 6'000'000'000'000, 8'000'000'000'000},
                                           {"/mnt/my disk", 0, 1'000'000'000'000}});
    CHECK(s.net == windash::network_rates{500'000, 1'250'000});
    CHECK(s.uptime_sec == 123456);
    CHECK(s.proc_count == 4);
    CHECK(s.load == windash::load_average{12.5, 10.25, 8.0});
    CHECK(s.temps == std::vector<windash::temperature>{{"coretemp Package id 0", 45.0},
                                                       {"coretemp Core 0", 43.5},
                                                       {"nvme temp1", 39.85}});
}

TEST_CASE("container: overlay root and cgroup mounts left out, thermal zone fallback") {
    fixture_run run("container", {{"/etc/hosts", {500, 100}}, {"/data", {1000, 250}}});
    run.at("t0");
    auto s = run.at("t1");
    CHECK(s.cpu.per_core == std::vector<double>{50, 50, 50, 50});
    CHECK(s.cpu.total == 50);
    CHECK(s.disks ==
          std::vector<windash::disk_usage>{{"/etc/hosts", 400, 500}, {"/data", 750, 1000}});
    CHECK(s.net == windash::network_rates{1000, 3000});
    CHECK(s.mem.used == 8ULL << 30);
    CHECK(s.uptime_sec == 3600);
    CHECK(s.proc_count == 2);
    CHECK(s.temps == std::vector<windash::temperature>{{"cpu-thermal", 50.0}});
    CHECK(s.cpu.freq_mhz.empty());
}

TEST_CASE("an interface that disappears, another that appears") {
    fixture_run run("interface-gone", {{"/", {10'000, 1'000}}});
    run.at("t0");
    auto s = run.at("t1");
    CHECK(s.net == windash::network_rates{1500, 2500});
    CHECK(s.cpu.per_core == std::vector<double>{25, 25});
    // One btrfs device mounted twice (subvolumes): one disk.
    CHECK(s.disks == std::vector<windash::disk_usage>{{"/", 9'000, 10'000}});
    // No MemAvailable: free + buffers + cached.
    CHECK(s.mem.available == (1048576ULL + 1024 + 4096) * 1024);
    CHECK(s.mem.used == (8388608ULL - 1048576 - 1024 - 4096) * 1024);
}

TEST_CASE("counters that go backwards never give negative or absurd figures") {
    fixture_run run("counter-reset");
    run.at("t0");
    auto s = run.at("t1");
    CHECK(s.net == windash::network_rates{2000, 4000});
    CHECK(s.cpu.per_core == std::vector<double>{50, 0, 25});
    CHECK(s.cpu.total == 0);
    CHECK(s.disks.empty());  // disk_space knows no mount point: left out
    CHECK(s.mem.swap_used == 0);
}

TEST_CASE("a missing required source is an error value, and the next call recovers") {
    fixture_run run("counter-reset");
    wc::options o;
    o.host_id = "h";
    o.proc_root = "/nonexistent/windash/proc";
    wc::collector broken(o);
    auto s = broken.collect();
    REQUIRE_FALSE(s.has_value());
    CHECK(s.error() == wc::errc::source_unreadable);
    CHECK(s.error() == wc::condition::unavailable);
}

namespace {

// A scratch copy of the counter-reset fixture's /proc, to which a test adds and removes
// processes, with a fake monotonic clock for the collectors it makes over it.
class process_table {
  public:
    explicit process_table(const std::string& name)
        : dir_(fs::temp_directory_path() /
               ("windash-collector-" + std::to_string(::getpid()) + "-" + name)) {
        fs::remove_all(dir_);
        fs::copy(fs::path(WINDASH_COLLECTOR_FIXTURES) / "counter-reset" / "t0", dir_,
                 fs::copy_options::recursive);
    }
    ~process_table() {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }

    // The collector must not outlive this table.
    wc::collector collector(std::chrono::milliseconds process_count_every) {
        wc::options o;
        o.host_id = "h";
        o.proc_root = (dir_ / "proc").string();
        o.sys_root = (dir_ / "sys").string();
        o.monotonic_clock = [this] { return now; };
        o.disk_space = [](const std::string&) { return std::nullopt; };
        o.process_count_every = process_count_every;
        return wc::collector(std::move(o));
    }
    void add(int pid) { fs::create_directory(dir_ / "proc" / std::to_string(pid)); }
    void add_other(const char* entry) { fs::create_directory(dir_ / "proc" / entry); }
    void remove(int pid) { fs::remove(dir_ / "proc" / std::to_string(pid)); }
    // Rewrites /proc/loadavg in place, as the kernel updates it with /proc.
    void census(const char* loadavg) {
        std::ofstream(dir_ / "proc" / "loadavg", std::ios::in | std::ios::out) << loadavg;
    }

    std::chrono::steady_clock::time_point now{};

  private:
    fs::path dir_;
};

std::uint64_t process_count(wc::collector& c) {
    auto s = c.collect();
    REQUIRE_MESSAGE(s.has_value(), s.error().message());
    return s->proc_count;
}

}  // namespace

TEST_CASE("process_count_every: /proc is listed again only when the count is that old") {
    process_table table("proc-count");
    auto every_call = table.collector(0ms);
    auto every_10s = table.collector(10s);
    CHECK(process_count(every_call) == 1);  // the fixture's /proc/1
    CHECK(process_count(every_10s) == 1);

    table.add(4242);
    table.add(4343);
    table.add_other("sys4");  // not a process
    table.census("0.00 0.00 0.00 1/12 4343\n");
    table.now += 2s;
    CHECK(process_count(every_call) == 3);
    CHECK(process_count(every_10s) == 1);  // 2 s old: reused
    table.now += 7999ms;
    CHECK(process_count(every_10s) == 1);
    table.now += 1ms;
    CHECK(process_count(every_10s) == 3);  // 10 s old: listed again
    table.remove(4242);
    table.census("0.00 0.00 0.00 1/11 4343\n");
    table.now -= 1h;  // a clock that goes back does not freeze the count
    CHECK(process_count(every_10s) == 2);
}

TEST_CASE("process_count_every: a count is reused while /proc/loadavg shows the same tasks") {
    process_table table("census");
    auto c = table.collector(10s);
    CHECK(process_count(c) == 1);  // fixture: "1/10 5"

    // A process appears while the census stays the same, which a real /proc cannot show: the
    // old count is reused past 10 s, up to a minute, so the listing was skipped.
    table.add(4242);
    table.now += 30s;
    CHECK(process_count(c) == 1);
    table.now += 29s;
    CHECK(process_count(c) == 1);
    table.now += 1s;
    CHECK(process_count(c) == 2);  // a minute old: listed again whatever the census says

    // A task created (a new last PID) or ended (a lower total): listed again after 10 s.
    table.add(4343);
    table.census("0.00 0.00 0.00 1/10 6\n");
    table.now += 9s;
    CHECK(process_count(c) == 2);
    table.now += 1s;
    CHECK(process_count(c) == 3);
    table.remove(4343);
    table.census("0.00 0.00 0.00 1/09 6\n");
    table.now += 10s;
    CHECK(process_count(c) == 2);

    // No census (a /proc/loadavg without its fourth and fifth fields): every 10 s, as before.
    table.add(4444);
    table.census("0.00 0.00 0.00       \n");
    table.now += 10s;
    CHECK(process_count(c) == 3);
    table.add(4545);
    table.now += 10s;
    CHECK(process_count(c) == 4);
}

TEST_CASE("the constructor refuses an invalid host id") {
    wc::options o;
    CHECK_THROWS_AS(wc::collector{o}, std::invalid_argument);
    o.host_id = "has space";
    CHECK_THROWS_AS(wc::collector{o}, std::invalid_argument);
    o.host_id = std::string(65, 'a');
    CHECK_THROWS_AS(wc::collector{o}, std::invalid_argument);
}

TEST_CASE("sanitize_host_id makes any machine name a valid hostId") {
    CHECK(wc::sanitize_host_id("web-01.prod_eu") == "web-01.prod_eu");
    CHECK(wc::sanitize_host_id("DESKTOP 7 é") == "DESKTOP-7---");
    CHECK(wc::sanitize_host_id("") == "localhost");
    CHECK(wc::sanitize_host_id(std::string(80, 'x')) == std::string(64, 'x'));
    CHECK(windash::is_valid_host_id(wc::default_host_id()));
}

TEST_CASE("live machine: the sample is sane") {
    wc::options o;
    o.host_id = wc::default_host_id();
    wc::collector c(o);
    REQUIRE(c.collect().has_value());
    auto s = c.collect();
    REQUIRE_MESSAGE(s.has_value(), s.error().message());
    CHECK(s->cpu.per_core.size() == static_cast<std::size_t>(::sysconf(_SC_NPROCESSORS_ONLN)));
    CHECK(s->cpu.total >= 0);
    CHECK(s->cpu.total <= 100);
    for (double p : s->cpu.per_core) CHECK((p >= 0 && p <= 100));
    CHECK(s->mem.total > 0);
    CHECK(s->mem.used <= s->mem.total);
    CHECK(s->uptime_sec > 0);
    CHECK(s->proc_count > 0);
    CHECK(s->load.has_value());
    CHECK(!s->disks.empty());
    for (const auto& d : s->disks) {
        CAPTURE(d.name);
        CHECK(d.used <= d.total);
        CHECK(!d.name.empty());
    }
}
