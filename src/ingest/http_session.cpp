#include "ingest/http_session.hpp"

#include "ingest/accounts.hpp"
#include "ingest/agent_session.hpp"
#include "ingest/live_session.hpp"
#include "ingest/pages.hpp"
#include "ingest/request_target.hpp"
#include <windash/core/sample.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <fmt/format.h>

namespace windash::ingest::detail {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

http::status refusal_status(const boost::system::error_code& ec) {
    if (ec == errc::host_mismatch) return http::status::conflict;
    if (ec == errc::invalid_token) return http::status::unauthorized;
    return http::status::service_unavailable;
}

const char* refusal_body(const boost::system::error_code& ec) {
    if (ec == errc::host_mismatch) return R"({"error":"host_mismatch"})";
    if (ec == errc::invalid_token) return R"({"error":"invalid_token"})";
    return R"({"error":"unavailable"})";
}

refusal refusal_reason(const boost::system::error_code& ec) {
    if (ec == errc::host_mismatch) return refusal::host_mismatch;
    if (ec == errc::invalid_token) return refusal::invalid_token;
    return refusal::unavailable;
}

}  // namespace

template <class Stream>
void http_session<Stream>::run() {
    if constexpr (is_tls<Stream>) {
        net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
            beast::get_lowest_layer(self->stream_)
                .expires_after(self->state().opts.request_timeout);
            self->stream_.async_handshake(
                net::ssl::stream_base::server,
                beast::bind_front_handler(&http_session::on_tls_handshake, self));
        });
    } else {
        net::dispatch(stream_.get_executor(),
                      beast::bind_front_handler(&http_session::do_read, this->shared_from_this()));
    }
}

// A client that is not speaking TLS, or not finishing its handshake in time, is dropped.
template <class Stream>
void http_session<Stream>::on_tls_handshake(beast::error_code ec) {
    if (ec) {
        server_metrics::bump(state().metrics.tls_handshake_failures);
        state().log(log_level::debug, fmt::format("TLS handshake: {}", ec.message()));
        return;
    }
    do_read();
}

// Plain TCP: half-close and let the peer finish. TLS: close_notify first, under a deadline.
template <class Stream>
void http_session<Stream>::close() {
    if constexpr (is_tls<Stream>) {
        beast::get_lowest_layer(stream_).expires_after(state().opts.handshake_timeout);
        stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
            beast::get_lowest_layer(self->stream_).close();
        });
    } else {
        beast::error_code ignored;
        stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    }
}

// The whole request (head and body) must arrive within request_timeout: a client trickling
// bytes is dropped however slowly it sends (slowloris).
template <class Stream>
void http_session<Stream>::do_read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state().opts.max_header_bytes));
    parser_->body_limit(state().opts.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(state().opts.request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&http_session::on_read, this->shared_from_this()));
}

template <class Stream>
void http_session<Stream>::on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return close();
    if (ec == beast::error::timeout) {
        server_metrics::bump(state().metrics.request_timeouts);
        return;
    }
    keep_alive_ = false;  // after an error below the connection closes
    if (ec == http::error::header_limit) {
        return respond(json_response(http::status::request_header_fields_too_large,
                                     R"({"error":"headers_too_large"})", 11));
    }
    if (ec == http::error::body_limit) {
        return respond(
            json_response(http::status::payload_too_large, R"({"error":"body_too_large"})", 11));
    }
    if (ec == net::error::eof || ec == net::error::connection_reset) return;
    if (ec)
        return respond(json_response(http::status::bad_request, R"({"error":"bad_request"})", 11));
    server_metrics::bump(state().metrics.http_requests);
    keep_alive_ = parser_->get().keep_alive();
    handle(parser_->release());
}

template <class Stream>
void http_session<Stream>::handle(request&& req) {
    auto path = target_path(req.target());
    auto v = req.version();
    if (path == "/agent") return upgrade_agent(std::move(req));
    if (path == "/api/live") return upgrade_live(std::move(req));
    if (path.starts_with("/api/")) return browser(std::move(req), false);
    if (path.starts_with("/assets/") &&
        (req.method() == http::verb::get || req.method() == http::verb::head)) {
        return respond(asset_response(state().opts, req));
    }
    if (is_page_route(path)) return browser(std::move(req), true);
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        return respond(json_response(http::status::method_not_allowed,
                                     R"({"error":"method_not_allowed"})", v));
    }
    if (path == "/healthz")
        return respond(json_response(http::status::ok, R"({"status":"ok"})", v));
    if (path == "/readyz") return check_ready(std::move(req));
    if (path == "/metrics") {
        auto res = json_response(http::status::ok, state().prometheus(), v);
        res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        return respond(std::move(res));
    }
    respond(json_response(http::status::not_found, R"({"error":"not_found"})", v));
}

// SPEC §2: every refusal happens before the upgrade, with its status and JSON body.
template <class Stream>
void http_session<Stream>::upgrade_agent(request&& req) {
    auto v = req.version();
    keep_alive_ = false;  // a refused agent is disconnected; an accepted one leaves HTTP
    if (!beast::websocket::is_upgrade(req)) {
        return respond(
            json_response(http::status::upgrade_required, R"({"error":"upgrade_required"})", v));
    }
    auto host_id = query_parameter(req.target(), "hostId");
    if (!host_id || !is_valid_host_id(*host_id)) {
        server_metrics::bump(state().metrics.refusals, refusal::bad_host_id);
        return respond(json_response(http::status::bad_request, R"({"error":"bad_host_id"})", v));
    }
    auto token = bearer_token(req[http::field::authorization]);
    if (!token) {
        server_metrics::bump(state().metrics.refusals, refusal::invalid_token);
        return respond(
            json_response(http::status::unauthorized, R"({"error":"invalid_token"})", v));
    }
    // The token check may wait on the database: it runs on the blocking pool, then comes back.
    run_blocking(
        state(), stream_.get_executor(),
        [&storage = state().storage, token = std::string(*token), host = std::move(*host_id)] {
            return storage.authenticate(token, host);
        },
        [self = this->shared_from_this(), req = std::move(req)](auto who) mutable {
            self->on_authenticated(std::move(req), std::move(who));
        });
}

