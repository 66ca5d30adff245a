#pragma once
// Refuses, with a clear message, to run the frame parser on a CPU older than the one it was
// compiled for (see WINDASH_PROTOCOL_ARCH in src/protocol/CMakeLists.txt).

namespace windash::protocol::detail {

/// Throws std::runtime_error when this CPU cannot run the parser's SIMD code.
void require_cpu_support();

}  // namespace windash::protocol::detail
