#include <windash/protocol/writer.hpp>

#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace windash::protocol {
namespace {

// Worst-case bytes of one number: a shortest double is at most 24 characters.
constexpr std::size_t max_number_bytes = 32;
// A string escapes to at most 6 bytes per input byte (\u00XX), plus its quotes.
constexpr std::size_t max_string_bytes(std::size_t n) { return 6 * n + 2; }

// "00" to "99": integers are written two digits per division.
constexpr auto digit_pairs = [] {
    std::array<char, 200> pairs{};
    for (int i = 0; i < 100; ++i) {
        pairs[static_cast<std::size_t>(2 * i)] = static_cast<char>('0' + i / 10);
        pairs[static_cast<std::size_t>(2 * i + 1)] = static_cast<char>('0' + i % 10);
    }
    return pairs;
}();

// Number of decimal digits of `value` (at least 1): log10 from the bit width, corrected once.
inline int count_digits(std::uint64_t value) noexcept {
    static constexpr std::uint64_t powers[] = {1ull,
                                               10ull,
                                               100ull,
                                               1000ull,
                                               10000ull,
                                               100000ull,
                                               1000000ull,
                                               10000000ull,
                                               100000000ull,
                                               1000000000ull,
                                               10000000000ull,
                                               100000000000ull,
                                               1000000000000ull,
                                               10000000000000ull,
                                               100000000000000ull,
                                               1000000000000000ull,
                                               10000000000000000ull,
                                               100000000000000000ull,
                                               1000000000000000000ull,
                                               10000000000000000000ull};
    const int guess = (static_cast<int>(std::bit_width(value | 1)) * 1233) >> 12;
    return guess + 1 - ((value | 1) < powers[guess]);  // "| 1": 0 has one digit too
}

// Writes `value` in decimal at `out` and returns the end: digits land in place, two per
// division, with fixed-size copies only (inlined; std::to_chars is an out-of-line call here).
inline char* write_decimal(char* out, std::uint64_t value) noexcept {
    char* const end = out + count_digits(value);
    char* p = end;
    while (value >= 100) {
        p -= 2;
        std::memcpy(p, &digit_pairs[2 * (value % 100)], 2);
        value /= 100;
    }
    if (value >= 10)
        std::memcpy(p - 2, &digit_pairs[2 * value], 2);
    else
        p[-1] = static_cast<char>('0' + value);
    return end;
}

// Bytes a JSON string must escape: quote, backslash and the control characters.
constexpr auto needs_escape = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 0x20; ++c) table[static_cast<std::size_t>(c)] = true;
    table['"'] = table['\\'] = true;
    return table;
}();

// Writes into a region reserved in advance and gives back what it did not use. Sizes are
// computed from the value before writing, so the hot loop never checks capacity.
class cursor {
  public:
    cursor(std::string& out, std::size_t bound) : out_(out), start_(out.size()) {
        out_.resize(start_ + bound);
        p_ = out_.data() + start_;
    }
    ~cursor() { out_.resize(static_cast<std::size_t>(p_ - out_.data())); }
    cursor(const cursor&) = delete;
    cursor& operator=(const cursor&) = delete;

    template <std::size_t N>
    void raw(const char (&text)[N]) {
        std::memcpy(p_, text, N - 1);
        p_ += N - 1;
    }
    void raw(std::string_view text) {
        std::memcpy(p_, text.data(), text.size());
        p_ += text.size();
    }
    void put(char c) { *p_++ = c; }
    void number(std::uint64_t v) { p_ = write_decimal(p_, v); }
    void number(double v);
    void string(std::string_view text);
    void time(timestamp t) { p_ += format_rfc3339(t, p_); }

  private:
    bool fixed_point(double v);

    std::string& out_;
    std::size_t start_;
    char* p_;
};

