#pragma once
// Deterministic test samples: 16 cores, 3 disks, every optional field (SPEC §1).

#include <windash/core/sample.hpp>

#include <cstdint>
#include <string>

namespace windash::store::testing {

/// 2025-01-01T00:00:00Z, the fixed "now" of the store tests.
inline timestamp base_time() { return timestamp{std::chrono::microseconds{1'735'689'600'000'000}}; }

/// The i-th sample of a device: cpu.total is i % 100, per core c: (i + c) % 100.
inline sample make_sample(timestamp ts, std::uint64_t i, std::size_t cores = 16) {
    sample s;
    s.ts = ts;
    s.host_id = "host-1";
    s.cpu.total = static_cast<double>(i % 100);
    for (std::size_t c = 0; c < cores; ++c) {
        s.cpu.per_core.push_back(static_cast<double>((i + c) % 100));
        s.cpu.freq_mhz.push_back(3000.0 + static_cast<double>(c));
    }
    s.mem = {8'000'000'000 + i, 16'000'000'000, 7'000'000'000, 1'000, 2'000'000'000};
    s.disks = {{"C:\\", 100 + i, 1000 + i}, {"D:\\", 200, 2000}, {"/home", 300, 3000}};
    s.net = {1'048'576 + i, 2'097'152};
    s.uptime_sec = 3600 + i;
    s.proc_count = 250;
    s.load = load_average{1.5, 1.25, 1.0};
    s.temps = {{"cpu", 55.5}, {"gpu", 60.0}};
    return s;
}

}  // namespace windash::store::testing
