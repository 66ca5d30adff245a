#include "store_sql/codec.hpp"

#include <bit>
#include <cassert>
#include <cstring>

namespace windash::store::detail {
namespace {

constexpr std::uint8_t detail_version = 1;
enum flag : std::uint8_t { has_available = 1, has_swap_used = 2, has_swap_total = 4, has_load = 8 };

std::uint8_t flags_of(const sample& s) {
    unsigned f = 0;
    if (s.mem.available) f |= has_available;
    if (s.mem.swap_used) f |= has_swap_used;
    if (s.mem.swap_total) f |= has_swap_total;
    if (s.load) f |= has_load;
    return static_cast<std::uint8_t>(f);
}

void put_doubles(blob_writer& w, const std::vector<double>& v) {
    w.u32(static_cast<std::uint32_t>(v.size()));
    for (double d : v) w.f64(d);
}

bool get_doubles(blob_reader& r, std::vector<double>& v) {
    std::uint32_t n = r.u32();
    if (!r.ok() || n > sample_limits::max_cores) return false;
    v.resize(n);
    for (auto& d : v) d = r.f64();
    return r.ok();
}

// The exact size encode_detail writes, so its buffer is allocated once.
std::size_t detail_size(const sample& s, std::uint8_t flags) {
    std::size_t n = 2 + 8 * static_cast<std::size_t>(std::popcount(flags & 7u)) +
                    (flags & has_load ? 24 : 0) + 4 + 8 * s.cpu.per_core.size() + 4 +
                    8 * s.cpu.freq_mhz.size() + 4 + 4;
    for (const auto& d : s.disks) n += 4 + d.name.size() + 16;
    for (const auto& t : s.temps) n += 4 + t.name.size() + 8;
    return n;
}

std::string encode_detail(const sample& s) {
    const std::uint8_t f = flags_of(s);
    blob_writer w;
    w.reserve(detail_size(s, f));
    w.u8(detail_version);
    w.u8(f);
    if (s.mem.available) w.u64(*s.mem.available);
    if (s.mem.swap_used) w.u64(*s.mem.swap_used);
    if (s.mem.swap_total) w.u64(*s.mem.swap_total);
    if (s.load) {
        w.f64(s.load->one);
        w.f64(s.load->five);
        w.f64(s.load->fifteen);
    }
    put_doubles(w, s.cpu.per_core);
    put_doubles(w, s.cpu.freq_mhz);
    w.u32(static_cast<std::uint32_t>(s.disks.size()));
    for (const auto& d : s.disks) {
        w.str(d.name);
        w.u64(d.used);
        w.u64(d.total);
    }
    w.u32(static_cast<std::uint32_t>(s.temps.size()));
    for (const auto& t : s.temps) {
        w.str(t.name);
        w.f64(t.celsius);
    }
    auto out = w.take();
    assert(out.size() == detail_size(s, f));
    return out;
}

void decode_optionals(blob_reader& r, std::uint8_t f, sample& s) {
    if (f & has_available) s.mem.available = r.u64();
    if (f & has_swap_used) s.mem.swap_used = r.u64();
    if (f & has_swap_total) s.mem.swap_total = r.u64();
    if (f & has_load) s.load = load_average{r.f64(), r.f64(), r.f64()};
}

bool decode_lists(blob_reader& r, sample& s) {
    if (!get_doubles(r, s.cpu.per_core) || !get_doubles(r, s.cpu.freq_mhz)) return false;
    std::uint32_t n = r.u32();
    if (n > sample_limits::max_disks) return false;
    s.disks.resize(n);
    for (auto& d : s.disks) d = disk_usage{r.str(), r.u64(), r.u64()};
    n = r.u32();
    if (n > sample_limits::max_temperatures) return false;
    s.temps.resize(n);
    for (auto& t : s.temps) t = temperature{r.str(), r.f64()};
    return r.ok() && r.at_end();
}

}  // namespace

// Little-endian, appended whole (byte by byte, u64 was 2 % of the server's time under load).
void blob_writer::u32(std::uint32_t v) {
    char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out_.append(b, 4);
}

void blob_writer::u64(std::uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out_.append(b, 8);
}

void blob_writer::f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }

void blob_writer::str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
}

bool blob_reader::need(std::size_t n) {
    if (ok_ && in_.size() - pos_ >= n) return true;
    ok_ = false;
    return false;
}

std::uint8_t blob_reader::u8() { return need(1) ? static_cast<std::uint8_t>(in_[pos_++]) : 0; }

std::uint32_t blob_reader::u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::uint32_t{u8()} << (8 * i);
    return v;
}

// Rollup rows hold hundreds of numbers: read them whole, not byte by byte.
std::uint64_t blob_reader::u64() {
    if (!need(8)) return 0;
    unsigned char b[8];
    std::memcpy(b, in_.data() + pos_, 8);
    pos_ += 8;
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
    return v;
}

double blob_reader::f64() { return std::bit_cast<double>(u64()); }

std::string blob_reader::str() { return std::string(view()); }

std::string_view blob_reader::view() {
    std::uint32_t n = u32();
    if (!need(n)) return {};
    auto s = in_.substr(pos_, n);
    pos_ += n;
    return s;
}

metric_row encode_row(const sample& s) {
    return {to_us(s.ts),          s.cpu.total,          to_i64(s.mem.used),
            to_i64(s.mem.total),  to_i64(s.net.tx_bps), to_i64(s.net.rx_bps),
            to_i64(s.uptime_sec), to_i64(s.proc_count), encode_detail(s)};
}

bool decode_row(const metric_row& row, sample& out) {
    out.ts = from_us(row.ts);
    out.cpu.total = row.cpu_total;
    out.mem.used = to_u64(row.mem_used);
    out.mem.total = to_u64(row.mem_total);
    out.net = {to_u64(row.net_tx), to_u64(row.net_rx)};
    out.uptime_sec = to_u64(row.uptime);
    out.proc_count = to_u64(row.procs);
    out.mem.available.reset();
    out.mem.swap_used.reset();
    out.mem.swap_total.reset();
    out.load.reset();
    blob_reader r(row.detail);
    if (r.u8() != detail_version) return false;
    decode_optionals(r, r.u8(), out);
    return decode_lists(r, out);
}

}  // namespace windash::store::detail
