#pragma once
/// @file
/// TLS as the agent uses it for `https://` and `wss://`: the server's certificate is verified
/// against the system's CA store (plus an optional CA file) and must name the host dialled.
/// Shared by the pairing client and the streaming connection.
#include <windash/pairing/errors.hpp>

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <string>

namespace windash::pairing {

using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

/// A client context that verifies peers against the system's CA store and, when `ca_file` is
/// not empty, the CAs of that PEM file. errc::unreachable naming the file when it cannot be
/// used.
[[nodiscard]] outcome<boost::asio::ssl::context> tls_client_context(const std::string& ca_file);

/// Before the handshake on `stream`: sends `host` as SNI when it is a name (never for an
/// address) and makes the handshake fail unless the certificate is valid for `host`.
void expect_server_name(tls_stream& stream, const std::string& host);

}  // namespace windash::pairing
