#pragma once
/// @file
/// windash::collector::collector: one call, one Sample v1 (SPEC §1) read from the running OS
/// (Linux: /proc and /sys; Windows: Win32). Cheap enough to call every 2 seconds forever: no
/// thread, no allocation beyond the sample and a few reused buffers, no subprocess.

#include <windash/collector/errors.hpp>
#include <windash/core/sample.hpp>
#include <windash/core/timestamp.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace windash::collector {

/// Size of one filesystem in bytes, as statvfs or GetDiskFreeSpaceEx report it.
struct filesystem_space {
    std::uint64_t total = 0;
    std::uint64_t free = 0;  ///< free to root (f_bfree), so used = total - free as df shows
};

/// Construction options. Every source of the outside world is a parameter with the
/// production default, so tests run against fixture trees with a fake clock.
struct options {
    /// `hostId` of every sample (SPEC §1): 1-64 of `[A-Za-z0-9._-]`; see default_host_id().
    std::string host_id;
    /// Root of procfs (Linux only). Read: stat, meminfo, uptime, loadavg, net/dev,
    /// self/mounts and the numeric process folders.
    std::string proc_root = "/proc";
    /// Root of sysfs (Linux only). Read when present: devices/system/cpu/cpuN/cpufreq/
    /// scaling_cur_freq, class/hwmon/*/temp*_input, class/thermal/thermal_zone*/temp.
    std::string sys_root = "/sys";
    /// Monotonic clock that times the interval between two calls (network rates).
    std::function<std::chrono::steady_clock::time_point()> monotonic_clock = [] {
        return std::chrono::steady_clock::now();
    };
    /// Wall clock for the sample's `ts`.
    std::function<timestamp()> wall_clock = [] {
        return std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
    };
    /// Size of the filesystem mounted at a path (Linux) or a drive root like `C:\` (Windows);
    /// nullopt leaves the disk out. Empty means the OS call (statvfs / GetDiskFreeSpaceExA).
    std::function<std::optional<filesystem_space>(const std::string& mount_point)> disk_space;
    /// Linux: how long a process count is reused before /proc is listed again (zero: every
    /// call). Listing /proc costs the kernel a lookup per process, which was a third of a 2 s
    /// agent's CPU (bench/README.md); windash-agent sets 10 s. When set, a count is also
    /// reused, for up to a minute, while /proc/loadavg shows that no task was created or ended
    /// since (procfs.hpp, task_census). Windows reads a counter that costs nothing and ignores
    /// this.
    std::chrono::milliseconds process_count_every{0};
};

/// Collects samples of the machine it runs on. Not thread-safe: one thread at a time calls
/// collect(); distinct collectors are independent.
///
/// Priming: CPU percentages and network rates are differences between two calls. The first
/// call has no previous snapshot, so it reports CPU usage averaged since boot (what `top`
/// shows on its first screen) and network rates of 0, because interface counters may have
/// started at any time and give no honest rate. Every later call reports the interval since
/// the previous successful call. Memory, disks, uptime, processes, load, frequencies and
/// temperatures are instantaneous and exact from the first call.
///
/// Optional figures (`load`, `freqMhz`, `temps`, disks, network) that cannot be read are left
/// out or zero; only the required CPU, memory and uptime sources make collect() fail.
class collector {
  public:
    /// Throws std::invalid_argument when `opts.host_id` is not a valid hostId.
    explicit collector(options opts);
    ~collector();
    collector(collector&&) noexcept;
    collector& operator=(collector&&) noexcept;
    collector(const collector&) = delete;
    collector& operator=(const collector&) = delete;

    /// Reads one sample. Errors: errc::source_unreadable (condition::unavailable) or a bad_*
    /// errc (condition::malformed); a failed call leaves the previous snapshot in place.
    [[nodiscard]] boost::system::result<sample> collect();

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// This machine's name as a valid hostId: characters outside `[A-Za-z0-9._-]` become `-`,
/// cut to 64 characters, `localhost` when the OS gives no name.
[[nodiscard]] std::string default_host_id();

/// Makes a valid hostId from any text, as default_host_id() does with the machine name.
[[nodiscard]] std::string sanitize_host_id(std::string_view name);

}  // namespace windash::collector
