#include "ingest/agent_session.hpp"
#include "ingest/listener.hpp"
#include "ingest/server_state.hpp"
#include <windash/ingest/server.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

namespace windash::ingest {

namespace net = boost::asio;
using net::ip::tcp;

struct server::impl {
    impl(net::io_context& ioc, backend& storage, server_options opts)
        : ioc_(ioc), state_(std::make_shared<detail::server_state>(storage, std::move(opts))) {}

    boost::system::result<void> start() {
        const auto& o = state_->opts;
        if (o.max_frame_bytes == 0 || o.max_samples == 0 || o.max_pending_batches == 0 ||
            o.ping_interval.count() <= 0 || o.silence_timeout.count() <= 0 ||
            o.request_timeout.count() <= 0 || o.max_connections == 0) {
            return make_error_code(errc::bad_option);
        }
        boost::system::error_code ec;
        auto address = net::ip::make_address(o.address, ec);
        if (ec) return ec;
        http_ = std::make_shared<detail::listener>(ioc_, state_);
        if (auto r = http_->open({address, o.http_port}); !r) return r;
        if (o.ws_port != o.http_port || o.ws_port == 0) {
            ws_ = std::make_shared<detail::listener>(ioc_, state_);
            if (auto r = ws_->open({address, o.ws_port}); !r) return r;
            ws_->run();
        }
        http_->run();
        return {};
    }

    void shutdown(std::function<void()> done) {
        state_->stopping = true;
        if (http_) http_->stop();
        if (ws_) ws_->stop();
        for (auto& agent : state_->agents()) agent->shutdown();
        auto deadline = std::chrono::steady_clock::now() + state_->opts.shutdown_timeout;
        wait_for_agents(ioc_, state_, std::make_shared<net::steady_timer>(ioc_), deadline,
                        std::move(done));
    }

    // Polls until every agent has closed (each close waits for its batches in flight to be
    // acknowledged) or the deadline passes.
    static void wait_for_agents(net::io_context& ioc, std::shared_ptr<detail::server_state> state,
                                std::shared_ptr<net::steady_timer> timer,
                                std::chrono::steady_clock::time_point deadline,
                                std::function<void()> done) {
        if (state->agent_count() == 0 || std::chrono::steady_clock::now() >= deadline) {
            net::post(ioc, std::move(done));
            return;
        }
        timer->expires_after(std::chrono::milliseconds(20));
        timer->async_wait([&ioc, state = std::move(state), timer, deadline,
                           done = std::move(done)](boost::system::error_code) mutable {
            wait_for_agents(ioc, std::move(state), std::move(timer), deadline, std::move(done));
        });
    }

    net::io_context& ioc_;
    std::shared_ptr<detail::server_state> state_;
    std::shared_ptr<detail::listener> http_;
    std::shared_ptr<detail::listener> ws_;
};

server::server(net::io_context& ioc, backend& storage, server_options opts)
    : impl_(std::make_shared<impl>(ioc, storage, std::move(opts))) {}

server::~server() {
    if (impl_->http_) impl_->http_->stop();
    if (impl_->ws_) impl_->ws_->stop();
}

boost::system::result<void> server::start() { return impl_->start(); }

std::uint16_t server::http_port() const noexcept { return impl_->http_ ? impl_->http_->port() : 0; }

std::uint16_t server::ws_port() const noexcept {
    return impl_->ws_ ? impl_->ws_->port() : http_port();
}

void server::shutdown(std::function<void()> done) {
    net::post(impl_->ioc_,
              [i = impl_, done = std::move(done)]() mutable { i->shutdown(std::move(done)); });
}

std::string server::prometheus_metrics() const { return impl_->state_->prometheus(); }

}  // namespace windash::ingest
