#include <windash/core/sample.hpp>
#include <windash/protocol/errors.hpp>

#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

#include <string>

namespace windash::protocol {
namespace {

// Boost's error_category has a protected, non-virtual destructor by design (categories are
// never deleted through a base pointer), which -Wnon-virtual-dtor cannot know.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"

class protocol_category_impl final : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "windash.protocol"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::invalid_json:
                return "invalid JSON";
            case errc::frame_too_large:
                return "frame too large";
            case errc::not_an_object:
                return "must be an object";
            case errc::missing_field:
                return "is required";
            case errc::wrong_type:
                return "has the wrong type";
            case errc::out_of_range:
                return "is out of range";
            case errc::unknown_message_type:
                return "unknown message type";
            case errc::bad_timestamp:
                return "must be an RFC 3339 UTC time";
            case errc::bad_host_id:
                return "must be 1 to " + std::to_string(sample_limits::max_host_id_length) +
                       " characters of [A-Za-z0-9._-]";
            case errc::host_mismatch:
                return "must equal the connection's hostId";
            case errc::used_exceeds_total:
                return "used must not exceed total";
        }
        return "unknown protocol error";
    }
};

class condition_category_impl final : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "windash.protocol.condition"; }
    std::string message(int ev) const override {
        switch (static_cast<condition>(ev)) {
            case condition::syntax_error:
                return "the frame is not valid JSON";
            case condition::schema_error:
                return "the JSON is not a valid message";
        }
        return "unknown protocol condition";
    }
    bool equivalent(const boost::system::error_code& code, int cond) const noexcept override {
        if (code.category() != protocol_category()) return false;
        const bool syntax = code.value() == static_cast<int>(errc::invalid_json);
        return cond == static_cast<int>(syntax ? condition::syntax_error : condition::schema_error);
    }
};

#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& protocol_category() noexcept {
    static const protocol_category_impl category;
    return category;
}

const boost::system::error_category& protocol_condition_category() noexcept {
    static const condition_category_impl category;
    return category;
}

boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), protocol_category()};
}

boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), protocol_condition_category()};
}

void throw_exception_from_error(const frame_error& e, const boost::source_location& where) {
    boost::throw_exception(boost::system::system_error(e.code, e.message), where);
}

}  // namespace windash::protocol
