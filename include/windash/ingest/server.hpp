#pragma once
/// @file
/// The ingest server (SPEC §2, §6): agents' WebSocket on both ports, `/healthz`, `/readyz` and
/// Prometheus `/metrics`, on Boost.Beast over a caller-owned io_context.

#include <windash/ingest/backend.hpp>
#include <windash/ingest/options.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace windash::ingest {

/// Accepts agents, parses their frames (windash::protocol), hands accepted samples to the
/// backend and acknowledges each batch, in order, only after its commit (SPEC §2).
///
/// Threads: run `ioc` on as many threads as you like; each connection's state lives on its own
/// strand. Member functions may be called from any thread. `ioc` and the backend must outlive
/// the server. Memory is bounded: max_connections connections, each holding at most
/// max_pending_batches parsed batches and one frame of max_frame_bytes.
class server {
  public:
    /// Validates nothing yet and binds nothing: see start(). Throws std::runtime_error when the
    /// CPU lacks the frame parser's SIMD level.
    server(boost::asio::io_context& ioc, backend& storage, server_options opts = {});
    /// Closes the listeners and every connection at once (use shutdown() to drain first).
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Binds both listeners and starts accepting. Errors: errc::bad_option, or the bind's.
    [[nodiscard]] boost::system::result<void> start();
    /// The bound ports (useful with port 0), valid after start().
    [[nodiscard]] std::uint16_t http_port() const noexcept;
    [[nodiscard]] std::uint16_t ws_port() const noexcept;

    /// Graceful stop (SIGTERM): stops accepting and reading, lets the batches in flight commit
    /// and their acks go out, closes each agent with 1001 (going away), then calls `done` on an
    /// I/O thread. Batches read but not committed are never acknowledged: the agent resends them.
    void shutdown(std::function<void()> done);

    /// The server's metrics in Prometheus text format 0.0.4 (what `/metrics` answers).
    [[nodiscard]] std::string prometheus_metrics() const;

  private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

}  // namespace windash::ingest
