#include "protocol/plain_scanner.hpp"

#include "protocol/field_name.hpp"
#include "protocol/plain_number.hpp"

#include <cstdint>
#include <limits>

namespace windash::protocol::detail {
namespace {

// Each parse step returns false to give up; on success the cursor is past what it read.
class plain_scanner {
  public:
    explicit plain_scanner(const char* text) noexcept : p_(text) {}

    bool sample(windash::sample& out, std::string_view expected_host_id) noexcept;
    bool metrics(const char* end, std::size_t max_samples, metrics_batch& out,
                 std::string_view expected_host_id) noexcept;

  private:
    bool cpu(cpu_usage& out) noexcept;
    bool memory(memory_usage& out) noexcept;
    bool disk(disk_usage& out) noexcept;
    bool network(network_rates& out) noexcept;
    bool load(std::optional<load_average>& out) noexcept;
    bool temperature(windash::temperature& out) noexcept;
    bool numbers(std::vector<double>& out, double hi) noexcept;
    bool number(double& out, double lo, double hi) noexcept;
    bool integer(std::uint64_t& out) noexcept;
    bool text(std::string_view& out) noexcept;
    bool name(std::string& out) noexcept;

    [[gnu::always_inline]] bool field(const raw_key& key, const field_name& name) noexcept;
    // Walks `{"key":value,...}`, calling on_key(raw_key) for each key; on_key matches it with
    // field(), which moves the cursor to the value, reads the value, and returns true.
    template <typename OnKey>
    bool object(OnKey&& on_key) noexcept;
    // Walks `[value,...]`, calling on_element(index) with the cursor on each element.
    template <typename OnElement>
    bool array(OnElement&& on_element) noexcept;

