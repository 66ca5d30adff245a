#pragma once
// One browser's live WebSocket (SPEC §5 `/api/live`), already authenticated by its session
// cookie: the server pushes events, the browser only answers pings. All state is touched on
// the connection's strand except `queued_`, which offer() reads from any thread.
// Instantiated for plain_stream and tls_stream (stream.hpp) in live_session.cpp.

#include "ingest/live.hpp"
#include "ingest/server_state.hpp"
#include "ingest/stream.hpp"
#include "ingest/websocket_io.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <atomic>
#include <deque>
#include <memory>
#include <string>

namespace windash::ingest::detail {

template <class Stream>
class live_session final : public live_subscriber,
                           public std::enable_shared_from_this<live_session<Stream>> {
  public:
    live_session(Stream&& stream, connection_slot slot, store::row_id user);
    ~live_session() override;

    /// Completes the WebSocket handshake for `upgrade` and starts pushing.
    void run(boost::beast::http::request<boost::beast::http::string_body> upgrade);
    bool offer(std::shared_ptr<const std::string> message) override;
    void shutdown() override;

  private:
    using io = websocket_io<Stream>;
    void on_accept(boost::beast::error_code ec);
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void do_write();
    void on_write(boost::beast::error_code ec, std::size_t bytes);
    void close(boost::beast::websocket::close_code code);
    [[nodiscard]] server_state& state() const noexcept { return slot_.state(); }

    websocket_stream<Stream> ws_;
    connection_slot slot_;
    store::row_id user_;
    boost::beast::flat_buffer buffer_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    std::atomic<std::size_t> queued_{0};  // offered and not yet written or dropped
    bool subscribed_ = false;
    bool open_ = false;
    bool writing_ = false;
    bool closing_ = false;
};

}  // namespace windash::ingest::detail
