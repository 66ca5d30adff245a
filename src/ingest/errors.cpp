#include <windash/ingest/errors.hpp>

#include <string>

namespace windash::ingest {
namespace {

// Boost's error_category has a protected, non-virtual destructor by design.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category final : public boost::system::error_category {
  public:
    const char* name() const noexcept override { return "windash.ingest"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::invalid_token:
                return "missing, unknown or revoked token";
            case errc::host_mismatch:
                return "the token belongs to a device of another hostId";
            case errc::bad_host_id:
                return "hostId must be 1 to 64 of [A-Za-z0-9._-]";
            case errc::storage_unavailable:
                return "storage is unavailable";
            case errc::bad_option:
                return "a server option is out of range";
            case errc::tls_certificate:
                return "the TLS certificate chain file could not be loaded";
            case errc::tls_private_key:
                return "the TLS private key could not be loaded or does not match the certificate";
        }
        return "unknown windash.ingest error";
    }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& ingest_category() noexcept {
    static const category instance;
    return instance;
}

boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), ingest_category()};
}

}  // namespace windash::ingest
