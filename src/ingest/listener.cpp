#include "ingest/listener.hpp"

#include "ingest/http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <fmt/format.h>

namespace windash::ingest::detail {

namespace net = boost::asio;
using net::ip::tcp;

listener::listener(net::io_context& ioc, std::shared_ptr<server_state> state)
    : ioc_(ioc), state_(std::move(state)), acceptor_(net::make_strand(ioc)) {}

boost::system::result<void> listener::open(const tcp::endpoint& at) {
    boost::system::error_code ec;
    acceptor_.open(at.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(at, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return ec;
    port_ = acceptor_.local_endpoint().port();
    return {};
}

void listener::run() { do_accept(); }

void listener::stop() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ignored;
        self->acceptor_.close(ignored);
    });
}

void listener::do_accept() {
    acceptor_.async_accept(net::make_strand(ioc_), boost::beast::bind_front_handler(
                                                       &listener::on_accept, shared_from_this()));
}

void listener::on_accept(boost::beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
        // Out of descriptors and the like: log, and keep accepting once it passes.
        state_->log(log_level::warn, fmt::format("accept: {}", ec.message()));
    } else if (state_->metrics.connections_open.load() >= state_->opts.max_connections) {
        server_metrics::bump(state_->metrics.connections_over_limit);
        socket.close(ec);
    } else {
        server_metrics::bump(state_->metrics.connections_total);
        // Acks are small and latency-bound: without this, Nagle's algorithm holds one back until
        // the agent's delayed ACK (40 ms on Linux) whenever an earlier write is unacknowledged.
        socket.set_option(tcp::no_delay(true), ec);
        if (state_->tls) {
            std::make_shared<http_session<tls_stream>>(connection_slot(state_), std::move(socket),
                                                       *state_->tls)
                ->run();
        } else {
            std::make_shared<http_session<plain_stream>>(connection_slot(state_), std::move(socket))
                ->run();
        }
    }
    do_accept();
}

}  // namespace windash::ingest::detail
