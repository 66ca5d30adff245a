#include "collector/windows/windows_collector.hpp"

#include <windash/collector/rates.hpp>

// windows.h (after winsock2.h) must come before the other Win32 headers.
// clang-format off
#include <winsock2.h>
#include <windows.h>
#include <winternl.h>
#include <ws2ipdef.h>
#include <iphlpapi.h>
#include <netioapi.h>
#include <psapi.h>
// clang-format on

#include <algorithm>
#include <array>
#include <cstring>

namespace windash::collector::detail {
namespace {

using perf_info = SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION;

std::uint64_t ticks(const LARGE_INTEGER& v) noexcept {
    return v.QuadPart > 0 ? static_cast<std::uint64_t>(v.QuadPart) : 0;
}

// KernelTime includes IdleTime (100 ns units); the rest maps onto /proc/stat's columns.
cpu_times to_cpu_times(const perf_info& p) noexcept {
    cpu_times t;
    t.user = ticks(p.UserTime);
    t.idle = ticks(p.IdleTime);
    t.system = ticks(p.KernelTime) - std::min(ticks(p.KernelTime), t.idle);
    return t;
}

void add_times(cpu_times& sum, const cpu_times& t) noexcept {
    sum.user += t.user;
    sum.system += t.system;
    sum.idle += t.idle;
}

std::optional<filesystem_space> free_space_of(const std::string& root) {
    ULARGE_INTEGER total{};
    ULARGE_INTEGER free{};
    if (!GetDiskFreeSpaceExA(root.c_str(), nullptr, &total, &free) || total.QuadPart == 0)
        return std::nullopt;
    return filesystem_space{total.QuadPart, free.QuadPart};
}

// Fixed drives only: removable, network and optical drives may block or hold no medium.
std::vector<std::string> fixed_drives() {
    std::array<char, 512> buf{};
    DWORD n = GetLogicalDriveStringsA(static_cast<DWORD>(buf.size() - 1), buf.data());
    std::vector<std::string> roots;
    if (n == 0 || n >= buf.size()) return roots;
    for (const char* p = buf.data(); *p; p += std::strlen(p) + 1)
        if (GetDriveTypeA(p) == DRIVE_FIXED) roots.emplace_back(p);
    return roots;
}

// Filter interfaces (WFP, QoS) repeat the counters of the adapter they sit on.
bool counts_traffic(const MIB_IF_ROW2& row) noexcept {
    return row.Type != IF_TYPE_SOFTWARE_LOOPBACK &&
           !row.InterfaceAndOperStatusFlags.FilterInterface;
}

std::vector<interface_counters> read_net() {
    std::vector<interface_counters> out;
    MIB_IF_TABLE2* table = nullptr;
    if (GetIfTable2(&table) != NO_ERROR || !table) return out;
    for (ULONG i = 0; i < table->NumEntries; ++i) {
        const auto& row = table->Table[i];
        if (counts_traffic(row))
            out.push_back({std::to_string(row.InterfaceLuid.Value), row.InOctets, row.OutOctets});
    }
    FreeMibTable(table);
    return out;
}

std::optional<memory_usage> read_memory() {
    MEMORYSTATUSEX m{};
    m.dwLength = sizeof(m);
    if (!GlobalMemoryStatusEx(&m)) return std::nullopt;
    memory_usage out;
    out.total = m.ullTotalPhys;
    out.available = std::min(m.ullAvailPhys, m.ullTotalPhys);
    out.used = out.total - *out.available;
    return out;
}

std::uint64_t count_processes() {
    PERFORMANCE_INFORMATION info{};
    info.cb = sizeof(info);
    return GetPerformanceInfo(&info, sizeof(info)) ? info.ProcessCount : 0;
}

}  // namespace

os_collector::os_collector(options opts) : opts_(std::move(opts)) {}

boost::system::result<proc_stat> os_collector::read_cpu() {
    SYSTEM_INFO si{};
    GetSystemInfo(&si);
    // One processor group (up to 64 logical CPUs), as NtQuerySystemInformation reports.
    cpu_buf_.resize(std::max<DWORD>(si.dwNumberOfProcessors, 1) * sizeof(perf_info));
    ULONG got = 0;
    NTSTATUS status =
        NtQuerySystemInformation(SystemProcessorPerformanceInformation, cpu_buf_.data(),
                                 static_cast<ULONG>(cpu_buf_.size()), &got);
    if (status < 0 || got < sizeof(perf_info)) return errc::source_unreadable;
    proc_stat out;
    for (unsigned i = 0; i < got / sizeof(perf_info); ++i) {
        perf_info p;
        std::memcpy(&p, cpu_buf_.data() + i * sizeof(perf_info), sizeof(p));
        out.cores.push_back({i, to_cpu_times(p)});
        add_times(out.all, out.cores.back().times);
    }
    return out;
}

std::optional<filesystem_space> os_collector::space_of(const std::string& root) const {
    return opts_.disk_space ? opts_.disk_space(root) : free_space_of(root);
}

std::vector<disk_usage> os_collector::read_disks() const {
    std::vector<disk_usage> disks;
    for (auto& root : fixed_drives()) {
        auto space = space_of(root);
        if (!space || disks.size() == sample_limits::max_disks) continue;
        auto used = space->total - std::min(space->free, space->total);
        disks.push_back({std::move(root), used, space->total});
    }
    return disks;
}

boost::system::result<sample> os_collector::collect() {
    sample s;
    s.ts = opts_.wall_clock();
    s.host_id = opts_.host_id;
    snapshot now{{}, {}, opts_.monotonic_clock()};
    auto cpu = read_cpu();
    if (!cpu) return cpu.error();
    auto memory = read_memory();
    if (!memory) return errc::source_unreadable;
    now.cpu = std::move(*cpu);
    now.net = read_net();
    apply_rates(prev_ ? &*prev_ : nullptr, now, s);
    s.mem = *memory;
    s.uptime_sec = GetTickCount64() / 1000;
    s.disks = read_disks();
    s.proc_count = count_processes();
    prev_ = std::move(now);
    return s;
}

std::string os_host_name() {
    std::array<char, 256> name{};
    DWORD size = static_cast<DWORD>(name.size());
    if (!GetComputerNameExA(ComputerNameDnsHostname, name.data(), &size)) return {};
    return std::string(name.data(), size);
}

}  // namespace windash::collector::detail
