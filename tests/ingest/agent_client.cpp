#include "ingest/agent_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>

namespace windash::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;

/// A completion handler that fulfils a future. Not `net::use_future`: its handlers carry an
/// executor on the system thread pool, and Beast posts some completions (a close's teardown)
/// there, where they outlive this client's I/O thread and touch the stream after it is
/// destroyed. This handler has no executor of its own, so every completion runs on the
/// client's io_context, whose thread the destructor joins.
class future_handler {
  public:
    future_handler() : promise_(std::make_shared<std::promise<std::size_t>>()) {}
    [[nodiscard]] std::future<std::size_t> get_future() { return promise_->get_future(); }
    void operator()(beast::error_code ec, std::size_t n = 0) {
        if (ec)
            promise_->set_exception(std::make_exception_ptr(boost::system::system_error(ec)));
        else
            promise_->set_value(n);
    }

  private:
    std::shared_ptr<std::promise<std::size_t>> promise_;
};

}  // namespace

/// What agent_client forwards to, whatever the transport.
class agent_client::connection {
  public:
    virtual ~connection() = default;
    virtual unsigned connect(std::uint16_t port, const std::string& target,
                             const std::string& token, const http_headers& extra) = 0;
    [[nodiscard]] virtual std::string refusal_body() const = 0;
    [[nodiscard]] virtual const std::string& transport_error() const = 0;
    virtual std::optional<http_reply> get(std::uint16_t port, const std::string& target) = 0;
    virtual bool send(const std::string& text, bool binary) = 0;
    virtual bool send_frame_start(std::uint64_t length) = 0;
    virtual received receive(std::chrono::milliseconds timeout) = 0;
    virtual void close() = 0;
};

namespace {

// The TLS client's context: `trusted` as the only CA (none when empty).
std::unique_ptr<net::ssl::context> client_context(const std::string& trusted) {
    auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_client);
    if (!trusted.empty()) ctx->load_verify_file(trusted);
    return ctx;
}

/// An agent over `NextLayer`: beast::tcp_stream (ws://) or beast::ssl_stream of one (wss://).
template <class NextLayer>
class basic_agent_client final : public agent_client::connection {
  public:
    static constexpr bool tls = !std::is_same_v<NextLayer, beast::tcp_stream>;
    /// The name TLS clients ask for (SNI) and verify the certificate against.
    static constexpr const char* server_name = "localhost";

    basic_agent_client() requires(!tls)
        : work_(net::make_work_guard(ioc_)), ws_(ioc_), thread_([this] { ioc_.run(); }) {}
    /// A TLS client trusting `trusted` (a PEM file) as its only CA; none when empty.
    explicit basic_agent_client(const std::string& trusted) requires(tls)
        : context_(client_context(trusted)),
          work_(net::make_work_guard(ioc_)),
          ws_(ioc_, *context_),
          thread_([this] { ioc_.run(); }) {}
    ~basic_agent_client() override {
        net::post(ioc_, [this] {
            beast::error_code ignored;
            beast::get_lowest_layer(ws_).socket().close(ignored);
            ioc_.stop();  // Beast's own timers may still be armed: do not wait for them
        });
        work_.reset();
        thread_.join();
    }
    basic_agent_client(const basic_agent_client&) = delete;
    basic_agent_client& operator=(const basic_agent_client&) = delete;

    /// Connects and asks for the upgrade; returns the HTTP status the server answered (101 on
    /// success; 0 when TCP or TLS failed, see transport_error()) and keeps the body in
    /// refusal_body().
    unsigned connect(std::uint16_t port, const std::string& target, const std::string& token,
                     const http_headers& extra) override {
        if (!open_transport(port)) return 0;
        ws_.set_option(websocket::stream_base::timeout{5s, websocket::stream_base::none(), false});
        ws_.set_option(
            websocket::stream_base::decorator([token, extra](websocket::request_type& req) {
                if (!token.empty()) req.set(beast::http::field::authorization, "Bearer " + token);
                for (const auto& [name, value] : extra) req.set(name, value);
            }));
        ws_.read_message_max(64 << 20);
        auto done = start_operation([this, target](future_handler h) {
            ws_.async_handshake(response_, "127.0.0.1", target, h);
        });
        if (done.wait_for(10s) != std::future_status::ready) return 0;
        try {
            done.get();
        } catch (const boost::system::system_error&) {
        }
        return response_.result_int();
    }
    [[nodiscard]] std::string refusal_body() const override { return response_.body(); }
    [[nodiscard]] const std::string& transport_error() const override { return transport_error_; }

