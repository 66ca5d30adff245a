#include <windash/pairing/errors.hpp>

#include <stdexcept>

namespace windash::pairing {

namespace {

// Boost's error_category has a protected, non-virtual destructor by design (categories are
// never deleted through a base pointer), which -Wnon-virtual-dtor cannot know.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category final : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "windash.pairing"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::bad_server_url:
                return "the server address is not http://host[:port] or https://host[:port]";
            case errc::unreachable:
                return "the server could not be reached";
            case errc::bad_answer:
                return "the server's answer does not follow the pairing protocol";
            case errc::rate_limited:
                return "too many pairing codes were asked for from this address";
            case errc::denied:
                return "the pairing request was denied";
            case errc::expired:
                return "the pairing code expired before it was approved";
            case errc::unknown_code:
                return "the server does not know this pairing request";
        }
        return "unknown pairing error";
    }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& pairing_category() noexcept {
    static const category instance;
    return instance;
}

boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), pairing_category()};
}

void throw_exception_from_error(const failure& f, const boost::source_location&) {
    throw std::runtime_error(f.message);
}

}  // namespace windash::pairing
