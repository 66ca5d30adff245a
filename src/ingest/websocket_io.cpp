#include "ingest/websocket_io.hpp"

#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <utility>

namespace windash::ingest::detail {
namespace {

// `done` as a handler that completes on the stream's executor.
template <class Stream, class... Args>
erased_handler<Args...> on_stream(websocket_stream<Stream>& ws, std::function<void(Args...)> done) {
    return {ws.get_executor(), std::move(done)};
}

}  // namespace

template <class Stream>
void websocket_io<Stream>::accept(
    ws_type& ws, const boost::beast::http::request<boost::beast::http::string_body>& upgrade,
    on_done done) {
    ws.async_accept(upgrade, on_stream(ws, std::move(done)));
}

template <class Stream>
void websocket_io<Stream>::read(ws_type& ws, boost::beast::flat_buffer& buffer, on_io done) {
    ws.async_read(buffer, on_stream(ws, std::move(done)));
}

template <class Stream>
void websocket_io<Stream>::write_text(ws_type& ws, boost::asio::const_buffer text, on_io done) {
    ws.text(true);
    ws.async_write(text, on_stream(ws, std::move(done)));
}

template <class Stream>
void websocket_io<Stream>::ping(ws_type& ws, on_done done) {
    ws.async_ping({}, on_stream(ws, std::move(done)));
}

template <class Stream>
void websocket_io<Stream>::close(ws_type& ws, boost::beast::websocket::close_code code,
                                 on_done done) {
    ws.async_close(code, on_stream(ws, std::move(done)));
}

template struct websocket_io<plain_stream>;
template struct websocket_io<tls_stream>;

}  // namespace windash::ingest::detail