template <class Stream>
void http_session<Stream>::on_authenticated(request&& req,
                                            boost::system::result<agent_identity> who) {
    if (!who) {
        server_metrics::bump(state().metrics.refusals, refusal_reason(who.error()));
        return respond(
            json_response(refusal_status(who.error()), refusal_body(who.error()), req.version()));
    }
    if (state().stopping.load()) {
        return respond(json_response(http::status::service_unavailable,
                                     R"({"error":"shutting_down"})", req.version()));
    }
    std::make_shared<agent_session<Stream>>(std::move(stream_), std::move(slot_), std::move(*who))
        ->run(std::move(req));
}

// SPEC §5: a browser's live socket, signed in by its session cookie. The Origin check stops
// another site's page from opening it with the user's cookies (cross-site WebSocket hijacking).
template <class Stream>
void http_session<Stream>::upgrade_live(request&& req) {
    auto v = req.version();
    keep_alive_ = false;
    auto* db = state().storage.database();
    if (db == nullptr) {
        return respond(json_response(http::status::not_found, R"({"error":"not_found"})", v));
    }
    if (!beast::websocket::is_upgrade(req)) {
        return respond(
            json_response(http::status::upgrade_required, R"({"error":"upgrade_required"})", v));
    }
    if (!same_origin(req[http::field::origin], req[http::field::host])) {
        return respond(json_response(http::status::forbidden, R"({"error":"cross_origin"})", v));
    }
    // Copied first: the request itself moves into the completion below.
    std::string cookies(req[http::field::cookie]);
    run_blocking(
        state(), stream_.get_executor(),
        [&st = state(), db, cookies = std::move(cookies)] {
            return find_signed_in(st, *db, cookies);
        },
        [self = this->shared_from_this(), req = std::move(req)](signed_in who) mutable {
            const auto version = req.version();
            if (who.unavailable) {
                return self->respond(json_response(http::status::service_unavailable,
                                                   R"({"error":"unavailable"})", version));
            }
            if (!who.user) {
                return self->respond(json_response(http::status::unauthorized,
                                                   R"({"error":"unauthorized"})", version));
            }
            if (self->state().stopping.load()) {
                return self->respond(json_response(http::status::service_unavailable,
                                                   R"({"error":"shutting_down"})", version));
            }
            std::make_shared<live_session<Stream>>(std::move(self->stream_), std::move(self->slot_),
                                                   who.user->id)
                ->run(std::move(req));
        });
}

template <class Stream>
void http_session<Stream>::check_ready(request&& req) {
    run_blocking(
        state(), stream_.get_executor(), [&storage = state().storage] { return storage.ready(); },
        [self = this->shared_from_this(), v = req.version()](bool ready) {
            self->respond(ready ? json_response(http::status::ok, R"({"status":"ready"})", v)
                                : json_response(http::status::service_unavailable,
                                                R"({"status":"unavailable"})", v));
        });
}

// The browser API and pages block on the database (and on password hashing for sign-up and
// sign-in, which queue on their own thread with a bound): they run off the I/O threads, then
// answer here.
template <class Stream>
void http_session<Stream>::browser(request&& req, bool page) {
    auto* db = state().storage.database();
    if (db == nullptr) {
        return respond(
            json_response(http::status::not_found, R"({"error":"not_found"})", req.version()));
    }
    beast::error_code ec;
    auto peer = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    request_context ctx{ec ? std::string() : peer.address().to_string(), is_tls<Stream>};
    const bool account = page ? is_account_page(req) : is_account_route(target_path(req.target()));
    if (account &&
        state().accounts_queued.fetch_add(1) >= state().opts.max_queued_account_requests) {
        state().accounts_queued.fetch_sub(1);
        server_metrics::bump(state().metrics.accounts_busy);
        return respond(
            json_response(http::status::service_unavailable, R"({"error":"busy"})", req.version()));
    }
    auto shared = std::make_shared<const request>(std::move(req));
    run_blocking(
        account ? state().accounts : state().blocking, stream_.get_executor(),
        [&st = state(), db, shared, ctx = std::move(ctx), account, page] {
            auto res =
                page ? handle_page(st, *db, *shared, ctx) : handle_api(st, *db, *shared, ctx);
            if (account) st.accounts_queued.fetch_sub(1);
            return res;
        },
        [self = this->shared_from_this(), shared](http_response res) {
            self->respond(std::move(res));
        });
}

template <class Stream>
void http_session<Stream>::respond(response&& res) {
    bool close = !keep_alive_ || state().stopping.load() || !parser_ || !parser_->is_done();
    res.keep_alive(!close);
    reply_.emplace(std::move(res));
    beast::get_lowest_layer(stream_).expires_after(state().opts.handshake_timeout);
    http::async_write(
        stream_, *reply_,
        beast::bind_front_handler(&http_session::on_write, this->shared_from_this(), close));
}

template <class Stream>
void http_session<Stream>::on_write(bool close, beast::error_code ec, std::size_t) {
    reply_.reset();
    if (ec) return;
    if (close) return this->close();
    do_read();
}

template class http_session<plain_stream>;
template class http_session<tls_stream>;

}  // namespace windash::ingest::detail
