#pragma once
// Reads one Sample v1 object (SPEC §1) into a reused windash::sample.

#include "protocol/read_state.hpp"
#include <windash/core/sample.hpp>

#include <string_view>

namespace windash::protocol::detail {

/// Reads samples of one frame. Each read() overwrites every field of `out`, reusing the
/// capacity of its strings and vectors, so a connection's batches allocate only while they
/// grow. Paths in failures are relative to the sample (`cpu.total`).
class sample_reader {
  public:
    /// `expected_host_id`: when not empty, every `hostId` must equal it.
    sample_reader(read_state& state, std::string_view expected_host_id) noexcept
        : state_(state), expected_host_id_(expected_host_id) {}

    [[nodiscard]] status read(od::value value, sample& out);

  private:
    WINDASH_HOT status read_fields(od::object& object, sample& out, unsigned& seen);
    WINDASH_HOT status read_host_id(od::value value, std::string& out);
    WINDASH_HOT status read_timestamp(od::value value, timestamp& out);
    WINDASH_HOT status read_cpu(od::value value, cpu_usage& out);
    WINDASH_HOT status read_memory(od::value value, memory_usage& out);
    WINDASH_HOT status read_disks(od::value value, std::vector<disk_usage>& out);
    WINDASH_HOT status read_disk(od::value value, std::size_t index, disk_usage& out);
    WINDASH_HOT status read_network(od::value value, network_rates& out);
    WINDASH_HOT status read_load(od::value value, std::optional<load_average>& out);
    WINDASH_HOT status read_temperatures(od::value value, std::vector<temperature>& out);
    WINDASH_HOT status read_temperature(od::value value, std::size_t index, temperature& out);
    WINDASH_HOT status read_numbers(od::value value, std::vector<double>& out, double hi,
                                    std::string_view path, std::string_view broken_rule);
    WINDASH_HOT status get_object(od::value value, od::object& object, std::string_view path);
    WINDASH_HOT status get_array(od::value value, od::array& array, std::string_view path,
                                 std::string_view broken_rule);

    read_state& state_;
    std::string_view expected_host_id_;
};

}  // namespace windash::protocol::detail
