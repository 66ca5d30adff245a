#include "collector/linux/linux_collector.hpp"

#include "collector/text.hpp"
#include <windash/collector/rates.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <sys/statvfs.h>
#include <unistd.h>

namespace windash::collector::detail {
namespace {

struct dir_closer {
    void operator()(DIR* d) const noexcept { closedir(d); }
};
using dir_handle = std::unique_ptr<DIR, dir_closer>;

bool all_digits(std::string_view s) noexcept {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view trim_newline(std::string_view s) noexcept {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
    return s;
}

// Entries of `dir` whose names start with `prefix`, sorted so that results are stable.
std::vector<std::string> list_dir(const std::string& dir, std::string_view prefix) {
    std::vector<std::string> names;
    dir_handle d(opendir(dir.c_str()));
    if (!d) return names;
    while (const dirent* e = readdir(d.get())) {
        std::string_view name = e->d_name;
        if (name.substr(0, prefix.size()) == prefix && name != "." && name != "..")
            names.emplace_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::optional<filesystem_space> statvfs_space(const std::string& mount_point) {
    struct statvfs st {};
    if (statvfs(mount_point.c_str(), &st) != 0 || st.f_blocks == 0) return std::nullopt;
    std::uint64_t unit = st.f_frsize ? st.f_frsize : st.f_bsize;
    return filesystem_space{st.f_blocks * unit, st.f_bfree * unit};
}

std::string clip_name(std::string name) {
    if (name.size() > sample_limits::max_name_length) name.resize(sample_limits::max_name_length);
    return name.empty() ? std::string("temp") : name;
}

}  // namespace

os_collector::os_collector(options opts) : opts_(std::move(opts)) { buf_.reserve(16 * 1024); }

bool os_collector::read_file(const std::string& path) {
    buf_.clear();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    std::array<char, 8192> chunk;
    ssize_t n = 0;
    while ((n = ::read(fd, chunk.data(), chunk.size())) > 0 || (n < 0 && errno == EINTR))
        if (n > 0) buf_.append(chunk.data(), static_cast<std::size_t>(n));
    ::close(fd);
    return n == 0;
}

bool os_collector::read_proc(std::string_view relative) {
    path_.assign(opts_.proc_root).append(relative);
    return read_file(path_);
}

boost::system::result<proc_stat> os_collector::read_stat() {
    if (!read_proc("/stat")) return errc::source_unreadable;
    return parse_proc_stat(buf_);
}

boost::system::result<memory_usage> os_collector::read_memory() {
    if (!read_proc("/meminfo")) return errc::source_unreadable;
    return parse_meminfo(buf_);
}

boost::system::result<std::uint64_t> os_collector::read_uptime() {
    if (!read_proc("/uptime")) return errc::source_unreadable;
    return parse_uptime(buf_);
}

std::vector<interface_counters> os_collector::read_net() {
    if (!read_proc("/net/dev")) return {};
    auto parsed = parse_net_dev(buf_);
    return parsed ? std::move(*parsed) : std::vector<interface_counters>{};
}

std::optional<load_average> os_collector::read_load() {
    if (!read_proc("/loadavg")) return std::nullopt;
    auto parsed = parse_loadavg(buf_);
    return parsed ? std::optional(*parsed) : std::nullopt;
}

std::vector<double> os_collector::read_frequencies(const std::vector<core_times>& cores) {
    std::vector<double> mhz;
    if (!have_frequencies_) return mhz;
    std::size_t n = std::min(cores.size(), sample_limits::max_cores);
    for (std::size_t i = 0; i < n; ++i) {
        path_.assign(opts_.sys_root).append("/devices/system/cpu/cpu");
        path_.append(std::to_string(cores[i].id)).append("/cpufreq/scaling_cur_freq");
        std::uint64_t khz = 0;
        // All or nothing: freqMhz[i] must belong to perCore[i]. Once missing (VMs,
        // containers without cpufreq), it is not looked for again.
        if (!read_file(path_) || !to_unsigned(trim_newline(buf_), khz)) {
            have_frequencies_ = false;
            return {};
        }
        mhz.push_back(static_cast<double>(khz) / 1000.0);
    }
    return mhz;
}

std::optional<filesystem_space> os_collector::space_of(const std::string& mount_point) const {
    return opts_.disk_space ? opts_.disk_space(mount_point) : statvfs_space(mount_point);
}

std::vector<disk_usage> os_collector::read_disks() {
    std::vector<disk_usage> disks;
    if (!read_proc("/self/mounts")) return disks;
    for (auto& m : select_disks(parse_mounts(buf_))) {
        auto space = space_of(m.mount_point);
        if (!space) continue;
        auto used = space->total - std::min(space->free, space->total);
        disks.push_back({std::move(m.mount_point), used, space->total});
    }
    return disks;
}

std::uint64_t os_collector::count_processes() const {
    std::uint64_t n = 0;
    dir_handle d(opendir(opts_.proc_root.c_str()));
    if (!d) return 0;
    while (const dirent* e = readdir(d.get())) n += all_digits(e->d_name) ? 1 : 0;
    return n;
}

void os_collector::add_hwmon_sensors(const std::string& chip_dir) {
    std::string chip = read_file(chip_dir + "/name") ? std::string(trim_newline(buf_)) : "hwmon";
    for (const auto& file : list_dir(chip_dir, "temp")) {
        auto suffix = file.rfind("_input");
        if (suffix == std::string::npos || suffix + 6 != file.size()) continue;
        std::string base = file.substr(0, suffix);
        std::string label =
            read_file(chip_dir + "/" + base + "_label") ? std::string(trim_newline(buf_)) : base;
        sensors_.push_back({clip_name(chip + " " + label), chip_dir + "/" + file});
    }
}

void os_collector::add_thermal_zones() {
    std::string dir = opts_.sys_root + "/class/thermal";
    for (const auto& zone : list_dir(dir, "thermal_zone")) {
        std::string type =
            read_file(dir + "/" + zone + "/type") ? std::string(trim_newline(buf_)) : zone;
        sensors_.push_back({clip_name(type), dir + "/" + zone + "/temp"});
    }
}

// Sensors are found once (and again after one vanishes): listing /sys every call would
// cost more than reading the values.
void os_collector::find_sensors() {
    sensors_.clear();
    std::string dir = opts_.sys_root + "/class/hwmon";
    for (const auto& chip : list_dir(dir, "hwmon")) add_hwmon_sensors(dir + "/" + chip);
    // Thermal zones mostly repeat hwmon's readings; they are the fallback (ARM boards).
    if (sensors_.empty()) add_thermal_zones();
    if (sensors_.size() > sample_limits::max_temperatures)
        sensors_.resize(sample_limits::max_temperatures);
    sensors_found_ = true;
}

std::vector<temperature> os_collector::read_temperatures() {
    if (!sensors_found_) find_sensors();
    std::vector<temperature> temps;
    for (const auto& s : sensors_) {
        long long milli = 0;
        if (!read_file(s.path)) {
            sensors_found_ = false;
            continue;
        }
        auto text = trim_newline(buf_);
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), milli);
        if (ec == std::errc{}) temps.push_back({s.name, static_cast<double>(milli) / 1000.0});
    }
    return temps;
}

void os_collector::fill_rates(sample& s, const snapshot& now) const {
    const proc_stat empty_stat;
    const auto& before = prev_ ? prev_->cpu : empty_stat;
    s.cpu.total = cpu_percent(before.all, now.cpu.all);
    s.cpu.per_core = per_core_percent(before.cores, now.cpu.cores);
    if (prev_)
        s.net =
            net_rates(prev_->net, now.net,
                      std::chrono::duration_cast<std::chrono::microseconds>(now.at - prev_->at));
}

boost::system::result<sample> os_collector::collect() {
    sample s;
    s.ts = opts_.wall_clock();
    s.host_id = opts_.host_id;
    snapshot now{{}, {}, opts_.monotonic_clock()};
    auto stat = read_stat();
    if (!stat) return stat.error();
    auto memory = read_memory();
    if (!memory) return memory.error();
    auto uptime = read_uptime();
    if (!uptime) return uptime.error();
    now.cpu = std::move(*stat);
    now.net = read_net();
    fill_rates(s, now);
    s.cpu.freq_mhz = read_frequencies(now.cpu.cores);
    s.mem = *memory;
    s.uptime_sec = *uptime;
    s.disks = read_disks();
    s.proc_count = count_processes();
    s.load = read_load();
    s.temps = read_temperatures();
    prev_ = std::move(now);
    return s;
}

std::string os_host_name() {
    std::array<char, 256> name{};
    if (gethostname(name.data(), name.size() - 1) != 0) return {};
    return name.data();
}

}  // namespace windash::collector::detail
