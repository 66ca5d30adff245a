#pragma once
// Accepts connections on one endpoint, each on a strand of its own, and starts an http_session
// for it while fewer than max_connections are open.

#include "ingest/server_state.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <memory>

namespace windash::ingest::detail {

class listener : public std::enable_shared_from_this<listener> {
  public:
    listener(boost::asio::io_context& ioc, std::shared_ptr<server_state> state);
    /// Opens, binds and listens; errors are the socket calls'.
    [[nodiscard]] boost::system::result<void> open(const boost::asio::ip::tcp::endpoint& at);
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
    void run();
    /// Stops accepting. Thread-safe.
    void stop();

  private:
    void do_accept();
    void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& ioc_;
    std::shared_ptr<server_state> state_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
};

}  // namespace windash::ingest::detail