// Values measured by agents mostly have at most two decimals (45.2, 12.75): for those,
// integer formatting of v*100 is exact and several times faster than a shortest-double search.
// "i/100" reads back as the nearest double to i/100, which is what i / 100.0 computes, so the
// equality test below proves the text round-trips.
bool cursor::fixed_point(double v) {
    constexpr double limit = 1e15;  // keeps v*100 an exact integer in a double
    const double scaled = v * 100;
    if (!(scaled > -limit && scaled < limit)) return false;
    // Rounds to nearest by truncating scaled +- 0.5: exact enough, since the check below
    // accepts only an integer that reproduces v.
    const auto hundredths = static_cast<std::int64_t>(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
    if (static_cast<double>(hundredths) / 100 != v) return false;
    std::uint64_t magnitude = hundredths < 0 ? 0 - static_cast<std::uint64_t>(hundredths)
                                             : static_cast<std::uint64_t>(hundredths);
    if (hundredths < 0) put('-');
    number(magnitude / 100);
    if (const auto fraction = static_cast<unsigned>(magnitude % 100); fraction != 0) {
        put('.');
        put(static_cast<char>('0' + fraction / 10));
        if (fraction % 10 != 0) put(static_cast<char>('0' + fraction % 10));
    }
    return true;
}

void cursor::number(double v) {
    if (!std::isfinite(v)) return raw("null");
    if (v == 0) return put('0');  // also -0.0, which JSON readers treat alike
    if (fixed_point(v)) return;
    p_ = std::to_chars(p_, p_ + max_number_bytes, v).ptr;
}

void cursor::string(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    put('"');
    std::size_t done = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto u = static_cast<unsigned char>(text[i]);
        if (!needs_escape[u]) continue;
        raw(text.substr(done, i - done));  // the run of plain bytes before this one
        done = i + 1;
        put('\\');
        switch (text[i]) {
            case '"':
                put('"');
                break;
            case '\\':
                put('\\');
                break;
            case '\n':
                put('n');
                break;
            case '\r':
                put('r');
                break;
            case '\t':
                put('t');
                break;
            case '\b':
                put('b');
                break;
            case '\f':
                put('f');
                break;
            default:
                raw("u00");
                put(hex[u >> 4]);
                put(hex[u & 0xf]);
        }
    }
    raw(text.substr(done));
    put('"');
}

std::size_t sample_bound(const sample& s) {
    std::size_t n = 512 + max_rfc3339_length + max_string_bytes(s.host_id.size());
    n += (s.cpu.per_core.size() + s.cpu.freq_mhz.size()) * (max_number_bytes + 1);
    for (const auto& d : s.disks) n += 64 + max_string_bytes(d.name.size()) + 2 * max_number_bytes;
    for (const auto& t : s.temps) n += 16 + max_string_bytes(t.name.size()) + max_number_bytes;
    return n;
}

void write_doubles(cursor& w, const std::vector<double>& values) {
    w.put('[');
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i != 0) w.put(',');
        w.number(values[i]);
    }
    w.put(']');
}

void write_optional(cursor& w, const char* key_with_comma, const std::optional<std::uint64_t>& v) {
    if (!v) return;
    w.raw(std::string_view{key_with_comma});
    w.number(*v);
}

void write_sample_fields(cursor& w, const sample& s) {
    w.raw("{\"v\":1,\"ts\":\"");
    w.time(s.ts);
    w.raw("\",\"hostId\":");
    w.string(s.host_id);
    w.raw(",\"cpu\":{\"total\":");
    w.number(s.cpu.total);
    w.raw(",\"perCore\":");
    write_doubles(w, s.cpu.per_core);
    if (!s.cpu.freq_mhz.empty()) {
        w.raw(",\"freqMhz\":");
        write_doubles(w, s.cpu.freq_mhz);
    }
    w.raw("},\"mem\":{\"used\":");
    w.number(s.mem.used);
    w.raw(",\"total\":");
    w.number(s.mem.total);
    write_optional(w, ",\"available\":", s.mem.available);
    write_optional(w, ",\"swapUsed\":", s.mem.swap_used);
    write_optional(w, ",\"swapTotal\":", s.mem.swap_total);
    w.raw("},\"disk\":[");
    for (std::size_t i = 0; i < s.disks.size(); ++i) {
        w.raw(i == 0 ? std::string_view{"{\"name\":"} : std::string_view{",{\"name\":"});
        w.string(s.disks[i].name);
        w.raw(",\"used\":");
        w.number(s.disks[i].used);
        w.raw(",\"total\":");
        w.number(s.disks[i].total);
        w.put('}');
    }
    w.raw("],\"net\":{\"txBps\":");
    w.number(s.net.tx_bps);
    w.raw(",\"rxBps\":");
    w.number(s.net.rx_bps);
    w.raw("},\"uptimeSec\":");
    w.number(s.uptime_sec);
    w.raw(",\"procCount\":");
    w.number(s.proc_count);
    if (s.load) {
        w.raw(",\"load\":[");
        w.number(s.load->one);
        w.put(',');
        w.number(s.load->five);
        w.put(',');
        w.number(s.load->fifteen);
        w.put(']');
    }
    if (!s.temps.empty()) {
        w.raw(",\"temps\":[");
        for (std::size_t i = 0; i < s.temps.size(); ++i) {
            w.raw(i == 0 ? std::string_view{"{\"name\":"} : std::string_view{",{\"name\":"});
            w.string(s.temps[i].name);
            w.raw(",\"c\":");
            w.number(s.temps[i].celsius);
            w.put('}');
        }
        w.put(']');
    }
    w.put('}');
}

