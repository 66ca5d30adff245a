#pragma once

#include <windash/collector/rates.hpp>
// The Linux collector: /proc and /sys text files under injectable roots, kept open between
// calls (see kept_file.hpp).

#include "collector/linux/kept_file.hpp"
#include <windash/collector/collector.hpp>
#include <windash/collector/procfs.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace windash::collector::detail {

class os_collector {
  public:
    explicit os_collector(options opts);
    boost::system::result<sample> collect();

  private:
    using snapshot = counter_snapshot;
    struct sensor {
        std::string name;
        kept_file file;  // millidegrees Celsius
    };

    boost::system::result<proc_stat> read_stat();
    boost::system::result<memory_usage> read_memory();
    boost::system::result<std::uint64_t> read_uptime();
    std::vector<interface_counters> read_net();
    // /proc/loadavg: the load averages and the task census, each absent when unreadable.
    struct loadavg_fields {
        std::optional<load_average> load;
        std::optional<task_census> census;
    };
    loadavg_fields read_loadavg();
    std::vector<double> read_frequencies(const std::vector<core_times>& cores);
    bool read_frequency(unsigned core, std::size_t index, std::size_t cores);
    std::vector<disk_usage> read_disks();
    std::optional<filesystem_space> space_of(const std::string& mount_point) const;
    std::vector<temperature> read_temperatures();
    std::uint64_t count_processes(std::chrono::steady_clock::time_point now,
                                  const std::optional<task_census>& census);
    void find_sensors();
    void add_hwmon_sensors(const std::string& chip_dir);
    void add_thermal_zones();
    std::string read_label(const std::string& path, std::string fallback);

    options opts_;
    std::string buf_;  // file contents, reused across reads
    kept_file stat_, meminfo_, uptime_, loadavg_, net_dev_, mounts_;
    kept_dir proc_dir_;
    std::uint64_t proc_count_ = 0;
    std::optional<std::chrono::steady_clock::time_point> proc_counted_at_;
    std::optional<task_census> census_at_count_;  // /proc/loadavg's, when proc_count_ was taken
    std::vector<mount_entry> disks_;  // select_disks() of the mount table, redone on change
    std::vector<kept_file> frequencies_;
    bool have_frequencies_ = true;
    std::vector<sensor> sensors_;
    bool sensors_found_ = false;
    std::optional<snapshot> prev_;
};

std::string os_host_name();

}  // namespace windash::collector::detail
