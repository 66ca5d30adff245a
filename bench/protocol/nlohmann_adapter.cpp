#include "adapters.hpp"
#include "extract.hpp"

#include <nlohmann/json.hpp>

namespace windash::bench {
namespace {

using json = nlohmann::json;

struct nlohmann_dom {
    static const json* find(const json& v, std::string_view key) {
        auto it = v.find(key);
        return it == v.end() ? nullptr : &*it;
    }
    static bool is_object(const json& v) { return v.is_object(); }
    static bool as_double(const json& v, double& out) {
        if (!v.is_number()) return false;
        out = v.get<double>();
        return true;
    }
    static bool as_u64(const json& v, std::uint64_t& out) {
        if (v.is_number_unsigned()) return out = v.get<std::uint64_t>(), true;
        if (v.is_number_integer() && v.get<std::int64_t>() >= 0)
            return out = static_cast<std::uint64_t>(v.get<std::int64_t>()), true;
        return false;
    }
    static bool as_string(const json& v, std::string_view& out) {
        if (!v.is_string()) return false;
        out = v.get_ref<const std::string&>();
        return true;
    }
    static bool array_size(const json& v, std::size_t& out) {
        if (!v.is_array()) return false;
        out = v.size();
        return true;
    }
    static const json& at(const json& v, std::size_t i) { return v[i]; }
};

class nlohmann_parser final : public baseline_parser {
  public:
    bool parse(std::string_view frame, protocol::metrics_batch& out) override {
        const json root = json::parse(frame, nullptr, false);
        if (root.is_discarded() || !root.is_object()) return false;
        auto type = root.find("type");
        if (type == root.end() || !type->is_string() ||
            type->get_ref<const std::string&>() != "metrics")
            return false;
        out.seq.reset();
        if (const json* seq = nlohmann_dom::find(root, "seq")) {
            std::uint64_t value = 0;
            if (!nlohmann_dom::as_u64(*seq, value)) return false;
            out.seq = value;
        }
        const json* samples = nlohmann_dom::find(root, "samples");
        if (!samples || !samples->is_array() || samples->empty() ||
            samples->size() > protocol::message_limits::max_samples)
            return false;
        out.samples.resize(samples->size());
        out.rejected.clear();
        for (std::size_t i = 0; i < samples->size(); ++i)
            if (!extract_sample<nlohmann_dom>((*samples)[i], out.samples[i])) return false;
        return true;
    }
};

json to_json(const sample& s) {
    json cpu{{"total", s.cpu.total}, {"perCore", s.cpu.per_core}};
    if (!s.cpu.freq_mhz.empty()) cpu["freqMhz"] = s.cpu.freq_mhz;
    json mem{{"used", s.mem.used}, {"total", s.mem.total}};
    if (s.mem.available) mem["available"] = *s.mem.available;
    if (s.mem.swap_used) mem["swapUsed"] = *s.mem.swap_used;
    if (s.mem.swap_total) mem["swapTotal"] = *s.mem.swap_total;
    json disks = json::array();
    for (const auto& d : s.disks)
        disks.push_back({{"name", d.name}, {"used", d.used}, {"total", d.total}});
    json out{{"v", 1},
             {"ts", to_rfc3339(s.ts)},
             {"hostId", s.host_id},
             {"cpu", cpu},
             {"mem", mem},
             {"disk", disks},
             {"net", {{"txBps", s.net.tx_bps}, {"rxBps", s.net.rx_bps}}},
             {"uptimeSec", s.uptime_sec},
             {"procCount", s.proc_count}};
    if (s.load) out["load"] = {s.load->one, s.load->five, s.load->fifteen};
    if (!s.temps.empty()) {
        json temps = json::array();
        for (const auto& t : s.temps) temps.push_back({{"name", t.name}, {"c", t.celsius}});
        out["temps"] = temps;
    }
    return out;
}

class nlohmann_writer final : public baseline_writer {
  public:
    explicit nlohmann_writer(const protocol::metrics_batch& batch) {
        json samples = json::array();
        for (const auto& s : batch.samples) samples.push_back(to_json(s));
        document_ = {{"type", "metrics"}};
        if (batch.seq) document_["seq"] = *batch.seq;
        document_["samples"] = samples;
    }
    void write(std::string& out) override { out = document_.dump(); }

  private:
    json document_;
};

}  // namespace

std::unique_ptr<baseline_parser> make_nlohmann_parser() {
    return std::make_unique<nlohmann_parser>();
}
std::unique_ptr<baseline_writer> make_nlohmann_writer(const protocol::metrics_batch& batch) {
    return std::make_unique<nlohmann_writer>(batch);
}

}  // namespace windash::bench
