#pragma once
// The Linux collector: /proc and /sys text files under injectable roots.

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
    // The counters kept between calls to compute CPU percentages and network rates.
    struct snapshot {
        proc_stat cpu;
        std::vector<interface_counters> net;
        std::chrono::steady_clock::time_point at;
    };
    struct sensor {
        std::string name;
        std::string path;  // millidegrees Celsius
    };

    bool read_proc(std::string_view relative);
    bool read_file(const std::string& path);
    boost::system::result<proc_stat> read_stat();
    boost::system::result<memory_usage> read_memory();
    boost::system::result<std::uint64_t> read_uptime();
    std::vector<interface_counters> read_net();
    std::vector<double> read_frequencies(const std::vector<core_times>& cores);
    std::vector<disk_usage> read_disks();
    std::optional<filesystem_space> space_of(const std::string& mount_point) const;
    std::uint64_t count_processes() const;
    std::optional<load_average> read_load();
    std::vector<temperature> read_temperatures();
    void find_sensors();
    void add_hwmon_sensors(const std::string& chip_dir);
    void add_thermal_zones();
    void fill_rates(sample& s, const snapshot& now) const;

    options opts_;
    std::string buf_;   // file contents, reused across reads
    std::string path_;  // file path, reused across reads
    std::optional<snapshot> prev_;
    std::vector<sensor> sensors_;
    bool sensors_found_ = false;
    bool have_frequencies_ = true;
};

std::string os_host_name();

}  // namespace windash::collector::detail
