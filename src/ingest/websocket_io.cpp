#include "ingest/websocket_io.hpp"

#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <utility>

namespace windash::ingest::detail {

template <class Stream>
void websocket_io<Stream>::accept(
    ws_type& ws, const boost::beast::http::request<boost::beast::http::string_body>& upgrade,
    done_handler done) {
    ws.async_accept(upgrade, std::move(done));
}

template <class Stream>
void websocket_io<Stream>::read(ws_type& ws, boost::beast::flat_buffer& buffer, io_handler done) {
    ws.async_read(buffer, std::move(done));
}

template <class Stream>
void websocket_io<Stream>::write_text(ws_type& ws, boost::asio::const_buffer text,
                                      io_handler done) {
    ws.text(true);
    ws.async_write(text, std::move(done));
}

template <class Stream>
void websocket_io<Stream>::ping(ws_type& ws, done_handler done) {
    ws.async_ping({}, std::move(done));
}

template <class Stream>
void websocket_io<Stream>::close(ws_type& ws, boost::beast::websocket::close_code code,
                                 done_handler done) {
    ws.async_close(code, std::move(done));
}

template struct websocket_io<plain_stream>;
template struct websocket_io<tls_stream>;

}  // namespace windash::ingest::detail
