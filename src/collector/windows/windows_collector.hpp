#pragma once
// The Windows collector: Win32 and NT calls, no WMI, no PDH query objects.

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
    struct snapshot {
        proc_stat cpu;
        std::vector<interface_counters> net;
        std::chrono::steady_clock::time_point at;
    };

    boost::system::result<proc_stat> read_cpu();
    std::optional<filesystem_space> space_of(const std::string& root) const;
    std::vector<disk_usage> read_disks() const;
    void fill_rates(sample& s, const snapshot& now) const;

    options opts_;
    std::vector<unsigned char> cpu_buf_;  // NtQuerySystemInformation output, reused
    std::optional<snapshot> prev_;
};

std::string os_host_name();

}  // namespace windash::collector::detail