void write_optional_seq(cursor& w, const std::optional<std::uint64_t>& seq) {
    write_optional(w, ",\"seq\":", seq);
}

std::size_t rejected_bound(const std::vector<rejected_sample>& rejected) {
    std::size_t n = 0;
    for (const auto& r : rejected) n += 32 + max_number_bytes + max_string_bytes(r.error.size());
    return n;
}

}  // namespace

void write_sample(std::string& out, const sample& s) {
    cursor w(out, sample_bound(s));
    write_sample_fields(w, s);
}

void write_metrics(std::string& out, const metrics_batch& b) {
    {
        cursor w(out, 64);
        w.raw("{\"type\":\"metrics\"");
        write_optional_seq(w, b.seq);
        w.raw(",\"samples\":[");
    }
    for (std::size_t i = 0; i < b.samples.size(); ++i) {
        cursor w(out, sample_bound(b.samples[i]) + 1);
        if (i != 0) w.put(',');
        write_sample_fields(w, b.samples[i]);
    }
    out += "]}";
}

void write_hello(std::string& out, const hello& h) {
    cursor w(out, 128 + max_string_bytes(h.agent.size() + h.os.size() + h.hostname.size()));
    w.raw("{\"type\":\"hello\"");
    const std::pair<const char*, const std::string*> fields[] = {
        {",\"agent\":", &h.agent}, {",\"os\":", &h.os}, {",\"hostname\":", &h.hostname}};
    for (const auto& [key, value] : fields) {
        if (value->empty()) continue;
        w.raw(std::string_view{key});
        w.string(*value);
    }
    write_optional(w, ",\"cores\":", h.cores);
    w.put('}');
}

void write_ack(std::string& out, const ack& a) {
    cursor w(out, 128 + rejected_bound(a.rejected));
    w.raw("{\"type\":\"ack\"");
    write_optional_seq(w, a.seq);
    w.raw(",\"accepted\":");
    w.number(a.accepted);
    w.raw(",\"duplicates\":");
    w.number(a.duplicates);
    w.raw(",\"rejected\":[");
    for (std::size_t i = 0; i < a.rejected.size(); ++i) {
        w.raw(i == 0 ? std::string_view{"{\"index\":"} : std::string_view{",{\"index\":"});
        w.number(std::uint64_t{a.rejected[i].index});
        w.raw(",\"error\":");
        w.string(a.rejected[i].error);
        w.put('}');
    }
    w.raw("]}");
}

void write_error(std::string& out, const error_message& e) {
    cursor w(out, 64 + max_string_bytes(e.code.size() + e.message.size()));
    w.raw("{\"type\":\"error\",\"code\":");
    w.string(e.code);
    w.raw(",\"message\":");
    w.string(e.message);
    w.put('}');
}

void write_json_string(std::string& out, std::string_view text) {
    cursor w(out, max_string_bytes(text.size()));
    w.string(text);
}

}  // namespace windash::protocol
