#pragma once
/// @file
/// Pure parsers for the Linux text files the collector reads (proc(5)): they take the file's
/// bytes, touch nothing else, and are table-tested against captured files. They build on every
/// platform. Inputs are borrowed for the duration of the call only.

#include <windash/collector/errors.hpp>
#include <windash/core/sample.hpp>

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace windash::collector {

/// Time one CPU (or all together) spent per state, in ticks (USER_HZ on Linux, 100 ns on
/// Windows). Guest time is already inside user and nice, so it is not kept apart.
struct cpu_times {
    std::uint64_t user = 0;
    std::uint64_t nice = 0;
    std::uint64_t system = 0;
    std::uint64_t idle = 0;
    std::uint64_t iowait = 0;
    std::uint64_t irq = 0;
    std::uint64_t softirq = 0;
    std::uint64_t steal = 0;
    bool operator==(const cpu_times&) const = default;
};

/// One logical CPU's times, with its kernel number (`cpu7` is id 7).
struct core_times {
    unsigned id = 0;
    cpu_times times;
    bool operator==(const core_times&) const = default;
};

/// /proc/stat's CPU lines: the `cpu` total and one entry per online core, in file order.
struct proc_stat {
    cpu_times all;
    std::vector<core_times> cores;
    bool operator==(const proc_stat&) const = default;
};

/// Parses /proc/stat (kernels before 2.6.33 lack steal/guest columns: missing ones are 0).
/// Errors: bad_proc_stat when the `cpu` line is missing or a `cpuN` line is malformed.
[[nodiscard]] boost::system::result<proc_stat> parse_proc_stat(std::string_view text);

/// Parses /proc/meminfo into bytes: used = MemTotal - MemAvailable (MemFree + Buffers + Cached
/// on kernels before 3.14, which lack MemAvailable), clamped to [0, total]; swap figures when
/// SwapTotal is present. Errors: bad_meminfo when MemTotal is missing.
[[nodiscard]] boost::system::result<memory_usage> parse_meminfo(std::string_view text);

/// Cumulative byte counters of one network interface.
struct interface_counters {
    std::string name;
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_bytes = 0;
    bool operator==(const interface_counters&) const = default;
};

/// Parses /proc/net/dev (two header lines, then `name: rx_bytes ... tx_bytes ...`).
/// Errors: bad_net_dev for a line without the colon or with fewer than 16 numbers.
[[nodiscard]] boost::system::result<std::vector<interface_counters>> parse_net_dev(
    std::string_view text);

/// One line of /proc/self/mounts, with the octal escapes (`\040` for a space) decoded.
struct mount_entry {
    std::string device;
    std::string mount_point;
    std::string fs_type;
    bool operator==(const mount_entry&) const = default;
};

/// Parses /proc/self/mounts; lines with fewer than three fields are skipped.
[[nodiscard]] std::vector<mount_entry> parse_mounts(std::string_view text);

/// True for filesystems a sample leaves out: kernel pseudo filesystems (proc, sysfs, cgroup,
/// devtmpfs, tmpfs...), container overlay layers (overlay, aufs), read-only images (squashfs
/// snaps, iso9660) and network filesystems (nfs, cifs, sshfs), whose statvfs can hang.
[[nodiscard]] bool is_ignored_filesystem(std::string_view fs_type) noexcept;

/// The disks a sample reports: ignored filesystems dropped, one entry per device (the shortest
/// mount point wins, so a bind mount never duplicates its source), mount points longer than
/// sample_limits::max_name_length dropped, at most sample_limits::max_disks kept, in the order
/// the winning mounts appear. In a container whose root is an overlay, what remains are volumes
/// and bind mounts (`/etc/hosts` on the host's disk), which is where its data goes.
[[nodiscard]] std::vector<mount_entry> select_disks(const std::vector<mount_entry>& mounts);

/// Parses /proc/loadavg's first three fields. Errors: bad_loadavg.
[[nodiscard]] boost::system::result<load_average> parse_loadavg(std::string_view text);

/// /proc/loadavg's fourth and fifth fields: `running/total` tasks (threads included) and the
/// last PID handed out. While both stay the same, no task was created (each takes a new PID)
/// and none ended (with none created, that lowers the total), so a process count taken
/// earlier still holds.
struct task_census {
    std::uint64_t tasks = 0;
    std::uint64_t last_pid = 0;
    friend bool operator==(const task_census&, const task_census&) = default;
};

/// The census in /proc/loadavg; nullopt when its fourth or fifth field is missing or malformed.
[[nodiscard]] std::optional<task_census> parse_task_census(std::string_view loadavg);

/// Parses /proc/uptime's first field, whole seconds rounded down. Errors: bad_uptime.
[[nodiscard]] boost::system::result<std::uint64_t> parse_uptime(std::string_view text);

}  // namespace windash::collector
