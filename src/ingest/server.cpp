#include "ingest/agent_session.hpp"
#include "ingest/listener.hpp"
#include "ingest/presence.hpp"
#include "ingest/server_state.hpp"
#include <windash/ingest/server.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <fmt/format.h>

#include <utility>

namespace windash::ingest {

namespace net = boost::asio;
using net::ip::tcp;

struct server::impl : std::enable_shared_from_this<server::impl> {
    impl(net::io_context& ioc, backend& storage, server_options opts)
        : ioc_(ioc),
          state_(std::make_shared<detail::server_state>(storage, std::move(opts))),
          contacts_(
              std::chrono::duration_cast<std::chrono::microseconds>(state_->opts.contact_refresh)),
          strand_(net::make_strand(ioc)),
          contact_timer_(strand_) {}

    boost::system::result<void> start() {
        const auto& o = state_->opts;
        if (o.max_frame_bytes == 0 || o.max_samples == 0 || o.max_pending_batches == 0 ||
            o.ping_interval.count() <= 0 || o.silence_timeout.count() <= 0 ||
            o.request_timeout.count() <= 0 || o.max_connections == 0) {
            return make_error_code(errc::bad_option);
        }
        if (o.tls_certificate_file.empty() != o.tls_private_key_file.empty()) {
            return make_error_code(errc::bad_option);
        }
        if (!o.tls_certificate_file.empty()) {
            auto tls = load_tls(o);
            if (!tls) return tls.error();
            state_->tls = std::move(*tls);
        }
        boost::system::error_code ec;
        auto address = net::ip::make_address(o.address, ec);
        if (ec) return ec;
        listen_to_other_servers();
        http_ = std::make_shared<detail::listener>(ioc_, state_);
        if (auto r = http_->open({address, o.http_port}); !r) return r;
        if (o.ws_port != o.http_port || o.ws_port == 0) {
            ws_ = std::make_shared<detail::listener>(ioc_, state_);
            if (auto r = ws_->open({address, o.ws_port}); !r) return r;
            ws_->run();
        }
        http_->run();
        net::dispatch(strand_, [self = shared_from_this()] { self->arm_contact_timer(); });
        return {};
    }

    // SPEC §5 across servers: on a database several servers share, live events, watch
    // announcements and revocations travel as database notifications. Without a listener
    // (it failed), this server works alone: its browsers see its own agents only.
    void listen_to_other_servers() {
        auto* db = state_->storage.database();
        if (db == nullptr || !db->notifies()) return;
        auto l = db->listen(detail::notification_channels(),
                            [state = state_](std::string_view channel, std::string_view payload) {
                                state->on_notification(channel, payload);
                            });
        if (!l) {
            state_->log(log_level::warn,
                        fmt::format("not listening to other servers ({}): live updates cover "
                                    "this server's agents only",
                                    l.error().message()));
            return;
        }
        listener_ = std::move(*l);
        state_->notifier = db;
    }

    // The server's side of TLS 1.2 and later; OpenSSL's reason for a bad file goes to the log.
    boost::system::result<std::unique_ptr<net::ssl::context>> load_tls(const server_options& o) {
        auto tls = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
        tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                         net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                         net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
        boost::system::error_code ec;
        tls->use_certificate_chain_file(o.tls_certificate_file, ec);
        if (ec) {
            state_->log(log_level::error, fmt::format("TLS certificate {}: {}",
                                                      o.tls_certificate_file, ec.message()));
            return make_error_code(errc::tls_certificate);
        }
        tls->use_private_key_file(o.tls_private_key_file, net::ssl::context::pem, ec);
        if (ec) {
            state_->log(log_level::error, fmt::format("TLS private key {}: {}",
                                                      o.tls_private_key_file, ec.message()));
            return make_error_code(errc::tls_private_key);
        }
        return tls;
    }

