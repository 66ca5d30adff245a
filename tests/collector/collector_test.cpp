#include <windash/collector/collector.hpp>

#include <doctest/doctest.h>

#include <chrono>
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

TEST_CASE("process_count_every: /proc is listed again only when the count is that old") {
    const fs::path dir = fs::temp_directory_path() /
                         ("windash-collector-" + std::to_string(::getpid()) + "-proc-count");
    fs::remove_all(dir);
    fs::copy(fs::path(WINDASH_COLLECTOR_FIXTURES) / "counter-reset" / "t0", dir,
             fs::copy_options::recursive);
    std::chrono::steady_clock::time_point now{};
    const auto collector_every = [&](std::chrono::milliseconds every) {
        wc::options o;
        o.host_id = "h";
        o.proc_root = (dir / "proc").string();
        o.sys_root = (dir / "sys").string();
        o.monotonic_clock = [&now] { return now; };
        o.disk_space = [](const std::string&) { return std::nullopt; };
        o.process_count_every = every;
        return wc::collector(std::move(o));
    };
    const auto procs = [](wc::collector& c) {
        auto s = c.collect();
        REQUIRE_MESSAGE(s.has_value(), s.error().message());
        return s->proc_count;
    };
    auto every_call = collector_every(0ms);
    auto every_10s = collector_every(10s);
    const auto tasks = [&](const char* census) {  // as the kernel updates it with /proc
        std::ofstream(dir / "proc" / "loadavg", std::ios::in | std::ios::out) << census;
    };
    CHECK(procs(every_call) == 1);  // the fixture's /proc/1
    CHECK(procs(every_10s) == 1);

    fs::create_directory(dir / "proc" / "4242");
    fs::create_directory(dir / "proc" / "4343");
    fs::create_directory(dir / "proc" / "sys4");  // not a process
    tasks("0.00 0.00 0.00 1/12 4343\n");
    now += 2s;
    CHECK(procs(every_call) == 3);
    CHECK(procs(every_10s) == 1);  // 2 s old: reused
    now += 7999ms;
    CHECK(procs(every_10s) == 1);
    now += 1ms;
    CHECK(procs(every_10s) == 3);  // 10 s old: listed again
    fs::remove(dir / "proc" / "4242");
    tasks("0.00 0.00 0.00 1/11 4343\n");
    now -= 1h;  // a clock that goes back does not freeze the count
    CHECK(procs(every_10s) == 2);
    fs::remove_all(dir);
}

TEST_CASE("process_count_every: a count is reused while /proc/loadavg shows the same tasks") {
    const fs::path dir =
        fs::temp_directory_path() / ("windash-collector-" + std::to_string(::getpid()) + "-census");
    fs::remove_all(dir);
    fs::copy(fs::path(WINDASH_COLLECTOR_FIXTURES) / "counter-reset" / "t0", dir,
             fs::copy_options::recursive);
    std::chrono::steady_clock::time_point now{};
    wc::options o;
    o.host_id = "h";
    o.proc_root = (dir / "proc").string();
    o.sys_root = (dir / "sys").string();
    o.monotonic_clock = [&now] { return now; };
    o.disk_space = [](const std::string&) { return std::nullopt; };
    o.process_count_every = 10s;
    wc::collector c(std::move(o));
    const auto procs = [&c] {
        auto s = c.collect();
        REQUIRE_MESSAGE(s.has_value(), s.error().message());
        return s->proc_count;
    };
    const auto tasks = [&](const char* census) {
        std::ofstream(dir / "proc" / "loadavg", std::ios::in | std::ios::out) << census;
    };
    CHECK(procs() == 1);  // fixture: "1/10 5"

    // A process appears while the census stays the same, which a real /proc cannot show: the
    // old count is reused past 10 s, up to a minute, so the listing was skipped.
    fs::create_directory(dir / "proc" / "4242");
    now += 30s;
    CHECK(procs() == 1);
    now += 29s;
    CHECK(procs() == 1);
    now += 1s;
    CHECK(procs() == 2);  // a minute old: listed again whatever the census says

    // A task created (a new last PID) or ended (a lower total): listed again after 10 s.
    fs::create_directory(dir / "proc" / "4343");
    tasks("0.00 0.00 0.00 1/10 6\n");
    now += 9s;
    CHECK(procs() == 2);
    now += 1s;
    CHECK(procs() == 3);
    fs::remove(dir / "proc" / "4343");
    tasks("0.00 0.00 0.00 1/09 6\n");
    now += 10s;
    CHECK(procs() == 2);

    // No census (a /proc/loadavg without its fourth and fifth fields): every 10 s, as before.
    fs::create_directory(dir / "proc" / "4444");
    tasks("0.00 0.00 0.00       \n");
    now += 10s;
    CHECK(procs() == 3);
    fs::create_directory(dir / "proc" / "4545");
    now += 10s;
    CHECK(procs() == 4);
    fs::remove_all(dir);
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
