#include <windash/collector/errors.hpp>

#include <string>

namespace windash::collector {
namespace {

struct message_entry {
    errc code;
    condition cond;
    const char* text;
};

// The one table of messages and conditions.
constexpr message_entry messages[] = {
    {errc::source_unreadable, condition::unavailable, "a required system source cannot be read"},
    {errc::bad_proc_stat, condition::malformed, "/proc/stat has no well-formed cpu lines"},
    {errc::bad_meminfo, condition::malformed, "/proc/meminfo has no MemTotal"},
    {errc::bad_uptime, condition::malformed, "/proc/uptime does not start with a number"},
    {errc::bad_loadavg, condition::malformed, "/proc/loadavg does not start with three numbers"},
    {errc::bad_net_dev, condition::malformed, "/proc/net/dev has a malformed interface line"},
};

const message_entry* find(int ev) noexcept {
    for (const auto& m : messages)
        if (static_cast<int>(m.code) == ev) return &m;
    return nullptr;
}

// Boost's error_category has a protected, non-virtual destructor by design (categories are
// never deleted through a base pointer), which -Wnon-virtual-dtor cannot know.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class errc_category final : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "windash.collector"; }
    std::string message(int ev) const override {
        const auto* m = find(ev);
        return m ? m->text : "unknown collector error";
    }
    boost::system::error_condition default_error_condition(int ev) const noexcept override {
        const auto* m = find(ev);
        if (!m) return {ev, *this};
        return make_error_condition(m->cond);
    }
};

class condition_category final : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "windash.collector.condition"; }
    std::string message(int ev) const override {
        switch (static_cast<condition>(ev)) {
            case condition::unavailable:
                return "system source unavailable";
            case condition::malformed:
                return "system source malformed";
        }
        return "unknown collector condition";
    }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& collector_category() noexcept {
    static const errc_category category;
    return category;
}

const boost::system::error_category& collector_condition_category() noexcept {
    static const condition_category category;
    return category;
}

boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), collector_category()};
}

boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), collector_condition_category()};
}

}  // namespace windash::collector