    void skip_space() noexcept {
        while (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t') ++p_;
    }
    bool expect(char c) noexcept {
        skip_space();
        if (*p_ != c) return false;
        ++p_;
        return true;
    }

    const char* p_;
};

template <typename OnKey>
bool plain_scanner::object(OnKey&& on_key) noexcept {
    if (!expect('{')) return false;
    skip_space();
    if (*p_ == '}') return ++p_, true;
    for (;;) {
        if (*p_ != '"') return false;
        const raw_key key(++p_);
        if (!on_key(key)) return false;  // a known name was matched (see field) and read
        skip_space();
        if (*p_ == '}') return ++p_, true;
        if (*p_++ != ',') return false;
        skip_space();
    }
}

// True when `key` is `name`: then moves past the key and its colon to the value.
[[gnu::always_inline]] inline bool plain_scanner::field(const raw_key& key,
                                                        const field_name& name) noexcept {
    if (!key.is(name)) return false;
    p_ += name.text.size() + 1;
    if (!expect(':')) return false;
    skip_space();
    return true;
}

template <typename OnElement>
bool plain_scanner::array(OnElement&& on_element) noexcept {
    if (!expect('[')) return false;
    skip_space();
    if (*p_ == ']') return ++p_, true;
    for (std::size_t index = 0;; ++index) {
        if (!on_element(index)) return false;
        skip_space();
        if (*p_ == ']') return ++p_, true;
        if (*p_++ != ',') return false;
        skip_space();
    }
}

// A string without escapes; the bytes inside were checked by stage 1.
bool plain_scanner::text(std::string_view& out) noexcept {
    if (*p_ != '"') return false;
    const char* begin = ++p_;
    while (*p_ != '"' && *p_ != '\\') ++p_;
    if (*p_ != '"') return false;
    out = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
    ++p_;
    return true;
}

// A disk or sensor name; Windows drive names (`C:\\`) make the two-character escapes common
// here, so they are unescaped in place. `\u` escapes take the general path.
bool plain_scanner::name(std::string& out) noexcept {
    if (*p_ != '"') return false;
    const char* begin = ++p_;
    while (*p_ != '"' && *p_ != '\\') ++p_;
    out.assign(begin, p_);
    while (*p_ == '\\') {
        char c = 0;
        switch (p_[1]) {
            case '"':
                c = '"';
                break;
            case '\\':
                c = '\\';
                break;
            case '/':
                c = '/';
                break;
            case 'b':
                c = '\b';
                break;
            case 'f':
                c = '\f';
                break;
            case 'n':
                c = '\n';
                break;
            case 'r':
                c = '\r';
                break;
            case 't':
                c = '\t';
                break;
            default:
                return false;
        }
        out += c;
        begin = p_ += 2;
        while (*p_ != '"' && *p_ != '\\') ++p_;
        out.append(begin, p_);
    }
    ++p_;  // the closing quote
    return !out.empty() && out.size() <= sample_limits::max_name_length;
}

// JSON's unsigned integers: `0` or a non-zero digit then digits, at most 19 digits so the
// value cannot overflow (longer ones take the general path).
bool plain_scanner::integer(std::uint64_t& out) noexcept {
    if (*p_ == '0') {
        ++p_;
        out = 0;
    } else {
        if (*p_ < '1' || *p_ > '9') return false;
        std::uint64_t value = 0;
        const char* begin = p_;
        for (; *p_ >= '0' && *p_ <= '9'; ++p_)
            value = value * 10 + static_cast<unsigned>(*p_ - '0');
        if (p_ - begin > 19) return false;
        out = value;
    }
    return *p_ != '.' && *p_ != 'e' && *p_ != 'E';
}

bool plain_scanner::number(double& out, double lo, double hi) noexcept {
    const char* end = read_plain_number(p_, out);
    if (!end) return false;
    p_ = end;
    return out >= lo && out <= hi;
}

bool plain_scanner::numbers(std::vector<double>& out, double hi) noexcept {
    out.clear();
    return array([&](std::size_t index) {
        double value = 0;
        if (index == sample_limits::max_cores || !number(value, 0, hi)) return false;
        out.push_back(value);
        return true;
    });
}

bool plain_scanner::cpu(cpu_usage& out) noexcept {
    unsigned seen = 0;
    out.freq_mhz.clear();
    const bool read = object([&](const raw_key& key) {
        if (field(key, "total")) return seen |= 1, number(out.total, 0, sample_limits::max_percent);
        if (field(key, "perCore"))
            return seen |= 2, numbers(out.per_core, sample_limits::max_percent);
        if (field(key, "freqMhz"))
            return seen |= 4, numbers(out.freq_mhz, sample_limits::max_frequency_mhz);
        return false;
    });
    return read && (seen & 3) == 3;
}

bool plain_scanner::memory(memory_usage& out) noexcept {
    unsigned seen = 0;
    std::uint64_t available = 0, swap_used = 0, swap_total = 0;
    const bool read = object([&](const raw_key& key) {
        if (field(key, "used")) return seen |= 1, integer(out.used);
        if (field(key, "total")) return seen |= 2, integer(out.total);
        if (field(key, "available")) return seen |= 4, integer(available);
        if (field(key, "swapUsed")) return seen |= 8, integer(swap_used);
        if (field(key, "swapTotal")) return seen |= 16, integer(swap_total);
        return false;
    });
    if (!read || (seen & 3) != 3 || out.used > out.total) return false;
    out.available = seen & 4 ? std::optional(available) : std::nullopt;
    out.swap_used = seen & 8 ? std::optional(swap_used) : std::nullopt;
    out.swap_total = seen & 16 ? std::optional(swap_total) : std::nullopt;
    if (out.available && *out.available > out.total) return false;
    return !(out.swap_used && out.swap_total && *out.swap_used > *out.swap_total);
}

bool plain_scanner::disk(disk_usage& out) noexcept {
    unsigned seen = 0;
    const bool read = object([&](const raw_key& key) {
        if (field(key, "name")) return seen |= 1, name(out.name);
        if (field(key, "used")) return seen |= 2, integer(out.used);
        if (field(key, "total")) return seen |= 4, integer(out.total);
        return false;
    });
    return read && seen == 7 && out.used <= out.total;
}

bool plain_scanner::network(network_rates& out) noexcept {
    unsigned seen = 0;
    const bool read = object([&](const raw_key& key) {
        if (field(key, "txBps")) return seen |= 1, integer(out.tx_bps);
        if (field(key, "rxBps")) return seen |= 2, integer(out.rx_bps);
        return false;
    });
    return read && seen == 3;
}

bool plain_scanner::load(std::optional<load_average>& out) noexcept {
    double values[3] = {};
    std::size_t count = 0;
    const bool read = array([&](std::size_t index) {
        count = index + 1;
        return index < 3 && number(values[index], 0, sample_limits::max_load);
    });
    if (!read || count != 3) return false;
    out = load_average{values[0], values[1], values[2]};
    return true;
}

bool plain_scanner::temperature(windash::temperature& out) noexcept {
    unsigned seen = 0;
    const bool read = object([&](const raw_key& key) {
        if (field(key, "name")) return seen |= 1, name(out.name);
        if (field(key, "c"))
            return seen |= 2,
                   number(out.celsius, sample_limits::min_celsius, sample_limits::max_celsius);
        return false;
    });
    return read && seen == 3;
}

// Grows `items` as the array is read, reusing the elements already there.
template <typename T, typename Read>
auto into(std::vector<T>& items, std::size_t limit, Read read) {
    return [&items, limit, read](std::size_t index) {
        if (index == limit) return false;
        if (index == items.size()) items.emplace_back();
        return read(items[index]);
    };
}

bool plain_scanner::sample(windash::sample& out, std::string_view expected_host_id) noexcept {
    unsigned seen = 0;
    std::size_t disks = 0, temps = 0;
    out.load.reset();
    const auto once = [&](unsigned bit) { return !(seen & bit) && (seen |= bit, true); };
    const bool read = object([&](const raw_key& key) {
        if (field(key, "v")) {
            std::uint64_t version = 0;
            return once(1) && integer(version) && version == 1;
        }
        if (field(key, "ts")) {
            std::string_view value;
            if (!once(2) || !text(value)) return false;
            auto parsed = parse_rfc3339(value);
            return parsed && (out.ts = *parsed, true);
        }
        if (field(key, "hostId")) {
            std::string_view value;
            if (!once(4) || !text(value) || !is_valid_host_id(value)) return false;
            if (!expected_host_id.empty() && value != expected_host_id) return false;
            out.host_id.assign(value);
            return true;
        }
        if (field(key, "cpu")) return once(8) && cpu(out.cpu);
        if (field(key, "mem")) return once(16) && memory(out.mem);
        if (field(key, "disk")) {
            return once(32) && array(into(out.disks, sample_limits::max_disks,
                                          [&](disk_usage& d) { return ++disks, disk(d); }));
        }
        if (field(key, "net")) return once(64) && network(out.net);
        if (field(key, "uptimeSec")) return once(128) && integer(out.uptime_sec);
        if (field(key, "procCount")) return once(256) && integer(out.proc_count);
        if (field(key, "load")) return once(512) && load(out.load);
        if (field(key, "temps")) {
            return once(1024) &&
                   array(into(out.temps, sample_limits::max_temperatures,
                              [&](windash::temperature& t) { return ++temps, temperature(t); }));
        }
        return false;
    });
    if (!read || (seen & 511) != 511) return false;
    out.disks.resize(disks);
    out.temps.resize(temps);
    return true;
}

bool plain_scanner::metrics(const char* end, std::size_t max_samples, metrics_batch& out,
                            std::string_view expected_host_id) noexcept {
    bool is_metrics = false;
    std::uint64_t seq = 0;
    std::size_t count = 0;
    unsigned seen = 0;
    const auto once = [&](unsigned bit) { return !(seen & bit) && (seen |= bit, true); };
    const bool read = object([&](const raw_key& key) {
        if (field(key, "type")) {
            std::string_view type;
            return once(1) && text(type) && (is_metrics = type == "metrics");
        }
        if (field(key, "seq")) return once(2) && integer(seq);
        if (field(key, "samples")) {
            return once(4) && array(into(out.samples, max_samples, [&](windash::sample& s) {
                       return ++count, sample(s, expected_host_id);
                   }));
        }
        return false;
    });
    skip_space();
    if (!read || p_ != end || !is_metrics || count == 0) return false;
    out.samples.resize(count);
    out.rejected.clear();
    out.seq = seen & 2 ? std::optional(seq) : std::nullopt;
    return true;
}

}  // namespace

bool scan_plain_metrics(std::string_view frame, std::size_t max_samples, metrics_batch& out,
                        std::string_view expected_host_id) noexcept {
    return plain_scanner(frame.data())
        .metrics(frame.data() + frame.size(), max_samples, out, expected_host_id);
}

bool scan_plain_sample(const char* text, sample& out, std::string_view expected_host_id) noexcept {
    return plain_scanner(text).sample(out, expected_host_id);
}

}  // namespace windash::protocol::detail
