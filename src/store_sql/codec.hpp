#pragma once
// Row encoding shared by the backends: the scalar columns of `metrics` plus a versioned,
// little-endian `detail` blob holding per-core, per-disk and optional fields, and the blob of
// rollup statistics. Backend-free so every backend stores byte-identical rows.

#include <windash/core/sample.hpp>
#include <windash/store/records.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace windash::store::detail {

[[nodiscard]] inline std::int64_t to_us(timestamp t) noexcept {
    return t.time_since_epoch().count();
}
[[nodiscard]] inline timestamp from_us(std::int64_t us) noexcept {
    return timestamp{std::chrono::microseconds{us}};
}
// SQL integers are signed 64-bit: u64 values are stored as their bit pattern.
[[nodiscard]] inline std::int64_t to_i64(std::uint64_t v) noexcept {
    return static_cast<std::int64_t>(v);
}
[[nodiscard]] inline std::uint64_t to_u64(std::int64_t v) noexcept {
    return static_cast<std::uint64_t>(v);
}

/// The columns of one `metrics` row, device_id aside.
struct metric_row {
    std::int64_t ts = 0;
    double cpu_total = 0;
    std::int64_t mem_used = 0;
    std::int64_t mem_total = 0;
    std::int64_t net_tx = 0;
    std::int64_t net_rx = 0;
    std::int64_t uptime = 0;
    std::int64_t procs = 0;
    std::string detail;
};

[[nodiscard]] metric_row encode_row(const sample& s);
/// False when `row.detail` is not a blob encode_row wrote. `host_id` is left empty.
[[nodiscard]] bool decode_row(const metric_row& row, sample& out);

/// Appends little-endian values to a string.
class blob_writer {
  public:
    void reserve(std::size_t bytes) { out_.reserve(bytes); }
    void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void u32(std::uint32_t v);
    void u64(std::uint64_t v);
    void f64(double v);
    void str(std::string_view s);
    [[nodiscard]] std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

/// Reads what blob_writer wrote; once a read runs past the end, ok() is false and reads yield 0.
class blob_reader {
  public:
    explicit blob_reader(std::string_view in) : in_(in) {}
    std::uint8_t u8();
    std::uint32_t u32();
    std::uint64_t u64();
    double f64();
    std::string str();
    /// Like str() without a copy: valid while the input is.
    std::string_view view();
    [[nodiscard]] bool ok() const noexcept { return ok_; }
    [[nodiscard]] bool at_end() const noexcept { return pos_ == in_.size(); }

  private:
    bool need(std::size_t n);
    std::string_view in_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

}  // namespace windash::store::detail
