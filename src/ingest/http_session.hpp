#pragma once
// One HTTP connection: reads requests under a deadline and size limits, answers the operations
// routes (SPEC §6) and hands agent upgrades (SPEC §2) to an agent_session once authenticated.

#include "ingest/server_state.hpp"
#include <windash/ingest/backend.hpp>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>
#include <optional>

namespace windash::ingest::detail {

class http_session : public std::enable_shared_from_this<http_session> {
  public:
    using request = boost::beast::http::request<boost::beast::http::string_body>;
    using response = boost::beast::http::response<boost::beast::http::string_body>;

    http_session(boost::asio::ip::tcp::socket&& socket, connection_slot slot);
    void run();

  private:
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void handle(request&& req);
    void upgrade_agent(request&& req);
    void on_authenticated(request&& req, boost::system::result<agent_identity> who);
    void check_ready(request&& req);
    void respond(response&& res);
    void on_write(bool close, boost::beast::error_code ec, std::size_t bytes);
    [[nodiscard]] server_state& state() const noexcept { return slot_.state(); }

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::optional<response> reply_;  // kept alive while written
    connection_slot slot_;
    bool keep_alive_ = false;  // of the request being answered
};

}  // namespace windash::ingest::detail
