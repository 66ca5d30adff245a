#include "adapters.hpp"
#include "extract.hpp"

#include <boost/json.hpp>

namespace windash::bench {
namespace {

namespace json = boost::json;

struct boost_dom {
    static const json::value* find(const json::value& v, std::string_view key) {
        return v.as_object().if_contains(key);
    }
    static bool is_object(const json::value& v) { return v.is_object(); }
    static bool as_double(const json::value& v, double& out) {
        if (v.is_double()) return out = v.get_double(), true;
        if (v.is_int64()) return out = static_cast<double>(v.get_int64()), true;
        if (v.is_uint64()) return out = static_cast<double>(v.get_uint64()), true;
        return false;
    }
    static bool as_u64(const json::value& v, std::uint64_t& out) {
        if (v.is_uint64()) return out = v.get_uint64(), true;
        if (v.is_int64() && v.get_int64() >= 0)
            return out = static_cast<std::uint64_t>(v.get_int64()), true;
        return false;
    }
    static bool as_string(const json::value& v, std::string_view& out) {
        if (!v.is_string()) return false;
        out = v.get_string();
        return true;
    }
    static bool array_size(const json::value& v, std::size_t& out) {
        if (!v.is_array()) return false;
        out = v.get_array().size();
        return true;
    }
    static const json::value& at(const json::value& v, std::size_t i) { return v.get_array()[i]; }
};

class boost_json_parser final : public baseline_parser {
  public:
    bool parse(std::string_view frame, protocol::metrics_batch& out) override {
        parser_.reset();  // reuses the parser's internal buffers, as a server would
        json::error_code ec;
        parser_.write(frame.data(), frame.size(), ec);
        if (ec) return false;
        const json::value root = parser_.release();
        if (!root.is_object()) return false;
        const json::value* type = root.as_object().if_contains("type");
        if (!type || !type->is_string() || type->get_string() != "metrics") return false;
        out.seq.reset();
        if (const json::value* seq = root.as_object().if_contains("seq")) {
            std::uint64_t value = 0;
            if (!boost_dom::as_u64(*seq, value)) return false;
            out.seq = value;
        }
        const json::value* samples = root.as_object().if_contains("samples");
        if (!samples || !samples->is_array()) return false;
        const auto& array = samples->get_array();
        if (array.empty() || array.size() > protocol::message_limits::max_samples) return false;
        out.samples.resize(array.size());
        out.rejected.clear();
        for (std::size_t i = 0; i < array.size(); ++i)
            if (!extract_sample<boost_dom>(array[i], out.samples[i])) return false;
        return true;
    }

  private:
    json::parser parser_;
};

json::value to_value(const sample& s) {
    json::object cpu{{"total", s.cpu.total},
                     {"perCore", json::array(s.cpu.per_core.begin(), s.cpu.per_core.end())}};
    if (!s.cpu.freq_mhz.empty())
        cpu["freqMhz"] = json::array(s.cpu.freq_mhz.begin(), s.cpu.freq_mhz.end());
    json::object mem{{"used", s.mem.used}, {"total", s.mem.total}};
    if (s.mem.available) mem["available"] = *s.mem.available;
    if (s.mem.swap_used) mem["swapUsed"] = *s.mem.swap_used;
    if (s.mem.swap_total) mem["swapTotal"] = *s.mem.swap_total;
    json::array disks;
    for (const auto& d : s.disks)
        disks.push_back(json::object{{"name", d.name}, {"used", d.used}, {"total", d.total}});
    json::object out{{"v", 1},
                     {"ts", to_rfc3339(s.ts)},
                     {"hostId", s.host_id},
                     {"cpu", std::move(cpu)},
                     {"mem", std::move(mem)},
                     {"disk", std::move(disks)},
                     {"net", json::object{{"txBps", s.net.tx_bps}, {"rxBps", s.net.rx_bps}}},
                     {"uptimeSec", s.uptime_sec},
                     {"procCount", s.proc_count}};
    if (s.load) out["load"] = json::array{s.load->one, s.load->five, s.load->fifteen};
    if (!s.temps.empty()) {
        json::array temps;
        for (const auto& t : s.temps)
            temps.push_back(json::object{{"name", t.name}, {"c", t.celsius}});
        out["temps"] = std::move(temps);
    }
    return out;
}

class boost_json_writer final : public baseline_writer {
  public:
    explicit boost_json_writer(const protocol::metrics_batch& batch) {
        json::array samples;
        for (const auto& s : batch.samples) samples.push_back(to_value(s));
        json::object root{{"type", "metrics"}};
        if (batch.seq) root["seq"] = *batch.seq;
        root["samples"] = std::move(samples);
        document_ = std::move(root);
    }
    void write(std::string& out) override { out = json::serialize(document_); }

  private:
    json::value document_;
};

}  // namespace

std::unique_ptr<baseline_parser> make_boost_json_parser() {
    return std::make_unique<boost_json_parser>();
}
std::unique_ptr<baseline_writer> make_boost_json_writer(const protocol::metrics_batch& batch) {
    return std::make_unique<boost_json_writer>(batch);
}

}  // namespace windash::bench
