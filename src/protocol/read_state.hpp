#pragma once
// Internals shared by the frame and sample readers: failure bookkeeping, rule texts and the
// checked skipping of fields windash ignores. simdjson stays inside src/.

#include "protocol/field_name.hpp"
#include <windash/protocol/errors.hpp>

#include <simdjson.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace windash::protocol::detail {

namespace od = simdjson::ondemand;

/// How reading one part went: read; rejected by a rule of SPEC §1 (the sample, or the frame at
/// top level, is refused, and reading goes on); aborted (the structure cannot be followed); or,
/// from a field handler, unmatched (not a field it knows: for_each_field decides).
enum class status { ok, rejected, aborted, unmatched };

// The readers run once per JSON value, millions of times a second: inlined into one another they
// keep simdjson's iterator in registers; as separate calls they pass it through memory on
// every value, which measured 2.5x slower. Failure paths stay out of line.
#define WINDASH_HOT [[gnu::always_inline]] inline
#define WINDASH_COLD [[gnu::cold, gnu::noinline]]

#define WINDASH_TRY_READ(expr)                                            \
    do {                                                                  \
        if (auto status_ = (expr); status_ != status::ok) return status_; \
    } while (false)

/// Where a rule was broken, formatted only on the failure path: `base[index]suffix`.
struct field_path {
    static constexpr std::size_t no_index = static_cast<std::size_t>(-1);
    std::string_view base;
    std::size_t index = no_index;
    std::string_view suffix = {};
    [[nodiscard]] std::string str() const;
};

/// The rule texts of SPEC §1-§2, in one place. A text that names a limit is formatted from that
/// limit (sample_limits, message_limits) during static initialization, so the two cannot drift;
/// read them only once main() has started.
namespace rule {
inline constexpr std::string_view required = "is required";
inline constexpr std::string_view object = "must be an object";
inline constexpr std::string_view u64 = "must be an unsigned 64-bit integer";
inline constexpr std::string_view version = "must be 1";
inline constexpr std::string_view disk_used = "must not exceed total";
inline constexpr std::string_view mem_used = "must not exceed mem.total";
inline constexpr std::string_view mem_available = "must not exceed mem.total";
inline constexpr std::string_view swap_used = "must not exceed mem.swapTotal";
inline constexpr std::string_view host_mismatch = "must equal the connection's hostId";
inline constexpr std::string_view message = "must be a JSON object";
inline constexpr std::string_view type = "must be \"metrics\" or \"hello\"";
extern const std::string percent;
extern const std::string per_core;
extern const std::string freq;
extern const std::string disks;
extern const std::string name;
extern const std::string load;
extern const std::string temps;
extern const std::string celsius;
extern const std::string host_id;
extern const std::string hello_text;
/// `samples` for a parser whose frame_parser_options::max_samples is `max_samples`.
[[nodiscard]] std::string samples(std::size_t max_samples);
}  // namespace rule

/// Failure bookkeeping for one frame. Any failure marks the frame `unverified`: the readers
/// stopped early somewhere, so bytes were skipped without validation and the frame needs the
/// strict check before its verdict stands.
struct read_state {
    bool unverified = false;
    errc code{};
    std::string where;
    std::string_view rule;
    simdjson::error_code json_error = simdjson::SUCCESS;

    WINDASH_COLD status reject(errc c, const field_path& path, std::string_view broken_rule);
    WINDASH_COLD status abort(simdjson::error_code e);
    /// `where: rule`, with `prefix` (such as `samples[3].`) in front of the path.
    [[nodiscard]] std::string message(std::string_view prefix = {}) const;
};

/// A key that had escapes, after unescaping.
struct unescaped_key {
    std::string_view text;
    bool is(const field_name& name) const noexcept { return text == name.text; }
};

/// Reads every byte of a value windash ignores (unknown fields), so broken JSON inside it is
/// still found. Returns ok or aborted.
[[nodiscard]] status skip_checked(od::value value, read_state& state);

/// Reads an unsigned integer; anything else rejects with rule::u64 at `path`.
WINDASH_HOT status read_u64(od::value value, std::uint64_t& out, const field_path& path,
                            read_state& state) {
    if (value.get_uint64().get(out)) [[unlikely]]
        return state.reject(errc::wrong_type, path, rule::u64);
    return status::ok;
}

/// Reads a number in [lo, hi]; anything else rejects with `broken_rule` at `path`.
WINDASH_HOT status read_number(od::value value, double& out, double lo, double hi,
                               const field_path& path, std::string_view broken_rule,
                               read_state& state) {
    if (value.get_double().get(out)) [[unlikely]]
        return state.reject(errc::wrong_type, path, broken_rule);
    if (!(out >= lo && out <= hi)) [[unlikely]]
        return state.reject(errc::out_of_range, path, broken_rule);
    return status::ok;
}

/// Reads a string of `min`..`max` bytes into `out` (reusing its capacity).
WINDASH_HOT status read_string(od::value value, std::string& out, std::size_t min, std::size_t max,
                               const field_path& path, std::string_view broken_rule,
                               read_state& state) {
    std::string_view text;
    if (value.get_string().get(text)) [[unlikely]]
        return state.reject(errc::wrong_type, path, broken_rule);
    if (text.size() < min || text.size() > max) [[unlikely]]
        return state.reject(errc::out_of_range, path, broken_rule);
    out.assign(text);
    return status::ok;
}

/// for_each_field's slow path: retries a key that had escapes once unescaped (which also
/// validates them), then skips what is still unknown.
template <typename Handler>
status unmatched_field(od::field& field, read_state& state, Handler& on_field) {
    const char* end = field.key().raw();
    while (*end != '"' && *end != '\\') ++end;  // stage 1 guarantees the closing quote
    if (*end == '\\') {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return state.abort(e);
        status outcome = on_field(unescaped_key{key}, field.value());
        if (outcome != status::unmatched) return outcome;
    }
    return skip_checked(field.value(), state);
}

/// Calls `on_field(key, value)` for each field of `object`, `key` being a raw_key or, for a
/// key written with escapes, an unescaped_key. A field the handler answers `unmatched` is
/// skipped with skip_checked(); any other failing status, or a broken structure, stops.
template <typename Handler>
WINDASH_HOT status for_each_field(od::object& object, read_state& state, Handler&& on_field) {
    for (auto field_result : object) {
        od::field field;
        if (auto e = std::move(field_result).get(field)) [[unlikely]]
            return state.abort(e);
        status outcome = on_field(raw_key(field.key().raw()), field.value());
        if (outcome == status::unmatched) outcome = unmatched_field(field, state, on_field);
        if (outcome != status::ok) [[unlikely]]
            return outcome;
    }
    return status::ok;
}

/// Calls `on_element(index, value)` for each element of `array`.
template <typename Handler>
WINDASH_HOT status for_each_element(od::array& array, read_state& state, Handler&& on_element) {
    std::size_t index = 0;
    for (auto element_result : array) {
        od::value element;
        if (auto e = std::move(element_result).get(element)) [[unlikely]]
            return state.abort(e);
        WINDASH_TRY_READ(on_element(index++, element));
    }
    return status::ok;
}

}  // namespace windash::protocol::detail
