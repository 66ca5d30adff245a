#include "workload.hpp"

#include <windash/protocol/writer.hpp>

#include <chrono>
#include <cmath>
#include <random>

namespace windash::workload {
namespace {

class generator {
  public:
    explicit generator(std::uint64_t seed) : rng_(seed) {}

    sample next(const shape& s, std::size_t index) {
        sample out;
        out.ts = start_ + std::chrono::seconds{2 * static_cast<long long>(index)} +
                 std::chrono::microseconds{between(0, 999) * 1000};
        out.host_id = "web-01.example";
        out.cpu.per_core.resize(s.cores);
        out.cpu.freq_mhz.resize(s.cores);
        double sum = 0;
        for (std::size_t i = 0; i < s.cores; ++i) {
            out.cpu.per_core[i] = percent();
            out.cpu.freq_mhz[i] = static_cast<double>(between(800, 4800));
            sum += out.cpu.per_core[i];
        }
        out.cpu.total = s.cores ? std::round(sum / static_cast<double>(s.cores) * 100) / 100 : 0;
        out.mem.total = 64ull << 30;
        out.mem.used = static_cast<std::uint64_t>(between(1, 60)) << 30;
        out.mem.available = out.mem.total - out.mem.used;
        out.mem.swap_total = 8ull << 30;
        out.mem.swap_used = static_cast<std::uint64_t>(between(0, 1 << 20)) << 10;
        static constexpr std::string_view mounts[] = {
            "/",    "/home", "/var/lib/postgresql", "/boot/efi", "/srv/data", "/mnt/backup",
            "C:\\", "D:\\"};
        for (std::size_t i = 0; i < s.disks; ++i) {
            const std::uint64_t total = static_cast<std::uint64_t>(between(64, 4096)) << 30;
            out.disks.push_back({std::string(mounts[i % std::size(mounts)]),
                                 total / 100 * static_cast<std::uint64_t>(between(1, 99)), total});
        }
        out.net = {static_cast<std::uint64_t>(between(0, 125'000'000)),
                   static_cast<std::uint64_t>(between(0, 125'000'000))};
        out.uptime_sec = 86400 * 12 + 2 * index;
        out.proc_count = static_cast<std::uint64_t>(between(150, 900));
        out.load = load_average{load(), load(), load()};
        out.temps = {{"Package id 0", static_cast<double>(between(300, 950)) / 10},
                     {"nvme0 Composite", static_cast<double>(between(300, 700)) / 10}};
        return out;
    }

  private:
    long long between(long long lo, long long hi) {
        return std::uniform_int_distribution<long long>(lo, hi)(rng_);
    }
    double percent() { return static_cast<double>(between(0, 10000)) / 100; }
    double load() { return static_cast<double>(between(0, 1600)) / 100; }  // as /proc/loadavg

    std::mt19937_64 rng_;
    timestamp start_ = timestamp{std::chrono::seconds{1762190573}};  // 2025-11-03T17:22:53Z
};

}  // namespace

protocol::metrics_batch make_batch(const shape& s, std::uint64_t seed) {
    generator gen(seed);
    protocol::metrics_batch batch;
    batch.seq = seed;
    batch.samples.reserve(s.samples);
    for (std::size_t i = 0; i < s.samples; ++i) batch.samples.push_back(gen.next(s, i));
    return batch;
}

std::string make_frame(const shape& s, std::uint64_t seed) {
    std::string frame;
    protocol::write_metrics(frame, make_batch(s, seed));
    return frame;
}

}  // namespace windash::workload
