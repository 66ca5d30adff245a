#include "collector/os_collector.hpp"
#include <windash/collector/collector.hpp>

#include <stdexcept>
#include <utility>

namespace windash::collector {

struct collector::impl : detail::os_collector {
    using os_collector::os_collector;
};

collector::collector(options opts) {
    if (!is_valid_host_id(opts.host_id))
        throw std::invalid_argument("windash::collector: host_id must be 1-64 of [A-Za-z0-9._-]");
    impl_ = std::make_unique<impl>(std::move(opts));
}

collector::~collector() = default;
collector::collector(collector&&) noexcept = default;
collector& collector::operator=(collector&&) noexcept = default;

boost::system::result<sample> collector::collect() { return impl_->collect(); }

std::string sanitize_host_id(std::string_view name) {
    std::string out(name.substr(0, sample_limits::max_host_id_length));
    for (char& c : out)
        if (!is_valid_host_id(std::string_view(&c, 1))) c = '-';
    return out.empty() ? "localhost" : out;
}

std::string default_host_id() { return sanitize_host_id(detail::os_host_name()); }

}  // namespace windash::collector
