#pragma once
// Validation and extraction shared by the DOM-based baselines: written once against a tiny
// accessor interface so Boost.JSON and nlohmann do the same work as windash's parser.

#include <windash/core/sample.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

namespace windash::bench {

/// Extracts a sample from a DOM node, with SPEC §1's checks. `Dom` provides static
/// functions: find(node, key) -> const node* or nullptr; as_double(node, double&);
/// as_u64(node, uint64_t&); as_string(node, string_view&); array_size(node, size_t&);
/// at(node, i) -> const node&; is_object(node).
template <typename Dom, typename Node>
bool extract_sample(const Node& node, sample& out) {
    if (!Dom::is_object(node)) return false;
    auto number = [](const Node* n, double& v, double lo, double hi) {
        return n && Dom::as_double(*n, v) && v >= lo && v <= hi;
    };
    auto u64 = [](const Node* n, std::uint64_t& v) { return n && Dom::as_u64(*n, v); };
    auto numbers = [](const Node* n, std::vector<double>& v, double hi) {
        std::size_t size = 0;
        if (!n || !Dom::array_size(*n, size) || size > sample_limits::max_cores) return false;
        v.resize(size);
        for (std::size_t i = 0; i < size; ++i)
            if (!Dom::as_double(Dom::at(*n, i), v[i]) || v[i] < 0 || v[i] > hi) return false;
        return true;
    };
    std::uint64_t version = 0;
    if (!u64(Dom::find(node, "v"), version) || version != 1) return false;
    std::string_view text;
    const Node* ts = Dom::find(node, "ts");
    if (!ts || !Dom::as_string(*ts, text)) return false;
    auto parsed = parse_rfc3339(text);
    if (!parsed) return false;
    out.ts = *parsed;
    const Node* host = Dom::find(node, "hostId");
    if (!host || !Dom::as_string(*host, text) || !is_valid_host_id(text)) return false;
    out.host_id.assign(text);

    const Node* cpu = Dom::find(node, "cpu");
    if (!cpu || !Dom::is_object(*cpu)) return false;
    if (!number(Dom::find(*cpu, "total"), out.cpu.total, 0, 100)) return false;
    if (!numbers(Dom::find(*cpu, "perCore"), out.cpu.per_core, 100)) return false;
    out.cpu.freq_mhz.clear();
    if (const Node* freq = Dom::find(*cpu, "freqMhz");
        freq && !numbers(freq, out.cpu.freq_mhz, 1e6))
        return false;

    const Node* mem = Dom::find(node, "mem");
    if (!mem || !Dom::is_object(*mem)) return false;
    if (!u64(Dom::find(*mem, "used"), out.mem.used) ||
        !u64(Dom::find(*mem, "total"), out.mem.total) || out.mem.used > out.mem.total)
        return false;
    auto optional_u64 = [&](const char* key, std::optional<std::uint64_t>& slot) {
        slot.reset();
        const Node* n = Dom::find(*mem, key);
        std::uint64_t v = 0;
        if (!n) return true;
        if (!Dom::as_u64(*n, v)) return false;
        slot = v;
        return true;
    };
    if (!optional_u64("available", out.mem.available) ||
        !optional_u64("swapUsed", out.mem.swap_used) ||
        !optional_u64("swapTotal", out.mem.swap_total))
        return false;

    const Node* disks = Dom::find(node, "disk");
    std::size_t size = 0;
    if (!disks || !Dom::array_size(*disks, size) || size > sample_limits::max_disks) return false;
    out.disks.resize(size);
    for (std::size_t i = 0; i < size; ++i) {
        const Node& d = Dom::at(*disks, i);
        const Node* name = Dom::is_object(d) ? Dom::find(d, "name") : nullptr;
        if (!name || !Dom::as_string(*name, text) || text.empty() ||
            text.size() > sample_limits::max_name_length)
            return false;
        out.disks[i].name.assign(text);
        if (!u64(Dom::find(d, "used"), out.disks[i].used) ||
            !u64(Dom::find(d, "total"), out.disks[i].total) ||
            out.disks[i].used > out.disks[i].total)
            return false;
    }
    const Node* net = Dom::find(node, "net");
    if (!net || !Dom::is_object(*net) || !u64(Dom::find(*net, "txBps"), out.net.tx_bps) ||
        !u64(Dom::find(*net, "rxBps"), out.net.rx_bps))
        return false;
    if (!u64(Dom::find(node, "uptimeSec"), out.uptime_sec) ||
        !u64(Dom::find(node, "procCount"), out.proc_count))
        return false;

    out.load.reset();
    if (const Node* load = Dom::find(node, "load")) {
        std::vector<double> values;
        if (!numbers(load, values, 1e6) || values.size() != 3) return false;
        out.load = load_average{values[0], values[1], values[2]};
    }
    out.temps.clear();
    if (const Node* temps = Dom::find(node, "temps")) {
        if (!Dom::array_size(*temps, size) || size > sample_limits::max_temperatures) return false;
        out.temps.resize(size);
        for (std::size_t i = 0; i < size; ++i) {
            const Node& t = Dom::at(*temps, i);
            const Node* name = Dom::is_object(t) ? Dom::find(t, "name") : nullptr;
            if (!name || !Dom::as_string(*name, text) || text.empty() ||
                text.size() > sample_limits::max_name_length)
                return false;
            out.temps[i].name.assign(text);
            if (!number(Dom::find(t, "c"), out.temps[i].celsius, -273.15, 1000)) return false;
        }
    }
    return true;
}

}  // namespace windash::bench
