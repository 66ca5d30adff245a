#pragma once

#include <windash/collector/rates.hpp>
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
    using snapshot = counter_snapshot;

    boost::system::result<proc_stat> read_cpu();
    std::optional<filesystem_space> space_of(const std::string& root) const;
    std::vector<disk_usage> read_disks() const;

    options opts_;
    std::vector<unsigned char> cpu_buf_;  // NtQuerySystemInformation output, reused
    std::optional<snapshot> prev_;
};

std::string os_host_name();

}  // namespace windash::collector::detail