    // SPEC §2 online state: contact times go to storage from one chain on strand_ (timer ->
    // blocking write -> timer), so at most one write is in flight; shutdown() ends the chain
    // with a last write for the agents it closed, then calls its `done`.
    void arm_contact_timer() {
        contact_timer_.expires_after(state_->opts.contact_flush_interval);
        contact_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec && !self->final_requested_) self->start_flush();
        });
    }

    void start_flush() {
        flushing_ = true;
        std::vector<store::contact> connected;
        for (auto& agent : state_->agents()) {
            if (agent->connected()) connected.push_back(agent->last_contact());
        }
        auto departed = state_->take_departed();
        auto due = contacts_.due(connected, departed);
        // Other servers forget a watching browser after watch_lifetime: remind them well before.
        const auto now_steady = std::chrono::steady_clock::now();
        if (state_->notifier != nullptr &&
            now_steady - last_announce_ >= std::chrono::seconds{30}) {
            last_announce_ = now_steady;
            for (auto user : state_->live.users()) state_->announce_watch(user);
        }
        auto offline = state_->offline_due(wall_clock_now());
        if (due.empty() && offline.empty()) return on_flushed(true, {}, {});
        auto write = [state = state_, due, offline = std::move(offline)] {
            publish_offline(*state, offline);
            return due.empty() || state->storage.record_contact(due);
        };
        run_blocking(
            *state_, strand_, std::move(write),
            [self = shared_from_this(), due, departed = std::move(departed)](bool ok) mutable {
                self->on_flushed(ok, std::move(due), std::move(departed));
            });
    }

    static timestamp wall_clock_now() {
        return std::chrono::time_point_cast<std::chrono::microseconds>(
            std::chrono::system_clock::now());
    }

    // SPEC §5 device events for agents gone online_window ago. With a database, only devices it
    // also shows offline: another server may hold the device's agent now.
    static void publish_offline(detail::server_state& state,
                                const std::vector<detail::server_state::offline_candidate>& due) {
        auto* db = state.storage.database();
        for (const auto& c : due) {
            if (!state.live.watched(c.user_id)) continue;
            if (db != nullptr) {
                auto d = db->find_device(c.user_id, c.device_id);
                if (!d || store::is_online(*d, wall_clock_now())) continue;
            }
            state.broadcast(c.user_id, detail::live_device_event(c.device_id, false));
        }
    }

    void on_flushed(bool ok, std::vector<store::contact> due,
                    std::vector<store::contact> departed) {
        flushing_ = false;
        if (ok) {
            contacts_.written(due, departed);
        } else {
            for (auto& c : departed) state_->agent_left(c);  // again next time
        }
        if (!final_requested_) return arm_contact_timer();
        if (!final_started_) {
            final_started_ = true;
            return start_flush();
        }
        net::post(ioc_, std::exchange(final_done_, {}));
    }

    void final_flush(std::function<void()> done) {
        final_requested_ = true;
        final_done_ = std::move(done);
        contact_timer_.cancel();
        if (!flushing_) {
            final_started_ = true;
            start_flush();
        }
    }

    void shutdown(std::function<void()> done) {
        state_->stopping = true;
        // The last contacts of the agents closed below are written before `done`.
        done = [self = shared_from_this(), done = std::move(done)]() mutable {
            auto strand = self->strand_;
            net::dispatch(strand, [self = std::move(self), done = std::move(done)]() mutable {
                self->final_flush(std::move(done));
            });
        };
        if (http_) http_->stop();
        if (ws_) ws_->stop();
        for (auto& agent : state_->agents()) agent->shutdown();
        for (auto& browser : state_->live.all()) browser->shutdown();
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
    detail::contact_tracker contacts_;
    net::strand<net::io_context::executor_type> strand_;  // the contact chain's state below
    net::steady_timer contact_timer_;
    std::chrono::steady_clock::time_point last_announce_{};  // on strand_
    // Declared after state_: destroyed (its thread joined) before the state its handler uses.
    std::unique_ptr<store::listener> listener_;
    bool flushing_ = false;
    bool final_requested_ = false;
    bool final_started_ = false;
    std::function<void()> final_done_;
};

server::server(net::io_context& ioc, backend& storage, server_options opts)
    : impl_(std::make_shared<impl>(ioc, storage, std::move(opts))) {}

server::~server() {
    net::dispatch(impl_->strand_, [i = impl_] {
        i->final_requested_ = true;
        i->contact_timer_.cancel();
    });
    if (impl_->http_) impl_->http_->stop();
    if (impl_->ws_) impl_->ws_->stop();
    // Its thread posts to the io_context, which may go right after this server.
    impl_->listener_.reset();
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
