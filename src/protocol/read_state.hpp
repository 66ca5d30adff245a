#pragma once
// Internals shared by the frame and sample readers: failure bookkeeping, rule texts and the
// checked skipping of fields windash ignores. simdjson stays inside src/.

#include <windash/protocol/errors.hpp>

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace windash::protocol::detail {

namespace od = simdjson::ondemand;

/// How reading one part went: read; rejected by a rule of SPEC §1 (the sample, or the frame at
/// top level, is refused, and reading goes on); or aborted (the structure cannot be followed).
enum class status { ok, rejected, aborted };

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

/// The rule texts of SPEC §1-§2, in one place.
namespace rule {
inline constexpr std::string_view required = "is required";
inline constexpr std::string_view object = "must be an object";
inline constexpr std::string_view percent = "must be a number in [0,100]";
inline constexpr std::string_view u64 = "must be an unsigned 64-bit integer";
inline constexpr std::string_view version = "must be 1";
inline constexpr std::string_view per_core = "must be an array of at most 1024 numbers in [0,100]";
inline constexpr std::string_view freq = "must be an array of at most 1024 numbers in [0,1000000]";
inline constexpr std::string_view frequency = "must be a number in [0,1000000]";
inline constexpr std::string_view disks = "must be an array of at most 64 disks";
inline constexpr std::string_view name = "must be a string of 1 to 256 bytes";
inline constexpr std::string_view disk_used = "must not exceed total";
inline constexpr std::string_view mem_used = "must not exceed mem.total";
inline constexpr std::string_view mem_available = "must not exceed mem.total";
inline constexpr std::string_view swap_used = "must not exceed mem.swapTotal";
inline constexpr std::string_view load = "must be an array of 3 numbers in [0,1000000]";
inline constexpr std::string_view temps = "must be an array of at most 256 temperatures";
inline constexpr std::string_view celsius = "must be a number in [-273.15,1000]";
inline constexpr std::string_view host_id = "must be 1 to 64 characters of [A-Za-z0-9._-]";
inline constexpr std::string_view host_mismatch = "must equal the connection's hostId";
inline constexpr std::string_view message = "must be a JSON object";
inline constexpr std::string_view type = "must be \"metrics\" or \"hello\"";
inline constexpr std::string_view samples = "must be an array of 1 to 1000 samples";
inline constexpr std::string_view hello_text = "must be a string of at most 256 bytes";
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

    status reject(errc c, const field_path& path, std::string_view broken_rule);
    status abort(simdjson::error_code e);
    /// `where: rule`, with `prefix` (such as `samples[3].`) in front of the path.
    [[nodiscard]] std::string message(std::string_view prefix = {}) const;
};

/// The field's key as written when it has no escapes (the common case, no copy), otherwise
/// unescaped and validated.
[[nodiscard]] simdjson::error_code field_key(od::field& field, std::string_view& key) noexcept;

/// Reads every byte of a value windash ignores (unknown fields), so broken JSON inside it is
/// still found. Returns ok or aborted.
[[nodiscard]] status skip_checked(od::value value, read_state& state);

/// Reads an unsigned integer; anything else rejects with rule::u64 at `path`.
[[nodiscard]] status read_u64(od::value value, std::uint64_t& out, const field_path& path,
                              read_state& state);

/// Reads a number in [lo, hi]; anything else rejects with `broken_rule` at `path`.
[[nodiscard]] status read_number(od::value value, double& out, double lo, double hi,
                                 const field_path& path, std::string_view broken_rule,
                                 read_state& state);

/// Reads a string of `min`..`max` bytes into `out` (reusing its capacity).
[[nodiscard]] status read_string(od::value value, std::string& out, std::size_t min,
                                 std::size_t max, const field_path& path,
                                 std::string_view broken_rule, read_state& state);

}  // namespace windash::protocol::detail
