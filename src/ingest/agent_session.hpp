#pragma once
// One agent's WebSocket connection (SPEC §2), in the Beast-example shape: do_x starts an
// operation, on_x finishes it. All state is touched only on the connection's strand.
// Instantiated for plain_stream and tls_stream (stream.hpp) in agent_session.cpp.

#include "ingest/server_state.hpp"
#include "ingest/stream.hpp"
#include "ingest/websocket_io.hpp"
#include <windash/ingest/backend.hpp>
#include <windash/protocol/messages.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace windash::ingest::detail {

template <class Stream>
class agent_session final : public agent_connection,
                            public std::enable_shared_from_this<agent_session<Stream>> {
  public:
    agent_session(Stream&& stream, connection_slot slot, agent_identity who);
    ~agent_session() override;

    /// Completes the WebSocket handshake for `upgrade` (already authenticated) and serves.
    void run(boost::beast::http::request<boost::beast::http::string_body> upgrade);
    void shutdown() override;
    [[nodiscard]] bool connected() const noexcept override { return connected_.load(); }
    [[nodiscard]] store::contact last_contact() const noexcept override;
    [[nodiscard]] store::row_id device_id() const noexcept override { return who_.device_id; }
    void revoke() override;

  private:
    using io = websocket_io<Stream>;
    using clock = std::chrono::steady_clock;
    // A batch read from the socket, in the order of the batches, until its ack is written.
    struct pending_batch {
        std::uint64_t id = 0;
        std::optional<std::uint64_t> seq;
        std::vector<protocol::rejected_sample> rejected;
        std::optional<store::batch_outcome> outcome;  // set once committed
        bool failed = false;                          // the commit failed for good
        clock::time_point read_at;
        // SPEC §5 sample events, made at read time only when a browser of the owner watches;
        // published once the batch is acknowledged.
        std::vector<std::shared_ptr<const std::string>> live;
    };
    struct outgoing {
        bool ping = false;
        std::string text;
    };

    void on_accept(boost::beast::error_code ec);
    void maybe_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void handle_frame(std::string_view frame);
    void submit(protocol::metrics_batch& batch);
    void add_live_events(pending_batch& entry, store::device_batch& rows);
    void on_commit(std::uint64_t id, store::result<store::batch_outcome> r);
    void flush_acks();
    void send(outgoing message);
    void do_write();
    void on_write(boost::beast::error_code ec, std::size_t bytes);
    void arm_ping();
    void on_ping_timer(boost::beast::error_code ec);
    void maybe_close();
    void fail(boost::beast::error_code ec, const char* what);
    void heard();
    [[nodiscard]] server_state& state() const noexcept { return slot_.state(); }

    websocket_stream<Stream> ws_;
    connection_slot slot_;
    agent_identity who_;
    boost::beast::flat_buffer buffer_;
    boost::asio::steady_timer ping_timer_;
    std::deque<pending_batch> pending_;
    std::deque<outgoing> writes_;
    std::uint64_t next_id_ = 0;
    clock::time_point last_heard_;
    clock::time_point last_ping_;
    std::optional<boost::beast::websocket::close_code> closing_;  // close once drained
    bool open_ = false;                                           // handshake done, not yet closed
    bool reading_ = false;                                        // a read is in flight
    bool writing_ = false;                                        // a write is in flight
    bool registered_ = false;                                     // in server_state's registry
    std::atomic<bool> connected_{false};     // handshake done: counted in agents_connected
    std::atomic<std::int64_t> heard_us_{0};  // last_heard_ on the system clock, for storage
};

}  // namespace windash::ingest::detail
