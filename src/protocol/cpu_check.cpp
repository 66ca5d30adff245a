#include "protocol/cpu_check.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace windash::protocol::detail {

void require_cpu_support() {
#if defined(WINDASH_PROTOCOL_ARCH) && (defined(__x86_64__) || defined(__i386__))
    if (std::string_view{WINDASH_PROTOCOL_ARCH} == "x86-64-v3" &&
        !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
          __builtin_cpu_supports("fma") && __builtin_cpu_supports("pclmul")))
        throw std::runtime_error(
            "windash::protocol was built for x86-64-v3 (AVX2) and this CPU lacks it; rebuild "
            "with -DWINDASH_PROTOCOL_ARCH= for a portable parser");
#endif
}

}  // namespace windash::protocol::detail
