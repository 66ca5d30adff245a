#include <windash/store/errors.hpp>

#include <string>

namespace windash::store {
namespace {

const char* message_of(errc e) noexcept {
    switch (e) {
        case errc::not_found:
            return "not found";
        case errc::conflict:
            return "conflicts with a stored row";
        case errc::busy:
            return "database busy";
        case errc::connection_lost:
            return "database connection lost";
        case errc::disk_full:
            return "database disk full";
        case errc::io_error:
            return "database I/O error";
        case errc::corrupt:
            return "database corrupt";
        case errc::schema_too_new:
            return "database schema is newer than this program";
        case errc::bad_url:
            return "cannot open database";
        case errc::invalid_argument:
            return "invalid argument";
        case errc::internal:
            return "database error";
    }
    return "unknown store error";
}

// Boost's error_category has a protected, non-virtual destructor by design (categories are
// never deleted through a base pointer), which -Wnon-virtual-dtor cannot know.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class error_category final : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "windash.store"; }
    std::string message(int ev) const override { return message_of(static_cast<errc>(ev)); }
    boost::system::error_condition default_error_condition(int ev) const noexcept override {
        switch (static_cast<errc>(ev)) {
            case errc::busy:
            case errc::connection_lost:
            case errc::disk_full:
                return make_error_condition(condition::retryable);
            case errc::io_error:
            case errc::corrupt:
            case errc::schema_too_new:
            case errc::bad_url:
            case errc::internal:
                return make_error_condition(condition::fatal);
            default:
                return {ev, *this};
        }
    }
};

class condition_category final : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "windash.store.condition"; }
    std::string message(int ev) const override {
        return static_cast<condition>(ev) == condition::retryable ? "retryable store error"
                                                                  : "fatal store error";
    }
};

#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& store_category() noexcept {
    static const error_category instance;
    return instance;
}

const boost::system::error_category& store_condition_category() noexcept {
    static const condition_category instance;
    return instance;
}

boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), store_category()};
}

boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), store_condition_category()};
}

}  // namespace windash::store
