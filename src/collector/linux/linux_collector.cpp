#include "collector/linux/linux_collector.hpp"

#include "collector/text.hpp"
#include <windash/collector/rates.hpp>

#include <algorithm>
#include <array>
#include <sys/statvfs.h>
#include <unistd.h>

namespace windash::collector::detail {
namespace {

// Above this many cores, frequency files are opened per read rather than kept open, so a
// 1024-core host does not spend 1024 descriptors of the process's default limit.
constexpr std::size_t max_kept_frequency_files = 256;

std::string_view trim_newline(std::string_view s) noexcept {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
    return s;
}

// Entries of `dir` whose names start with `prefix`, sorted so that results are stable.
std::vector<std::string> list_dir(const std::string& dir, std::string_view prefix) {
    std::vector<std::string> names;
    std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), closedir);
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

os_collector::os_collector(options opts)
    : opts_(std::move(opts)),
      stat_(opts_.proc_root + "/stat"),
      meminfo_(opts_.proc_root + "/meminfo"),
      uptime_(opts_.proc_root + "/uptime"),
      loadavg_(opts_.proc_root + "/loadavg"),
      net_dev_(opts_.proc_root + "/net/dev"),
      mounts_(opts_.proc_root + "/self/mounts"),
      proc_dir_(opts_.proc_root) {
    buf_.reserve(32 * 1024);
}

boost::system::result<proc_stat> os_collector::read_stat() {
    if (!stat_.read(buf_)) return errc::source_unreadable;
    return parse_proc_stat(buf_);
}

boost::system::result<memory_usage> os_collector::read_memory() {
    if (!meminfo_.read(buf_)) return errc::source_unreadable;
    return parse_meminfo(buf_);
}

boost::system::result<std::uint64_t> os_collector::read_uptime() {
    if (!uptime_.read(buf_)) return errc::source_unreadable;
    return parse_uptime(buf_);
}

std::vector<interface_counters> os_collector::read_net() {
    if (!net_dev_.read(buf_)) return {};
    auto parsed = parse_net_dev(buf_);
    return parsed ? std::move(*parsed) : std::vector<interface_counters>{};
}

os_collector::loadavg_fields os_collector::read_loadavg() {
    if (!loadavg_.read(buf_)) return {};
    auto load = parse_loadavg(buf_);
    return {load ? std::optional(*load) : std::nullopt, parse_task_census(buf_)};
}

bool os_collector::read_frequency(unsigned core, std::size_t index, std::size_t cores) {
    std::string path = opts_.sys_root + "/devices/system/cpu/cpu" + std::to_string(core) +
                       "/cpufreq/scaling_cur_freq";
    if (cores > max_kept_frequency_files) return read_whole_file(path, buf_);
    if (index >= frequencies_.size()) frequencies_.resize(index + 1);
    if (frequencies_[index].path() != path) frequencies_[index] = kept_file(std::move(path));
    return frequencies_[index].read(buf_);
}

std::vector<double> os_collector::read_frequencies(const std::vector<core_times>& cores) {
    std::vector<double> mhz;
    if (!have_frequencies_) return mhz;
    std::size_t n = std::min(cores.size(), sample_limits::max_cores);
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t khz = 0;
        // All or nothing: freqMhz[i] must belong to perCore[i]. Once missing (VMs,
        // containers without cpufreq), it is not looked for again.
        if (!read_frequency(cores[i].id, i, n) || !to_unsigned(trim_newline(buf_), khz)) {
            have_frequencies_ = false;
            frequencies_.clear();
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
    // The mount table is parsed again only when the kernel says it changed.
    if (mounts_.changed())
        disks_ = mounts_.read(buf_) ? select_disks(parse_mounts(buf_)) : std::vector<mount_entry>{};
    std::vector<disk_usage> disks;
    for (const auto& m : disks_) {
        auto space = space_of(m.mount_point);
        if (!space) continue;
        auto used = space->total - std::min(space->free, space->total);
        disks.push_back({m.mount_point, used, space->total});
    }
    return disks;
}

std::string os_collector::read_label(const std::string& path, std::string fallback) {
    if (!read_whole_file(path, buf_)) return fallback;
    return std::string(trim_newline(buf_));
}

void os_collector::add_hwmon_sensors(const std::string& chip_dir) {
    std::string chip = read_label(chip_dir + "/name", "hwmon");
    for (const auto& file : list_dir(chip_dir, "temp")) {
        auto suffix = file.rfind("_input");
        if (suffix == std::string::npos || suffix + 6 != file.size()) continue;
        std::string base = file.substr(0, suffix);
        std::string label = read_label(chip_dir + "/" + base + "_label", base);
        sensors_.push_back({clip_name(chip + " " + label), kept_file(chip_dir + "/" + file)});
    }
}

void os_collector::add_thermal_zones() {
    std::string dir = opts_.sys_root + "/class/thermal";
    for (const auto& zone : list_dir(dir, "thermal_zone")) {
        std::string type = read_label(dir + "/" + zone + "/type", zone);
        sensors_.push_back({clip_name(type), kept_file(dir + "/" + zone + "/temp")});
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
    for (auto& s : sensors_) {
        long long milli = 0;
        if (!s.file.read(buf_)) {
            sensors_found_ = false;
            continue;
        }
        auto text = trim_newline(buf_);
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), milli);
        if (ec == std::errc{}) temps.push_back({s.name, static_cast<double>(milli) / 1000.0});
    }
    return temps;
}

// With process_count_every set, a count is also reused while /proc/loadavg says no task was
// created or ended since it was taken (task_census), up to census_reuse_max: on an idle machine
// the listing (a kernel lookup per process, the costliest read of a sample) is then skipped.
// The cap covers a census that can miss a change: a PID namespace's last PID beside the global
// task total, or a /proc/loadavg that lxcfs makes up.
std::uint64_t os_collector::count_processes(std::chrono::steady_clock::time_point now,
                                            const std::optional<task_census>& census) {
    constexpr auto census_reuse_max = std::chrono::minutes(1);
    const auto age = proc_counted_at_ && now >= *proc_counted_at_
                         ? std::optional(now - *proc_counted_at_)
                         : std::nullopt;
    const bool unchanged =
        census && census == census_at_count_ && opts_.process_count_every.count() > 0;
    const bool fresh =
        age && (*age < opts_.process_count_every || (unchanged && *age < census_reuse_max));
    if (!fresh) {
        proc_count_ = proc_dir_.count_numeric();
        proc_counted_at_ = now;
        census_at_count_ = census;
    }
    return proc_count_;
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
    apply_rates(prev_ ? &*prev_ : nullptr, now, s);
    s.cpu.freq_mhz = read_frequencies(now.cpu.cores);
    s.mem = *memory;
    s.uptime_sec = *uptime;
    s.disks = read_disks();
    auto loadavg = read_loadavg();
    s.load = loadavg.load;
    s.proc_count = count_processes(now.at, loadavg.census);
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