    /// One HTTP GET on a connection of its own (instead of connect()); nullopt when the
    /// transport failed (transport_error()) or no whole response came within 10 s.
    std::optional<http_reply> get(std::uint16_t port, const std::string& target) override {
        if (!open_transport(port)) return std::nullopt;
        auto req = std::make_shared<beast::http::request<beast::http::string_body>>(
            beast::http::verb::get, target, 11);
        req->set(beast::http::field::host, server_name);
        auto res = std::make_shared<beast::http::response<beast::http::string_body>>();
        auto buffer = std::make_shared<beast::flat_buffer>();
        auto wrote = start_operation([this, req](future_handler h) {
            beast::http::async_write(
                ws_.next_layer(), *req,
                [req, h](beast::error_code ec, std::size_t n) mutable { h(ec, n); });
        });
        if (!settled(wrote)) return std::nullopt;
        auto read = start_operation([this, res, buffer](future_handler h) {
            beast::http::async_read(
                ws_.next_layer(), *buffer, *res,
                [res, buffer, h](beast::error_code ec, std::size_t n) mutable { h(ec, n); });
        });
        if (!settled(read)) return std::nullopt;
        return http_reply{res->result_int(), res->body(), {}};
    }

    /// Sends one text (or binary) frame; false when the connection is gone.
    bool send(const std::string& text, bool binary) override {
        auto message = std::make_shared<std::string>(text);  // outlives a write that timed out
        auto f = start_operation([this, binary, message](future_handler h) {
            ws_.text(!binary);
            ws_.async_write(
                net::buffer(*message),
                [message, h](beast::error_code ec, std::size_t n) mutable { h(ec, n); });
        });
        if (f.wait_for(10s) != std::future_status::ready) {
            transport_error_ = "send: timeout";
            return false;
        }
        try {
            f.get();
            return true;
        } catch (const boost::system::system_error& e) {
            transport_error_ = "send: " + e.code().message();
            return false;
        }
    }

    bool send_frame_start(std::uint64_t length) override {
        if constexpr (tls) {
            transport_error_ = "send_frame_start: ws:// only";
            return false;
        } else {
            // FIN + text, then MASK + the 64-bit length form, the masking key, and 16 payload
            // bytes. The key is zero, so the masked payload reads as the plain spaces.
            auto bytes = std::make_shared<std::string>();
            bytes->push_back(static_cast<char>(0x81));
            bytes->push_back(static_cast<char>(0x80 | 127));
            for (int shift = 56; shift >= 0; shift -= 8)
                bytes->push_back(static_cast<char>((length >> shift) & 0xff));
            bytes->append(4, '\0');
            bytes->append(16, ' ');
            auto f = start_operation([this, bytes](future_handler h) {
                net::async_write(
                    beast::get_lowest_layer(ws_).socket(), net::buffer(*bytes),
                    [bytes, h](beast::error_code ec, std::size_t n) mutable { h(ec, n); });
            });
            return settled(f);
        }
    }

    /// The next message, or how the connection ended. On a timeout the read stays in flight
    /// (Beast answers pings meanwhile) and the next receive() continues it.
    received receive(std::chrono::milliseconds timeout) override {
        if (!reading_) {
            buffer_.clear();
            reading_ = start_operation([this](future_handler h) { ws_.async_read(buffer_, h); });
        }
        received r;
        if (reading_->wait_for(timeout) != std::future_status::ready) {
            r.error = "timeout";
            return r;
        }
        auto f = std::move(*reading_);
        reading_.reset();
        try {
            f.get();
            r.text = beast::buffers_to_string(buffer_.cdata());
        } catch (const boost::system::system_error& e) {
            r.error = e.code().message();
            if (ws_.reason().code != websocket::close_code::none) r.close_code = ws_.reason().code;
        }
        return r;
    }

