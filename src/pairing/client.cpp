#include <windash/pairing/client.hpp>
#include <windash/pairing/tls.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#if WINDASH_TLS
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#endif
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <thread>

namespace windash::pairing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

struct http_answer {
    unsigned status = 0;
    std::string body;
};

failure unreachable(const std::string& where, const error_code& ec, std::string_view step) {
    return {make_error_code(errc::unreachable),
            where + ": " + std::string(step) + " failed: " + ec.message()};
}

}  // namespace

struct client::impl {
    impl(server_url s, client_options o) : server(std::move(s)), opts(std::move(o)) {
        if (!server.tls) return;
#if WINDASH_TLS
        auto ctx = tls_client_context(opts.ca_file);
        if (ctx)
            tls.emplace(std::move(*ctx));
        else
            ca_problem = std::move(ctx.error().message);
#else
        ca_problem = tls_unavailable;
#endif
    }

    // One request on a connection of its own (Connection: close): pairing polls every few
    // seconds, so there is nothing to keep alive.
    template <class Stream>
    net::awaitable<void> exchange_on(Stream& stream, const http::request<http::string_body>& req,
                                     http_answer& out, error_code& ec, std::string& step) {
        auto& tcp = beast::get_lowest_layer(stream);
        step = "resolving the host";
        net::ip::tcp::resolver resolver(co_await net::this_coro::executor);
        auto endpoints = co_await resolver.async_resolve(
            server.host, std::to_string(server.port), net::redirect_error(net::use_awaitable, ec));
        if (ec) co_return;
        step = "connecting";
        tcp.expires_after(opts.timeout);
        co_await tcp.async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
        if (ec) co_return;
#if WINDASH_TLS
        if constexpr (std::is_same_v<Stream, tls_stream>) {
            step = "the TLS handshake";
            expect_server_name(stream, server.host);
            co_await stream.async_handshake(net::ssl::stream_base::client,
                                            net::redirect_error(net::use_awaitable, ec));
            if (ec) co_return;
        }
#endif
        step = "sending the request";
        co_await http::async_write(stream, req, net::redirect_error(net::use_awaitable, ec));
        if (ec) co_return;
        step = "reading the answer";
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(answer_limits::max_body_bytes);
        co_await http::async_read(stream, buffer, parser,
                                  net::redirect_error(net::use_awaitable, ec));
        if (ec) co_return;
        out.status = parser.get().result_int();
        out.body = std::move(parser.get().body());
        tcp.close();
    }

    outcome<http_answer> post(const std::string& path, std::string body) {
        const std::string where = server.origin() + path;
        if (!ca_problem.empty()) return failure{make_error_code(errc::unreachable), ca_problem};
        http::request<http::string_body> req{http::verb::post, path, 11};
        req.set(http::field::host, server.host_header());
        req.set(http::field::user_agent, opts.user_agent);
        req.set(http::field::content_type, "application/json");
        req.set(http::field::accept, "application/json");
        req.set(http::field::connection, "close");
        req.body() = std::move(body);
        req.prepare_payload();

        http_answer out;
        error_code ec;
        std::string step;
        ioc.restart();
#if WINDASH_TLS
        if (server.tls) {
            tls_stream stream(ioc, *tls);
            net::co_spawn(ioc, exchange_on(stream, req, out, ec, step), net::detached);
            ioc.run();
        } else
#endif
        {
            beast::tcp_stream stream(ioc);
            net::co_spawn(ioc, exchange_on(stream, req, out, ec, step), net::detached);
            ioc.run();
        }
        if (ec) return unreachable(where, ec, step);
        return out;
    }

    server_url server;
    client_options opts;
    net::io_context ioc;
#if WINDASH_TLS
    std::optional<net::ssl::context> tls;
#endif
    std::string ca_problem;
};

client::client(server_url server, client_options opts)
    : impl_(std::make_unique<impl>(std::move(server), std::move(opts))) {}

client::~client() = default;

outcome<device_code_grant> client::request_code(std::string_view host_id,
                                                std::string_view hostname) {
    boost::json::object body{{"hostId", host_id}};
    if (!hostname.empty()) body["hostname"] = hostname;
    auto answer = impl_->post("/api/device-codes", boost::json::serialize(body));
    if (!answer) return answer.error();
    if (answer->status == 429) {
        return failure{make_error_code(errc::rate_limited),
                       impl_->server.origin() +
                           ": too many pairing codes were asked for from this address; wait a "
                           "few minutes"};
    }
    if (answer->status != 200) {
        return failure{make_error_code(errc::bad_answer),
                       impl_->server.origin() + "/api/device-codes: HTTP " +
                           std::to_string(answer->status) + " " + answer->body.substr(0, 200)};
    }
    return parse_device_code_grant(answer->body);
}

outcome<poll_answer> client::poll(std::string_view device_code) {
    auto answer =
        impl_->post("/api/device-token",
                    boost::json::serialize(boost::json::object{{"deviceCode", device_code}}));
    if (!answer) return answer.error();
    return parse_poll_answer(answer->status, answer->body);
}

outcome<credential> pair(client& c, std::string_view host_id, std::string_view hostname,
                         const pair_callbacks& cb) {
    auto grant = c.request_code(host_id, hostname);
    if (!grant) return grant.error();
    cb.show_code(*grant);
    poll_schedule schedule(grant->interval, poll_schedule::clock::now() + grant->expires_in);
    std::optional<failure> last_transport;
    // Bounded: every round waits at least a second, and the code expires within a day.
    while (!schedule.expired(poll_schedule::clock::now())) {
        if (cb.wait)
            cb.wait(schedule.interval());
        else
            std::this_thread::sleep_for(schedule.interval());
        auto answer = c.poll(grant->device_code);
        if (!answer) {
            if (answer.error().code != errc::unreachable) return answer.error();
            last_transport = answer.error();  // the server may be restarting: try again
            continue;
        }
        if (answer->status == poll_status::approved) return std::move(answer->approved);
        schedule.on_answer(answer->status);
        if (cb.polled) cb.polled(answer->status);
    }
    return failure{
        make_error_code(errc::expired),
        "the pairing code expired before it was approved: pair again" +
            (last_transport ? " (last poll: " + last_transport->message + ")" : std::string())};
}

}  // namespace windash::pairing
