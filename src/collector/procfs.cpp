#include "collector/text.hpp"
#include <windash/collector/procfs.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace windash::collector {
namespace {

using detail::next_field;
using detail::next_line;
using detail::to_unsigned;

// Reads `user nice system idle [iowait irq softirq steal ...]`: at least the first four.
bool parse_times(std::string_view line, cpu_times& t) noexcept {
    std::array<std::uint64_t*, 8> fields{&t.user,   &t.nice, &t.system,  &t.idle,
                                         &t.iowait, &t.irq,  &t.softirq, &t.steal};
    std::size_t n = 0;
    for (auto f = next_field(line); !f.empty() && n < fields.size(); f = next_field(line), ++n)
        if (!to_unsigned(f, *fields[n])) return false;
    return n >= 4;
}

bool parse_cpu_line(std::string_view name, std::string_view rest, proc_stat& out) {
    if (name == "cpu") return parse_times(rest, out.all);
    core_times core;
    if (!to_unsigned(name.substr(3), core.id) || !parse_times(rest, core.times)) return false;
    out.cores.push_back(core);
    return true;
}

struct meminfo_fields {
    std::optional<std::uint64_t> total, free, available, buffers, cached, swap_total, swap_free;
};

std::optional<std::uint64_t>* meminfo_slot(meminfo_fields& m, std::string_view key) noexcept {
    if (key == "MemTotal") return &m.total;
    if (key == "MemFree") return &m.free;
    if (key == "MemAvailable") return &m.available;
    if (key == "Buffers") return &m.buffers;
    if (key == "Cached") return &m.cached;
    if (key == "SwapTotal") return &m.swap_total;
    if (key == "SwapFree") return &m.swap_free;
    return nullptr;
}

// `Key:   1234 kB` -> bytes in the slot for Key, if it is one we keep.
void parse_meminfo_line(std::string_view line, meminfo_fields& m) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return;
    auto* slot = meminfo_slot(m, line.substr(0, colon));
    if (!slot) return;
    line.remove_prefix(colon + 1);
    std::uint64_t value = 0;
    if (!to_unsigned(next_field(line), value)) return;
    *slot = next_field(line) == "kB" ? value * 1024 : value;
}

std::uint64_t value_or_zero(const std::optional<std::uint64_t>& v) noexcept {
    return v.value_or(0);
}

bool is_octal(char c) noexcept { return c >= '0' && c <= '7'; }

// The kernel writes space, tab, newline and backslash in mount fields as `\ooo`.
bool is_octal_escape(std::string_view s, std::size_t i) noexcept {
    return s[i] == '\\' && i + 4 <= s.size() && is_octal(s[i + 1]) && is_octal(s[i + 2]) &&
           is_octal(s[i + 3]);
}

