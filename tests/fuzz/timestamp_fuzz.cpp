// Fuzz target for parse_rfc3339: never crashes, and what it accepts formats and parses back
// to the same instant.
#include <windash/core/timestamp.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = windash::parse_rfc3339(text);
    if (!parsed) return 0;
    auto again = windash::parse_rfc3339(windash::to_rfc3339(*parsed));
    if (!again || *again != *parsed) __builtin_trap();
    return 0;
}
