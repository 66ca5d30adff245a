#pragma once
// Matching JSON keys against the field names windash knows, without measuring or unescaping
// them: shared by the On-Demand readers and the plain fast path.

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace windash::protocol::detail {

/// A field name windash knows, with its first 16 bytes plus closing quote packed into words
/// at compile time, so matching a key costs two masked compares instead of a memcmp call.
struct field_name {
    std::string_view text;
    std::uint64_t words[2] = {};
    std::uint64_t masks[2] = {};

    template <std::size_t N>
    consteval field_name(const char (&name)[N]) : text(name, N - 1) {  // NOLINT: implicit
        static_assert(N <= 16, "field names longer than 15 bytes need a longer pattern");
        for (std::size_t i = 0; i < N; ++i) {  // the name, then its closing quote
            const auto byte = static_cast<unsigned char>(i + 1 < N ? name[i] : '"');
            words[i / 8] |= std::uint64_t{byte} << (8 * (i % 8));
            masks[i / 8] |= std::uint64_t{0xff} << (8 * (i % 8));
        }
    }
};

/// A field's key straight from the input, compared without unescaping or measuring it: a
/// name matches when its bytes are followed by the closing quote. The names windash knows
/// need no escaping, so a match is exact; a key written with escapes matches none of them
/// and goes to for_each_field's slow path. Reads 16 bytes from the key's first byte, which
/// the input's padding makes safe.
struct raw_key {
    std::uint64_t words[2];

    explicit raw_key(const char* text) noexcept { std::memcpy(words, text, sizeof words); }
    [[gnu::always_inline]] bool is(const field_name& name) const noexcept {
        return ((words[0] ^ name.words[0]) & name.masks[0]) == 0 &&
               ((words[1] ^ name.words[1]) & name.masks[1]) == 0;
    }
};
static_assert(std::endian::native == std::endian::little, "raw_key packs bytes little-endian");

}  // namespace windash::protocol::detail
