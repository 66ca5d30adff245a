// Fuzz target for frame_parser: never crashes, never reads JSON differently from a strict
// parser (simdjson DOM), reads every frame the same with and without its plain fast path, and
// every accepted batch writes and reads back to itself.
#include <windash/protocol/frame_parser.hpp>
#include <windash/protocol/writer.hpp>

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static windash::protocol::frame_parser parser;
    static windash::protocol::frame_parser reread;
    static windash::protocol::frame_parser general({.plain_fast_path = false});
    static simdjson::dom::parser strict;
    const std::string frame(reinterpret_cast<const char*>(data), size);

    auto result = parser.parse(frame);
    const bool strict_valid = !strict.parse(frame).error();
    const bool syntax_error =
        result.has_error() && result.error().code == windash::protocol::condition::syntax_error;
    if (syntax_error == strict_valid) __builtin_trap();  // a parser differential

    auto slow = general.parse(frame);  // the same frame without the fast path
    if (slow.has_value() != result.has_value()) __builtin_trap();
    if (result.has_error() && (slow.error().code != result.error().code ||
                               slow.error().message != result.error().message))
        __builtin_trap();
    if (result.has_value() && (*slow != *result || general.batch() != parser.batch() ||
                               general.hello() != parser.hello()))
        __builtin_trap();
    if (result.has_error()) {
        if (result.error().message.empty()) __builtin_trap();
        return 0;
    }
    if (*result != windash::protocol::message_type::metrics) return 0;
    for (const auto& rejected : parser.batch().rejected)
        if (rejected.error.empty()) __builtin_trap();
    if (parser.batch().samples.empty()) return 0;
    std::string written;
    windash::protocol::write_metrics(written, parser.batch());
    auto again = reread.parse(written);
    if (!again || reread.batch().samples != parser.batch().samples) __builtin_trap();
    return 0;
}
