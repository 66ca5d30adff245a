#include "ingest/live_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace windash::ingest::detail {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

template <class Stream>
live_session<Stream>::live_session(Stream&& stream, connection_slot slot, store::row_id user)
    : ws_(std::move(stream)), slot_(std::move(slot)), user_(user) {}

template <class Stream>
live_session<Stream>::~live_session() {
    if (subscribed_) {
        state().live.unsubscribe(user_, this);
        state().metrics.live_connections.fetch_sub(1, std::memory_order_relaxed);
    }
}

template <class Stream>
void live_session<Stream>::run(beast::http::request<beast::http::string_body> upgrade) {
    beast::get_lowest_layer(ws_).expires_never();
    // Beast keeps the connection alive: a ping after half the idle timeout, closed when the
    // browser has been silent (no pong) for all of it.
    websocket::stream_base::timeout t{};
    t.handshake_timeout = state().opts.handshake_timeout;
    t.idle_timeout = state().opts.silence_timeout;
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.read_message_max(4096);  // browsers send nothing we read: bound it anyway
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(beast::http::field::server, "windash-server");
    }));
    io::accept(ws_, upgrade,
               beast::bind_front_handler(&live_session::on_accept, this->shared_from_this()));
}

template <class Stream>
void live_session<Stream>::on_accept(beast::error_code ec) {
    if (ec) return;
    open_ = true;
    if (state().stopping.load()) return close(websocket::close_code::going_away);
    if (!state().live.subscribe(user_, this->shared_from_this(),
                                state().opts.max_live_connections_per_user)) {
        server_metrics::bump(state().metrics.live_refused);
        return close(websocket::close_code::try_again_later);
    }
    subscribed_ = true;
    state().metrics.live_connections.fetch_add(1, std::memory_order_relaxed);
    state().announce_watch(user_);
    do_read();
}

// Reading keeps the close handshake and pongs flowing; what a browser sends is ignored.
template <class Stream>
void live_session<Stream>::do_read() {
    io::read(ws_, buffer_,
             beast::bind_front_handler(&live_session::on_read, this->shared_from_this()));
}

template <class Stream>
void live_session<Stream>::on_read(beast::error_code ec, std::size_t) {
    if (ec) {
        open_ = false;
        return;
    }
    buffer_.consume(buffer_.size());
    do_read();
}

template <class Stream>
bool live_session<Stream>::offer(std::shared_ptr<const std::string> message) {
    if (queued_.fetch_add(1, std::memory_order_relaxed) >= state().opts.live_queue_limit) {
        queued_.fetch_sub(1, std::memory_order_relaxed);
        server_metrics::bump(state().metrics.live_dropped);
        return false;
    }
    net::post(ws_.get_executor(),
              [self = this->shared_from_this(), message = std::move(message)]() mutable {
                  if (!self->open_ || self->closing_) {
                      self->queued_.fetch_sub(1, std::memory_order_relaxed);
                      return;
                  }
                  self->queue_.push_back(std::move(message));
                  if (!self->writing_) self->do_write();
              });
    return true;
}

template <class Stream>
void live_session<Stream>::do_write() {
    writing_ = true;
    io::write_text(ws_, net::buffer(*queue_.front()),
                   beast::bind_front_handler(&live_session::on_write, this->shared_from_this()));
}

template <class Stream>
void live_session<Stream>::on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    queue_.pop_front();
    queued_.fetch_sub(1, std::memory_order_relaxed);
    if (ec) {
        open_ = false;
        queued_.fetch_sub(queue_.size(), std::memory_order_relaxed);
        queue_.clear();
        return;
    }
    if (!queue_.empty()) return do_write();
    if (closing_) close(websocket::close_code::going_away);
}

template <class Stream>
void live_session<Stream>::shutdown() {
    net::dispatch(ws_.get_executor(), [self = this->shared_from_this()] {
        self->closing_ = true;
        if (!self->writing_) self->close(websocket::close_code::going_away);
    });
}

template <class Stream>
void live_session<Stream>::close(websocket::close_code code) {
    if (!open_) return;
    open_ = false;
    closing_ = true;
    io::close(ws_, code, [self = this->shared_from_this()](beast::error_code) {});
}

template class live_session<plain_stream>;
template class live_session<tls_stream>;

}  // namespace windash::ingest::detail