std::string unescape_mount_field(std::string_view field) {
    std::string out;
    out.reserve(field.size());
    for (std::size_t i = 0; i < field.size(); ++i) {
        if (!is_octal_escape(field, i)) {
            out.push_back(field[i]);
            continue;
        }
        auto code = (field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0');
        out.push_back(static_cast<char>(code));
        i += 3;
    }
    return out;
}

constexpr std::string_view ignored_filesystems[] = {
    // kernel pseudo filesystems
    "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devfs", "devpts",
    "devtmpfs", "efivarfs", "fusectl", "hugetlbfs", "mqueue", "nsfs", "proc", "pstore", "ramfs",
    "rootfs", "rpc_pipefs", "securityfs", "selinuxfs", "sysfs", "tmpfs", "tracefs", "nfsd",
    "fuse.lxcfs", "fuse.portal", "fuse.gvfsd-fuse",
    // container layers and read-only images
    "overlay", "aufs", "squashfs", "fuse.snapfuse", "iso9660",
    // network filesystems: statvfs may block for minutes on an unreachable server
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs"};

}  // namespace

boost::system::result<proc_stat> parse_proc_stat(std::string_view text) {
    proc_stat out;
    bool have_all = false;
    while (!text.empty()) {
        auto rest = next_line(text);
        auto name = next_field(rest);
        if (name.substr(0, 3) != "cpu") {
            if (have_all) break;  // the cpu lines come first; the rest is not ours
            continue;
        }
        if (!parse_cpu_line(name, rest, out)) return errc::bad_proc_stat;
        have_all = have_all || name == "cpu";
    }
    if (!have_all) return errc::bad_proc_stat;
    return out;
}

boost::system::result<memory_usage> parse_meminfo(std::string_view text) {
    meminfo_fields m;
    while (!text.empty()) parse_meminfo_line(next_line(text), m);
    if (!m.total) return errc::bad_meminfo;
    memory_usage out;
    out.total = *m.total;
    auto available =
        m.available ? *m.available
                    : value_or_zero(m.free) + value_or_zero(m.buffers) + value_or_zero(m.cached);
    out.available = std::min(available, out.total);
    out.used = out.total - *out.available;
    if (m.swap_total) {
        out.swap_total = *m.swap_total;
        out.swap_used = *m.swap_total - std::min(value_or_zero(m.swap_free), *m.swap_total);
    }
    return out;
}

boost::system::result<std::vector<interface_counters>> parse_net_dev(std::string_view text) {
    next_line(text);  // two header lines
    next_line(text);
    std::vector<interface_counters> out;
    while (!text.empty()) {
        auto line = next_line(text);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        auto colon = line.find(':');
        if (colon == std::string_view::npos) return errc::bad_net_dev;
        auto name = line.substr(0, colon);
        name.remove_prefix(std::min(name.find_first_not_of(" \t"), name.size()));
        line.remove_prefix(colon + 1);
        std::array<std::uint64_t, 16> v{};
        for (auto& x : v)
            if (!to_unsigned(next_field(line), x)) return errc::bad_net_dev;
        out.push_back({std::string(name), v[0], v[8]});
    }
    return out;
}

std::vector<mount_entry> parse_mounts(std::string_view text) {
    std::vector<mount_entry> out;
    while (!text.empty()) {
        auto line = next_line(text);
        auto device = next_field(line);
        auto point = next_field(line);
        auto type = next_field(line);
        if (type.empty()) continue;
        out.push_back(
            {unescape_mount_field(device), unescape_mount_field(point), std::string(type)});
    }
    return out;
}

bool is_ignored_filesystem(std::string_view fs_type) noexcept {
    return std::find(std::begin(ignored_filesystems), std::end(ignored_filesystems), fs_type) !=
           std::end(ignored_filesystems);
}

std::vector<mount_entry> select_disks(const std::vector<mount_entry>& mounts) {
    std::vector<mount_entry> out;
    for (const auto& m : mounts) {
        if (is_ignored_filesystem(m.fs_type) || m.mount_point.empty() ||
            m.mount_point.size() > sample_limits::max_name_length)
            continue;
        auto same = std::find_if(out.begin(), out.end(),
                                 [&](const mount_entry& o) { return o.device == m.device; });
        if (same == out.end())
            out.push_back(m);
        else if (m.mount_point.size() < same->mount_point.size())
            *same = m;
    }
    if (out.size() > sample_limits::max_disks) out.resize(sample_limits::max_disks);
    return out;
}

boost::system::result<load_average> parse_loadavg(std::string_view text) {
    load_average out;
    if (!detail::to_double(next_field(text), out.one) ||
        !detail::to_double(next_field(text), out.five) ||
        !detail::to_double(next_field(text), out.fifteen))
        return errc::bad_loadavg;
    return out;
}

std::optional<task_census> parse_task_census(std::string_view loadavg) {
    loadavg = next_line(loadavg);
    for (int i = 0; i < 3; ++i) next_field(loadavg);
    const auto running_total = next_field(loadavg);
    const auto slash = running_total.find('/');
    task_census out;
    if (slash == std::string_view::npos ||
        !to_unsigned(running_total.substr(slash + 1), out.tasks) ||
        !to_unsigned(next_field(loadavg), out.last_pid))
        return std::nullopt;
    return out;
}

boost::system::result<std::uint64_t> parse_uptime(std::string_view text) {
    double seconds = 0;
    if (!detail::to_double(next_field(text), seconds) || !(seconds >= 0) || seconds > 1e15)
        return errc::bad_uptime;
    return static_cast<std::uint64_t>(seconds);
}

}  // namespace windash::collector
