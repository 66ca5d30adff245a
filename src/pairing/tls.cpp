#include <windash/pairing/tls.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>

namespace windash::pairing {

namespace ssl = boost::asio::ssl;

outcome<ssl::context> tls_client_context(const std::string& ca_file) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_default_verify_paths();
    if (!ca_file.empty()) {
        boost::system::error_code ec;
        ctx.load_verify_file(ca_file, ec);
        if (ec)
            return failure{make_error_code(errc::unreachable),
                           "--ca-file " + ca_file + ": " + ec.message()};
    }
    ctx.set_verify_mode(ssl::verify_peer);
    return ctx;
}

void expect_server_name(tls_stream& stream, const std::string& host) {
    boost::system::error_code not_ip;
    (void)boost::asio::ip::make_address(host, not_ip);
    if (not_ip) {  // SNI names hosts, never addresses (RFC 6066 §3)
        SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(host.c_str()));
    }
    stream.set_verify_callback(ssl::host_name_verification(host));
}

}  // namespace windash::pairing
