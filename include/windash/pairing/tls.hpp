#pragma once
/// @file
/// TLS as the agent uses it for `https://` and `wss://`: the server's certificate is verified
/// against the system's CA store (plus an optional CA file) and must name the host dialled.
/// Shared by the pairing client and the streaming connection.
///
/// WINDASH_TLS is 1 unless the build says otherwise: builds without OpenSSL (the mingw-w64
/// cross build) define it 0, and there `https://` and `wss://` addresses are refused with
/// `tls_unavailable` instead of being dialled in clear.
#include <windash/pairing/errors.hpp>

#ifndef WINDASH_TLS
#define WINDASH_TLS 1
#endif

#if WINDASH_TLS
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#endif

#include <string>

namespace windash::pairing {

/// What a build without TLS answers for an `https://` or `wss://` server.
inline constexpr const char* tls_unavailable =
    "this build has no TLS (https:// and wss://): use an http:// server address";

#if WINDASH_TLS

using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

/// A client context that verifies peers against the system's CA store and, when `ca_file` is
/// not empty, the CAs of that PEM file. errc::unreachable naming the file when it cannot be
/// used.
[[nodiscard]] outcome<boost::asio::ssl::context> tls_client_context(const std::string& ca_file);

/// Before the handshake on `stream`: sends `host` as SNI when it is a name (never for an
/// address) and makes the handshake fail unless the certificate is valid for `host`.
void expect_server_name(tls_stream& stream, const std::string& host);
#endif

}  // namespace windash::pairing
