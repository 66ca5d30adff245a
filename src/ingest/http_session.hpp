#pragma once
// One HTTP connection: reads requests under a deadline and size limits, answers the operations
// routes (SPEC §6) and hands agent upgrades (SPEC §2) to an agent_session once authenticated.
// Over TLS the handshake comes first, under the same deadline as a request. Instantiated for
// plain_stream and tls_stream (stream.hpp) in http_session.cpp.

#include "ingest/api.hpp"
#include "ingest/server_state.hpp"
#include "ingest/stream.hpp"
#include <windash/ingest/backend.hpp>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>
#include <optional>

namespace windash::ingest::detail {

template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
  public:
    using request = http_request;
    using response = http_response;

    /// `stream_args` construct the Stream: a socket, then for TLS the server's ssl::context.
    template <class... StreamArgs>
    explicit http_session(connection_slot slot, StreamArgs&&... stream_args)
        : stream_(std::forward<StreamArgs>(stream_args)...), slot_(std::move(slot)) {}
    void run();

  private:
    void on_tls_handshake(boost::beast::error_code ec);
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void handle(request&& req);
    void upgrade_agent(request&& req);
    void on_authenticated(request&& req, boost::system::result<agent_identity> who);
    void upgrade_live(request&& req);
    void check_ready(request&& req);
    /// The browser API (`page` false) or a server-rendered page, off the I/O threads.
    void browser(request&& req, bool page);
    void respond(response&& res);
    void on_write(bool close, boost::beast::error_code ec, std::size_t bytes);
    void close();
    [[nodiscard]] server_state& state() const noexcept { return slot_.state(); }

    Stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::optional<response> reply_;  // kept alive while written
    connection_slot slot_;
    bool keep_alive_ = false;  // of the request being answered
};

}  // namespace windash::ingest::detail
