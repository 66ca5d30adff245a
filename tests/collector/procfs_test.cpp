#include <windash/collector/procfs.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace wc = windash::collector;

namespace {

std::string fixture(const std::string& relative) {
    std::ifstream in(std::string(WINDASH_COLLECTOR_FIXTURES) + "/" + relative);
    REQUIRE(in);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("parse_proc_stat reads the total and per-core lines of a captured file") {
    auto stat = wc::parse_proc_stat(fixture("this-machine/t0/proc/stat"));
    REQUIRE(stat.has_value());
    CHECK(stat->all == wc::cpu_times{6350, 0, 3610, 320557, 732, 0, 81, 16});
    REQUIRE(stat->cores.size() == 2);
    CHECK(stat->cores[0].id == 0);
    CHECK(stat->cores[1].id == 1);
    CHECK(stat->cores[1].times == wc::cpu_times{3827, 0, 2215, 158806, 694, 0, 61, 9});
}

TEST_CASE("parse_proc_stat: table of inputs") {
    struct row {
        const char* text;
        bool ok;
        std::size_t cores;
    };
    const row rows[] = {
        {"cpu 1 2 3 4\n", true, 0},                                      // kernel 2.4: four columns
        {"cpu 1 2 3 4 5 6 7 8 9 10\ncpu3 1 2 3 4\n", true, 1},           // offline cores are absent
        {"cpu 1 2 3 4\ncpu0 1 2 3 4\nintr 5\ncpu9 1 2 3 4\n", true, 1},  // stops after cpu lines
        {"intr 1\ncpu 1 2 3 4", true, 0},                                // no final newline
        {"", false, 0},
        {"intr 1 2 3\n", false, 0},
        {"cpu 1 2 3\n", false, 0},                       // too few columns
        {"cpu 1 2 x 4\n", false, 0},                     // not a number
        {"cpu 1 2 3 4\ncpuX 1 2 3 4\n", false, 0},       // bad core number
        {"cpu 1 2 3 -4\n", false, 0},                    // negative
        {"cpu 99999999999999999999 2 3 4\n", false, 0},  // beyond 64 bits
    };
    for (const auto& r : rows) {
        CAPTURE(r.text);
        auto stat = wc::parse_proc_stat(r.text);
        CHECK(bool(stat) == r.ok);
        if (stat) CHECK(stat->cores.size() == r.cores);
        if (!stat) CHECK(stat.error() == wc::errc::bad_proc_stat);
    }
}

TEST_CASE("parse_meminfo computes used from MemAvailable, in bytes") {
    auto mem = wc::parse_meminfo(fixture("this-machine/t0/proc/meminfo"));
    REQUIRE(mem.has_value());
    CHECK(mem->total == 24684084ULL * 1024);
    CHECK(mem->available == 24176208ULL * 1024);
    CHECK(mem->used == (24684084ULL - 24176208ULL) * 1024);
    CHECK(mem->swap_total == 0);
    CHECK(mem->swap_used == 0);
}

TEST_CASE("parse_meminfo: table of inputs") {
    struct row {
        const char* text;
        std::uint64_t used;
        std::uint64_t total;
        std::optional<std::uint64_t> swap_used;
    };
    const row rows[] = {
        {"MemTotal: 100 kB\nMemAvailable: 40 kB\n", 60 * 1024, 100 * 1024, std::nullopt},
        // Kernels before 3.14: free + buffers + cached.
        {"MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 5 kB\nCached: 20 kB\n", 65 * 1024, 100 * 1024,
         std::nullopt},
        // Available above total (never seen, but must not underflow).
        {"MemTotal: 100 kB\nMemAvailable: 140 kB\n", 0, 100 * 1024, std::nullopt},
        {"MemTotal: 100 kB\nMemAvailable: 40 kB\nSwapTotal: 50 kB\nSwapFree: 20 kB\n", 60 * 1024,
         100 * 1024, 30 * 1024},
        {"MemTotal: 100 kB\nMemAvailable: 40 kB\nSwapTotal: 50 kB\nSwapFree: 70 kB\n", 60 * 1024,
         100 * 1024, 0},
    };
    for (const auto& r : rows) {
        CAPTURE(r.text);
        auto mem = wc::parse_meminfo(r.text);
        REQUIRE(mem.has_value());
        CHECK(mem->used == r.used);
        CHECK(mem->total == r.total);
        CHECK(mem->swap_used == r.swap_used);
    }
    CHECK(wc::parse_meminfo("MemFree: 1 kB\n").error() == wc::errc::bad_meminfo);
    CHECK(wc::parse_meminfo("").error() == wc::errc::bad_meminfo);
}

TEST_CASE("parse_net_dev reads bytes of every interface") {
    auto net = wc::parse_net_dev(fixture("this-machine/t0/proc/net/dev"));
    REQUIRE(net.has_value());
    REQUIRE(net->size() == 4);
    CHECK((*net)[0] == wc::interface_counters{"lo", 3507, 3507});
    CHECK((*net)[3] == wc::interface_counters{"eth0", 258350521, 169645});

    const char* header = "h1\nh2\n";
    CHECK(wc::parse_net_dev(header)->empty());
    CHECK(wc::parse_net_dev(std::string(header) + "eth0: 1 2 3\n").error() ==
          wc::errc::bad_net_dev);
    CHECK(wc::parse_net_dev(std::string(header) + "eth0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16")
              .error() == wc::errc::bad_net_dev);
    // Long names touch the colon: `enp0s31f6:123`.
    auto tight = wc::parse_net_dev(std::string(header) +
                                   "enp0s31f6:123 0 0 0 0 0 0 0 456 0 0 0 0 0 0 0\n\n");
    REQUIRE(tight.has_value());
    CHECK(tight->at(0) == wc::interface_counters{"enp0s31f6", 123, 456});
}

TEST_CASE("parse_mounts decodes octal escapes and skips short lines") {
    auto mounts = wc::parse_mounts(
        "/dev/sdb1 /mnt/my\\040disk ext4 rw 0 0\nbroken line\n/dev/x /a\\134b xfs rw 0 0");
    REQUIRE(mounts.size() == 2);
    CHECK(mounts[0] == wc::mount_entry{"/dev/sdb1", "/mnt/my disk", "ext4"});
    CHECK(mounts[1].mount_point == "/a\\b");
}

TEST_CASE("is_ignored_filesystem: table") {
    for (const char* type : {"proc", "sysfs", "cgroup", "cgroup2", "devtmpfs", "tmpfs", "overlay",
                             "squashfs", "nfs4", "fuse.lxcfs", "devpts", "mqueue"}) {
        CAPTURE(type);
        CHECK(wc::is_ignored_filesystem(type));
    }
    for (const char* type : {"ext4", "xfs", "btrfs", "vfat", "zfs", "f2fs", "fuseblk", "ntfs3"}) {
        CAPTURE(type);
        CHECK_FALSE(wc::is_ignored_filesystem(type));
    }
}

TEST_CASE("select_disks keeps one entry per real device, the shortest mount point") {
    auto disks = wc::select_disks(wc::parse_mounts(fixture("container/t0/proc/self/mounts")));
    REQUIRE(disks.size() == 2);
    CHECK(disks[0] == wc::mount_entry{"/dev/sda1", "/etc/hosts", "ext4"});
    CHECK(disks[1] == wc::mount_entry{"/dev/sdb1", "/data", "ext4"});

    auto mine = wc::select_disks(wc::parse_mounts(fixture("this-machine/t0/proc/self/mounts")));
    REQUIRE(mine.size() == 1);
    CHECK(mine[0].mount_point == "/");
}

TEST_CASE("select_disks: limit + 1 disks and names one byte too long") {
    std::string text;
    for (int i = 0; i <= static_cast<int>(windash::sample_limits::max_disks); ++i)
        text += "/dev/d" + std::to_string(i) + " /m" + std::to_string(i) + " ext4 rw 0 0\n";
    CHECK(wc::select_disks(wc::parse_mounts(text)).size() == windash::sample_limits::max_disks);

    std::string longest = "/" + std::string(windash::sample_limits::max_name_length - 1, 'a');
    auto kept = wc::select_disks({{"/dev/a", longest, "ext4"}, {"/dev/b", longest + "b", "ext4"}});
    REQUIRE(kept.size() == 1);
    CHECK(kept[0].device == "/dev/a");
}

TEST_CASE("parse_loadavg and parse_uptime") {
    auto load = wc::parse_loadavg("0.20 0.10 0.05 2/82 5113\n");
    REQUIRE(load.has_value());
    CHECK(*load == windash::load_average{0.20, 0.10, 0.05});
    CHECK(wc::parse_loadavg("0.20 0.10\n").error() == wc::errc::bad_loadavg);
    CHECK(wc::parse_loadavg("").error() == wc::errc::bad_loadavg);

    CHECK(wc::parse_uptime("1660.99 3205.57\n").value() == 1660);
    CHECK(wc::parse_uptime("0.00 0.00").value() == 0);
    CHECK(wc::parse_uptime("").error() == wc::errc::bad_uptime);
    CHECK(wc::parse_uptime("-5 1").error() == wc::errc::bad_uptime);
    CHECK(wc::parse_uptime("nan 1").error() == wc::errc::bad_uptime);
}

TEST_CASE("parse_task_census: the total of tasks and the last PID from /proc/loadavg") {
    CHECK(wc::parse_task_census("0.20 0.10 0.05 2/82 5113\n") == wc::task_census{82, 5113});
    CHECK(wc::parse_task_census("0.00 0.04 0.08 1/94 10052") == wc::task_census{94, 10052});
    CHECK_FALSE(wc::parse_task_census("0.20 0.10 0.05 2/82\n"));  // no last PID
    CHECK_FALSE(wc::parse_task_census("0.20 0.10 0.05 82 5113\n"));
    CHECK_FALSE(wc::parse_task_census("0.20 0.10 0.05 2/x 5113\n"));
    CHECK_FALSE(wc::parse_task_census("0.20 0.10 0.05 2/82 -1\n"));
    CHECK_FALSE(wc::parse_task_census(""));
}
