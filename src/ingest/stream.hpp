#pragma once
// The two transports a connection runs on: plain TCP, or TLS over TCP when the server has a
// certificate (server_options::tls_certificate_file). Sessions are templates over these two and
// instantiated for both in their .cpp files.

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream_fwd.hpp>

#include <type_traits>

namespace windash::ingest::detail {

using plain_stream = boost::beast::tcp_stream;
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

/// A WebSocket over either transport. permessage-deflate is off: windash never negotiates it,
/// and compiling its code paths took a sixth of each session's build time.
template <class Stream>
using websocket_stream = boost::beast::websocket::stream<Stream, false>;

template <class Stream>
inline constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

}  // namespace windash::ingest::detail
