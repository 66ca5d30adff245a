#include "protocol/sample_reader.hpp"

#include "protocol/plain_number.hpp"

namespace windash::protocol::detail {
namespace {

// Bits recording which required fields a sample object had.
enum required_field : unsigned {
    has_v = 1u << 0,
    has_ts = 1u << 1,
    has_host_id = 1u << 2,
    has_cpu = 1u << 3,
    has_mem = 1u << 4,
    has_disk = 1u << 5,
    has_net = 1u << 6,
    has_uptime = 1u << 7,
    has_proc_count = 1u << 8,
};

struct required_entry {
    unsigned bit;
    std::string_view name;
};
constexpr required_entry sample_required[] = {
    {has_v, "v"},
    {has_ts, "ts"},
    {has_host_id, "hostId"},
    {has_cpu, "cpu"},
    {has_mem, "mem"},
    {has_disk, "disk"},
    {has_net, "net"},
    {has_uptime, "uptimeSec"},
    {has_proc_count, "procCount"},
};

constexpr bool is_json_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Reads `[n, n, ...]` at `p` into `out` when every element is a plain number (plain_number.hpp)
// in [0, hi] and there are at most max_cores of them: the common case. Returns false, having
// decided nothing, for anything else, including invalid JSON, which the general path then
// reports.
WINDASH_HOT bool read_plain_numbers(const char* p, std::vector<double>& out, double hi) {
    if (*p++ != '[') return false;
    out.clear();
    while (is_json_space(*p)) ++p;
    if (*p == ']') return true;
    for (;;) {
        if (out.size() == sample_limits::max_cores) return false;
        double number = 0;
        p = read_plain_number(p, number);
        if (!p || !(number >= 0 && number <= hi)) return false;
        out.push_back(number);
        while (is_json_space(*p)) ++p;
        if (*p == ']') return true;
        if (*p++ != ',') return false;
        while (is_json_space(*p)) ++p;
    }
}

// Reads an array of at most `limit` objects into `out`, overwriting its elements in place so
// their strings keep their capacity; `read_item(element, index, item)` reads one.
template <typename T, typename ReadItem>
WINDASH_HOT status read_list(od::value value, std::vector<T>& out, std::size_t limit,
                             std::string_view path, std::string_view broken_rule, read_state& state,
                             ReadItem&& read_item) {
    od::array array;
    if (value.get_array().get(array)) return state.reject(errc::wrong_type, {path}, broken_rule);
    std::size_t count = 0;
    WINDASH_TRY_READ(for_each_element(array, state, [&](std::size_t index, od::value element) {
        if (index == limit) return state.reject(errc::out_of_range, {path}, broken_rule);
        if (index == out.size()) out.emplace_back();
        count = index + 1;
        return read_item(element, index, out[index]);
    }));
    out.resize(count);
    return status::ok;
}

}  // namespace

status sample_reader::get_object(od::value value, od::object& object, std::string_view path) {
    if (value.get_object().get(object))
        return state_.reject(errc::not_an_object, {path}, rule::object);
    return status::ok;
}

status sample_reader::get_array(od::value value, od::array& array, std::string_view path,
                                std::string_view broken_rule) {
    if (value.get_array().get(array)) return state_.reject(errc::wrong_type, {path}, broken_rule);
    return status::ok;
}

status sample_reader::read(od::value value, sample& out) {
    od::object object;
    WINDASH_TRY_READ(get_object(value, object, "sample"));
    out.load.reset();
    out.temps.clear();
    unsigned seen = 0;
    WINDASH_TRY_READ(read_fields(object, out, seen));
    for (const auto& field : sample_required)
        if (!(seen & field.bit))
            return state_.reject(errc::missing_field, {field.name}, rule::required);
    return status::ok;
}

status sample_reader::read_fields(od::object& object, sample& out, unsigned& seen) {
    return for_each_field(object, state_, [&](auto key, od::value value) {
        if (key.is("v")) {
            seen |= has_v;
            std::uint64_t version = 0;
            if (value.get_uint64().get(version) || version != 1)
                return state_.reject(errc::out_of_range, {"v"}, rule::version);
            return status::ok;
        }
        if (key.is("ts")) return seen |= has_ts, read_timestamp(value, out.ts);
        if (key.is("hostId")) return seen |= has_host_id, read_host_id(value, out.host_id);
        if (key.is("cpu")) return seen |= has_cpu, read_cpu(value, out.cpu);
        if (key.is("mem")) return seen |= has_mem, read_memory(value, out.mem);
        if (key.is("disk")) return seen |= has_disk, read_disks(value, out.disks);
        if (key.is("net")) return seen |= has_net, read_network(value, out.net);
        if (key.is("uptimeSec"))
            return seen |= has_uptime, read_u64(value, out.uptime_sec, {"uptimeSec"}, state_);
        if (key.is("procCount"))
            return seen |= has_proc_count, read_u64(value, out.proc_count, {"procCount"}, state_);
        if (key.is("load")) return read_load(value, out.load);
        if (key.is("temps")) return read_temperatures(value, out.temps);
        return status::unmatched;
    });
}

status sample_reader::read_timestamp(od::value value, timestamp& out) {
    std::string_view text;
    if (value.get_string().get(text))
        return state_.reject(errc::wrong_type, {"ts"}, "must be an RFC 3339 UTC time string");
    auto parsed = parse_rfc3339(text);
    if (!parsed) {
        // The timestamp category's message names the rule; keep it with the path.
        state_.reject(errc::bad_timestamp, {"ts"}, {});
        static const std::string bad_format = make_error_code(timestamp_errc::bad_format).message();
        static const std::string not_utc = make_error_code(timestamp_errc::not_utc).message();
        static const std::string out_of_range =
            make_error_code(timestamp_errc::out_of_range).message();
        const auto e = parsed.error();
        state_.rule = e == timestamp_errc::not_utc        ? not_utc
                      : e == timestamp_errc::out_of_range ? out_of_range
                                                          : bad_format;
        return status::rejected;
    }
    out = *parsed;
    return status::ok;
}

status sample_reader::read_host_id(od::value value, std::string& out) {
    std::string_view id;
    if (value.get_string().get(id) || !is_valid_host_id(id))
        return state_.reject(errc::bad_host_id, {"hostId"}, rule::host_id);
    if (!expected_host_id_.empty() && id != expected_host_id_)
        return state_.reject(errc::host_mismatch, {"hostId"}, rule::host_mismatch);
    out.assign(id);
    return status::ok;
}

status sample_reader::read_numbers(od::value value, std::vector<double>& out, double hi,
                                   std::string_view path, std::string_view broken_rule) {
    // Arrays of plain decimals are most of a sample's bytes: read them straight from the text
    // when they are that simple (the iterator then skips the array as one unit), and fall back
    // to element-by-element reading, which gives the precise error, for anything else.
    if (read_plain_numbers(value.raw_json_token().data(), out, hi)) return status::ok;
    od::array array;
    WINDASH_TRY_READ(get_array(value, array, path, broken_rule));
    out.clear();
    return for_each_element(array, state_, [&](std::size_t index, od::value element) {
        if (index == sample_limits::max_cores)
            return state_.reject(errc::out_of_range, {path}, broken_rule);
        double number = 0;
        WINDASH_TRY_READ(read_number(element, number, 0, hi, {path, index}, broken_rule, state_));
        out.push_back(number);
        return status::ok;
    });
}

status sample_reader::read_cpu(od::value value, cpu_usage& out) {
    od::object object;
    WINDASH_TRY_READ(get_object(value, object, "cpu"));
    out.freq_mhz.clear();
    bool has_total = false, has_per_core = false;
    WINDASH_TRY_READ(for_each_field(object, state_, [&](auto key, od::value field) {
        if (key.is("total"))
            return has_total = true, read_number(field, out.total, 0, sample_limits::max_percent,
                                                 {"cpu.total"}, rule::percent, state_);
        if (key.is("perCore"))
            return has_per_core = true,
                   read_numbers(field, out.per_core, sample_limits::max_percent, "cpu.perCore",
                                rule::per_core);
        if (key.is("freqMhz"))
            return read_numbers(field, out.freq_mhz, sample_limits::max_frequency_mhz,
                                "cpu.freqMhz", rule::freq);
        return status::unmatched;
    }));
    if (!has_total) return state_.reject(errc::missing_field, {"cpu.total"}, rule::required);
    if (!has_per_core) return state_.reject(errc::missing_field, {"cpu.perCore"}, rule::required);
    return status::ok;
}

status sample_reader::read_memory(od::value value, memory_usage& out) {
    od::object object;
    WINDASH_TRY_READ(get_object(value, object, "mem"));
    out.available.reset();
    out.swap_used.reset();
    out.swap_total.reset();
    bool has_used = false, has_total = false;
    auto read_optional = [&](od::value field, std::optional<std::uint64_t>& slot,
                             std::string_view path) {
        std::uint64_t number = 0;
        WINDASH_TRY_READ(read_u64(field, number, {path}, state_));
        slot = number;
        return status::ok;
    };
    WINDASH_TRY_READ(for_each_field(object, state_, [&](auto key, od::value field) {
        if (key.is("used")) return has_used = true, read_u64(field, out.used, {"mem.used"}, state_);
        if (key.is("total"))
            return has_total = true, read_u64(field, out.total, {"mem.total"}, state_);
        if (key.is("available")) return read_optional(field, out.available, "mem.available");
        if (key.is("swapUsed")) return read_optional(field, out.swap_used, "mem.swapUsed");
        if (key.is("swapTotal")) return read_optional(field, out.swap_total, "mem.swapTotal");
        return status::unmatched;
    }));
    if (!has_used) return state_.reject(errc::missing_field, {"mem.used"}, rule::required);
    if (!has_total) return state_.reject(errc::missing_field, {"mem.total"}, rule::required);
    if (out.used > out.total)
        return state_.reject(errc::used_exceeds_total, {"mem.used"}, rule::mem_used);
    if (out.available && *out.available > out.total)
        return state_.reject(errc::used_exceeds_total, {"mem.available"}, rule::mem_available);
    if (out.swap_used && out.swap_total && *out.swap_used > *out.swap_total)
        return state_.reject(errc::used_exceeds_total, {"mem.swapUsed"}, rule::swap_used);
    return status::ok;
}

status sample_reader::read_disks(od::value value, std::vector<disk_usage>& out) {
    return read_list(value, out, sample_limits::max_disks, "disk", rule::disks, state_,
                     [&](od::value element, std::size_t index, disk_usage& disk) {
                         return read_disk(element, index, disk);
                     });
}

status sample_reader::read_disk(od::value value, std::size_t index, disk_usage& out) {
    od::object object;
    if (value.get_object().get(object))
        return state_.reject(errc::not_an_object, {"disk", index}, rule::object);
    bool has_name = false, has_used = false, has_total = false;
    WINDASH_TRY_READ(for_each_field(object, state_, [&](auto key, od::value field) {
        if (key.is("name"))
            return has_name = true, read_string(field, out.name, 1, sample_limits::max_name_length,
                                                {"disk", index, ".name"}, rule::name, state_);
        if (key.is("used"))
            return has_used = true, read_u64(field, out.used, {"disk", index, ".used"}, state_);
        if (key.is("total"))
            return has_total = true, read_u64(field, out.total, {"disk", index, ".total"}, state_);
        return status::unmatched;
    }));
    if (!has_name)
        return state_.reject(errc::missing_field, {"disk", index, ".name"}, rule::required);
    if (!has_used)
        return state_.reject(errc::missing_field, {"disk", index, ".used"}, rule::required);
    if (!has_total)
        return state_.reject(errc::missing_field, {"disk", index, ".total"}, rule::required);
    if (out.used > out.total)
        return state_.reject(errc::used_exceeds_total, {"disk", index, ".used"}, rule::disk_used);
    return status::ok;
}

status sample_reader::read_network(od::value value, network_rates& out) {
    od::object object;
    WINDASH_TRY_READ(get_object(value, object, "net"));
    bool has_tx = false, has_rx = false;
    WINDASH_TRY_READ(for_each_field(object, state_, [&](auto key, od::value field) {
        if (key.is("txBps"))
            return has_tx = true, read_u64(field, out.tx_bps, {"net.txBps"}, state_);
        if (key.is("rxBps"))
            return has_rx = true, read_u64(field, out.rx_bps, {"net.rxBps"}, state_);
        return status::unmatched;
    }));
    if (!has_tx) return state_.reject(errc::missing_field, {"net.txBps"}, rule::required);
    if (!has_rx) return state_.reject(errc::missing_field, {"net.rxBps"}, rule::required);
    return status::ok;
}

status sample_reader::read_load(od::value value, std::optional<load_average>& out) {
    od::array array;
    WINDASH_TRY_READ(get_array(value, array, "load", rule::load));
    double averages[3] = {};
    std::size_t count = 0;
    WINDASH_TRY_READ(for_each_element(array, state_, [&](std::size_t index, od::value element) {
        if (index == 3) return state_.reject(errc::out_of_range, {"load"}, rule::load);
        count = index + 1;
        return read_number(element, averages[index], 0, sample_limits::max_load, {"load", index},
                           rule::load, state_);
    }));
    if (count != 3) return state_.reject(errc::out_of_range, {"load"}, rule::load);
    out = load_average{averages[0], averages[1], averages[2]};
    return status::ok;
}

status sample_reader::read_temperatures(od::value value, std::vector<temperature>& out) {
    return read_list(value, out, sample_limits::max_temperatures, "temps", rule::temps, state_,
                     [&](od::value element, std::size_t index, temperature& reading) {
                         return read_temperature(element, index, reading);
                     });
}

status sample_reader::read_temperature(od::value value, std::size_t index, temperature& out) {
    od::object object;
    if (value.get_object().get(object))
        return state_.reject(errc::not_an_object, {"temps", index}, rule::object);
    bool has_name = false, has_celsius = false;
    WINDASH_TRY_READ(for_each_field(object, state_, [&](auto key, od::value field) {
        if (key.is("name"))
            return has_name = true, read_string(field, out.name, 1, sample_limits::max_name_length,
                                                {"temps", index, ".name"}, rule::name, state_);
        if (key.is("c"))
            return has_celsius = true, read_number(field, out.celsius, sample_limits::min_celsius,
                                                   sample_limits::max_celsius,
                                                   {"temps", index, ".c"}, rule::celsius, state_);
        return status::unmatched;
    }));
    if (!has_name)
        return state_.reject(errc::missing_field, {"temps", index, ".name"}, rule::required);
    if (!has_celsius)
        return state_.reject(errc::missing_field, {"temps", index, ".c"}, rule::required);
    return status::ok;
}

}  // namespace windash::protocol::detail