    void close() override {
        auto f = start_operation(
            [this](future_handler h) { ws_.async_close(websocket::close_code::normal, h); });
        f.wait_for(5s);
    }

  private:
    // TCP, then for TLS the handshake with the certificate verified for server_name.
    bool open_transport(std::uint16_t port) {
        auto& tcp = beast::get_lowest_layer(ws_);
        tcp.expires_after(5s);
        auto connected = start_operation([&](future_handler h) {
            tcp.async_connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port), h);
        });
        if (!settled(connected)) return false;
        tcp.expires_never();
        if constexpr (tls) {
            auto& ssl = ws_.next_layer();
            // SSL_set_tlsext_host_name() without its C-style cast.
            SSL_ctrl(ssl.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(server_name));
            ssl.set_verify_mode(net::ssl::verify_peer);
            ssl.set_verify_callback(net::ssl::host_name_verification(server_name));
            tcp.expires_after(5s);
            auto handshake = start_operation([this](future_handler h) {
                ws_.next_layer().async_handshake(net::ssl::stream_base::client, h);
            });
            if (!settled(handshake)) return false;
            tcp.expires_never();
        }
        return true;
    }

    // Waits (10 s at most) for `f`; false with transport_error() set when it failed.
    bool settled(std::future<std::size_t>& f) {
        if (f.wait_for(10s) != std::future_status::ready) {
            transport_error_ = "timeout";
            return false;
        }
        try {
            f.get();
            return true;
        } catch (const boost::system::system_error& e) {
            transport_error_ = e.code().message();
            return false;
        }
    }

    /// Runs `start(handler)` on the I/O thread (a Beast stream is not thread-safe, and a read
    /// may be in flight there) and returns the future the operation's completion fulfils.
    /// What `start` refers to must outlive the operation.
    template <class Start>
    std::future<std::size_t> start_operation(Start start) {
        future_handler h;
        auto f = h.get_future();
        net::post(ioc_, [start = std::move(start), h]() mutable { start(std::move(h)); });
        return f;
    }

    std::unique_ptr<net::ssl::context> context_;  // TLS only; outlives ws_
    net::io_context ioc_;
    net::executor_work_guard<net::io_context::executor_type> work_;
    websocket::stream<NextLayer, false> ws_;  // no permessage-deflate (never negotiated)
    websocket::response_type response_;
    beast::flat_buffer buffer_;
    std::optional<std::future<std::size_t>> reading_;
    std::string transport_error_;
    std::thread thread_;
};

}  // namespace

agent_client::agent_client() : impl_(std::make_unique<basic_agent_client<beast::tcp_stream>>()) {}
agent_client::agent_client(const tls& settings)
    : impl_(std::make_unique<basic_agent_client<beast::ssl_stream<beast::tcp_stream>>>(
          settings.trusted_certificate)) {}
agent_client::~agent_client() = default;

unsigned agent_client::connect(std::uint16_t port, const std::string& target,
                               const std::string& token, const http_headers& extra) {
    return impl_->connect(port, target, token, extra);
}
std::string agent_client::refusal_body() const { return impl_->refusal_body(); }
const std::string& agent_client::transport_error() const { return impl_->transport_error(); }
std::optional<http_reply> agent_client::get(std::uint16_t port, const std::string& target) {
    return impl_->get(port, target);
}
bool agent_client::send(const std::string& text, bool binary) { return impl_->send(text, binary); }
bool agent_client::send_frame_start(std::uint64_t length) {
    return impl_->send_frame_start(length);
}
received agent_client::receive(std::chrono::milliseconds timeout) {
    return impl_->receive(timeout);
}
void agent_client::close() { impl_->close(); }

}  // namespace windash::testing
