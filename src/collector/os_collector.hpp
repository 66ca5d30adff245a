#pragma once
// Picks the collector of the platform being built: one class detail::os_collector with
// `explicit os_collector(options)` and `result<sample> collect()`, plus os_host_name().

#ifdef _WIN32
#include "collector/windows/windows_collector.hpp"
#else
#include "collector/linux/linux_collector.hpp"
#endif
