// One collection on this machine, as an agent does it every 2 seconds, plus the same work on
// a fixed 64-core fixture tree so that figures compare across machines. bench/collector/run.sh
// runs this beside psutil_collect.py and prints the ratio.

#include <windash/collector.hpp>

#include <benchmark/benchmark.h>

#include <array>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/statvfs.h>
#include <unistd.h>

namespace {

namespace wc = windash::collector;

wc::collector make_collector(const std::string& fixture) {
    wc::options o;
    o.host_id = "bench";
    if (!fixture.empty()) {
        o.proc_root = std::string(WINDASH_COLLECTOR_FIXTURES) + "/" + fixture + "/proc";
        o.sys_root = std::string(WINDASH_COLLECTOR_FIXTURES) + "/" + fixture + "/sys";
        o.disk_space = [](const std::string&) { return wc::filesystem_space{1000, 500}; };
    }
    return wc::collector(std::move(o));
}

// Collects once before timing and refuses a sample that skipped work, so a broken collector
// cannot look fast.
void prime(benchmark::State& state, wc::collector& c, std::size_t min_cores) {
    auto s = c.collect();
    if (!s || s->cpu.per_core.size() < min_cores || s->mem.total == 0 || s->disks.empty())
        state.SkipWithError("collector returned an incomplete sample");
}

// One collection per iteration from `fixture` ("": this machine's /proc and /sys).
void collect_loop(benchmark::State& state, const std::string& fixture, std::size_t min_cores) {
    auto c = make_collector(fixture);
    prime(state, c, min_cores);
    for (auto _ : state) {
        auto s = c.collect();
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_collect_live(benchmark::State& state) { collect_loop(state, "", 1); }
BENCHMARK(BM_collect_live);

void BM_collect_host64_fixture(benchmark::State& state) { collect_loop(state, "host64/t1", 64); }
BENCHMARK(BM_collect_host64_fixture);

// The kernel's share alone: the same files read through descriptors kept open, /proc listed,
// the mount table polled and "/" statvfs'd, with no parsing. No collector can beat this, so
// psutil's time divided by it is the best ratio reachable on the machine.
void BM_kernel_floor_live(benchmark::State& state) {
    std::array<int, 5> fds{};
    const char* files[] = {"/proc/stat", "/proc/meminfo", "/proc/uptime", "/proc/loadavg",
                           "/proc/net/dev"};
    for (std::size_t i = 0; i < fds.size(); ++i) fds[i] = ::open(files[i], O_RDONLY);
    int mounts = ::open("/proc/self/mounts", O_RDONLY);
    DIR* proc = opendir("/proc");
    std::array<char, 16 * 1024> buf;
    for (auto _ : state) {
        for (int fd : fds)
            for (off_t at = 0;;) {
                ssize_t n = ::pread(fd, buf.data(), buf.size(), at);
                if (n <= 0) break;
                at += n;
            }
        rewinddir(proc);
        while (readdir(proc)) {
        }
        pollfd p{mounts, POLLPRI, 0};
        benchmark::DoNotOptimize(::poll(&p, 1, 0));
        struct statvfs st {};
        benchmark::DoNotOptimize(statvfs("/", &st));
    }
    closedir(proc);
    for (int fd : fds) ::close(fd);
    ::close(mounts);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_kernel_floor_live);

}  // namespace

BENCHMARK_MAIN();
