#pragma once
// The WebSocket operations the sessions start, compiled once per transport in
// websocket_io.cpp. Beast's composed operations are templates over the completion handler:
// started directly from each session, they were instantiated again for every session type and
// call site, and were most of the server's build time. Here the handler's type is erased, so
// each operation is compiled twice in all: plain and TLS.
//
// Contract: as for the Beast member functions they forward to; `ws` and every buffer must
// outlive the operation. Callbacks run on the stream's executor (the session's strand).

#include "ingest/stream.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <cstddef>
#include <functional>

namespace windash::ingest::detail {

/// A completion handler whose type is erased; it completes on `executor` (the session's
/// strand). asio::any_completion_handler would do, but in Boost 1.81 its executor lacks the
/// blocking.never property Beast's operations require.
template <class... Args>
struct erased_handler {
    using executor_type = boost::asio::any_io_executor;
    executor_type executor;
    std::function<void(Args...)> call;

    [[nodiscard]] executor_type get_executor() const noexcept { return executor; }
    void operator()(Args... args) { call(args...); }
};

template <class Stream>
struct websocket_io {
    using ws_type = websocket_stream<Stream>;
    using on_done = std::function<void(boost::beast::error_code)>;
    using on_io = std::function<void(boost::beast::error_code, std::size_t)>;

    /// Answers `upgrade`; the request is read before this returns.
    static void accept(ws_type& ws,
                       const boost::beast::http::request<boost::beast::http::string_body>& upgrade,
                       on_done done);
    /// One whole message into `buffer`.
    static void read(ws_type& ws, boost::beast::flat_buffer& buffer, on_io done);
    /// One text message.
    static void write_text(ws_type& ws, boost::asio::const_buffer text, on_io done);
    static void ping(ws_type& ws, on_done done);
    static void close(ws_type& ws, boost::beast::websocket::close_code code, on_done done);
};

extern template struct websocket_io<plain_stream>;
extern template struct websocket_io<tls_stream>;

}  // namespace windash::ingest::detail
