// Fuzz target for the collector's /proc parsers: whatever a file holds (truncated, garbage, a
// kernel with new columns), each parser returns a value or an error and never crashes. The
// first byte picks the parser, the rest is the file.
#include <windash/collector/procfs.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    namespace c = windash::collector;
    switch (data[0] % 6) {
        case 0: {
            auto stat = c::parse_proc_stat(text);
            if (stat && stat->cores.size() > text.size()) __builtin_trap();
            break;
        }
        case 1: {
            auto memory = c::parse_meminfo(text);
            if (memory && memory->used > memory->total) __builtin_trap();
            break;
        }
        case 2:
            (void)c::parse_net_dev(text);
            break;
        case 3:
            (void)c::select_disks(c::parse_mounts(text));
            break;
        case 4:
            (void)c::parse_loadavg(text);
            (void)c::parse_task_census(text);
            break;
        default:
            (void)c::parse_uptime(text);
            break;
    }
    return 0;
}
