#include "ingest/agent_session.hpp"

#include <windash/protocol/errors.hpp>
#include <windash/protocol/writer.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace windash::ingest::detail {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;

template <class Stream>
agent_session<Stream>::agent_session(Stream&& stream, connection_slot slot, agent_identity who)
    : ws_(std::move(stream)),
      slot_(std::move(slot)),
      who_(std::move(who)),
      ping_timer_(ws_.get_executor()) {}

template <class Stream>
agent_session<Stream>::~agent_session() {
    if (registered_) state().remove_agent(*this);
    if (connected_) {
        state().metrics.agents_connected.fetch_sub(1, std::memory_order_relaxed);
        state().agent_left(last_contact());
        state().watch_offline(who_.user_id, last_contact());
    }
    state().metrics.batches_pending.fetch_sub(pending_.size(), std::memory_order_relaxed);
}

template <class Stream>
void agent_session<Stream>::run(beast::http::request<beast::http::string_body> upgrade) {
    // Registered before `stopping` is read: a shutdown either sees this session or this
    // session sees the shutdown, and closes right after its handshake.
    state().add_agent(*this, this->weak_from_this());
    registered_ = true;
    if (state().stopping.load()) closing_ = websocket::close_code::going_away;
    // The WebSocket layer keeps its own time from here: the HTTP deadline must not cut it.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout t{};
    t.handshake_timeout = state().opts.handshake_timeout;
    t.idle_timeout = websocket::stream_base::none();  // silence is ours: on_ping_timer
    t.keep_alive_pings = false;
    ws_.set_option(t);
    ws_.read_message_max(state().opts.max_frame_bytes);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(beast::http::field::server, "windash-server");
    }));
    ws_.control_callback([this](websocket::frame_type, beast::string_view) {
        heard();  // pongs and pings count as signs of life
    });
    io::accept(ws_, upgrade,
               beast::bind_front_handler(&agent_session::on_accept, this->shared_from_this()));
}

template <class Stream>
void agent_session<Stream>::on_accept(beast::error_code ec) {
    if (ec) return fail(ec, "accept");
    open_ = true;
    heard();
    connected_ = true;
    state().metrics.agents_connected.fetch_add(1, std::memory_order_relaxed);
    if (state().watched_anywhere(who_.user_id)) {
        state().broadcast(who_.user_id, live_device_event(who_.device_id, true));
    }
    if (closing_) return maybe_close();
    last_ping_ = last_heard_;
    arm_ping();
    maybe_read();
}

template <class Stream>
void agent_session<Stream>::heard() {
    last_heard_ = clock::now();
    auto wall =
        std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    heard_us_.store(wall.time_since_epoch().count(), std::memory_order_relaxed);
}

template <class Stream>
store::contact agent_session<Stream>::last_contact() const noexcept {
    return {who_.device_id, timestamp(std::chrono::microseconds(heard_us_.load()))};
}

template <class Stream>
void agent_session<Stream>::shutdown() {
    net::dispatch(ws_.get_executor(), [self = this->shared_from_this()] {
        if (self->closing_) return;
        self->closing_ = websocket::close_code::going_away;
        self->maybe_close();  // or, during the handshake, on_accept closes
    });
}

template <class Stream>
void agent_session<Stream>::revoke() {
    net::dispatch(ws_.get_executor(), [self = this->shared_from_this()] {
        // Every server hears of a revocation, the one that made it too: once is enough.
        if (self->closing_ == websocket::close_code::policy_error) return;
        server_metrics::bump(self->state().metrics.agents_revoked);
        self->state().log(log_level::info, fmt::format("device {}: token revoked, disconnecting",
                                                       self->who_.device_id));
        self->closing_ = websocket::close_code::policy_error;
        self->maybe_close();  // or, during the handshake, on_accept closes
    });
}

// Backpressure (SPEC §2): no read while max_pending_batches wait for their commit.
template <class Stream>
void agent_session<Stream>::maybe_read() {
    if (!open_ || reading_ || closing_) return;
    if (pending_.size() >= state().opts.max_pending_batches) return;
    reading_ = true;
    last_heard_ = clock::now();  // time spent paused by backpressure is not the peer's silence
    io::read(ws_, buffer_,
             beast::bind_front_handler(&agent_session::on_read, this->shared_from_this()));
}

template <class Stream>
void agent_session<Stream>::on_read(beast::error_code ec, std::size_t bytes) {
    reading_ = false;
    if (ec == websocket::error::message_too_big) {
        // Beast has sent the close frame with 1009 (SPEC §2).
        server_metrics::bump(state().metrics.frames_refused, frame_refusal::too_big);
        open_ = false;
        return;
    }
    if (ec) return fail(ec, "read");
    heard();
    server_metrics::bump(state().metrics.frames);
    if (closing_) return;  // shutting down: not acknowledged, so the agent sends it again
    if (!ws_.got_text()) {
        server_metrics::bump(state().metrics.frames_refused, frame_refusal::binary);
        outgoing reply;
        protocol::write_error(reply.text, {"bad_message", "frames must be text (JSON messages)"});
        send(std::move(reply));
    } else {
        auto data = buffer_.cdata();
        handle_frame({static_cast<const char*>(data.data()), bytes});
    }
    buffer_.consume(buffer_.size());
    maybe_read();
}

template <class Stream>
void agent_session<Stream>::handle_frame(std::string_view frame) {
    auto parser = state().parsers.take();
    auto parsed = parser->parse(frame, who_.host_id);
    if (!parsed) {
        bool syntax = parsed.error().code == protocol::condition::syntax_error;
        server_metrics::bump(state().metrics.frames_refused,
                             syntax ? frame_refusal::invalid_json : frame_refusal::invalid_message);
        outgoing reply;
        protocol::write_error(reply.text, {"bad_message", parsed.error().message});
        return send(std::move(reply));
    }
    if (*parsed == protocol::message_type::metrics) submit(parser->batch());
}

template <class Stream>
void agent_session<Stream>::submit(protocol::metrics_batch& batch) {
    auto& m = state().metrics;
    m.samples_rejected.fetch_add(batch.rejected.size(), std::memory_order_relaxed);
    pending_batch entry{next_id_++,   batch.seq, std::move(batch.rejected), {}, false,
                        clock::now(), {}};
    batch.rejected.clear();
    m.batches_pending.fetch_add(1, std::memory_order_relaxed);
    if (batch.samples.empty()) {  // every sample rejected: nothing to store
        entry.outcome = store::batch_outcome{};
        pending_.push_back(std::move(entry));
        return flush_acks();
    }
    std::uint64_t id = entry.id;
    store::device_batch rows{who_.device_id, std::move(batch.samples), {}};
    batch.samples.clear();
    if (state().watched_anywhere(who_.user_id)) add_live_events(entry, rows);
    pending_.push_back(std::move(entry));
    // The guard keeps the io_context running while the commit is in flight (shutdown).
    auto guard = net::make_work_guard(ws_.get_executor());
    state().storage.commit(std::move(rows), [self = this->shared_from_this(), id,
                                             guard = std::move(guard)](auto r) mutable {
        net::post(guard.get_executor(), [self = std::move(self), id, r = std::move(r)]() mutable {
            self->on_commit(id, std::move(r));
        });
        guard.reset();
    });
}

// SPEC §5 sample events for a batch some browser of the owner watches. A resent backlog is
// history, not news: only a batch's newest samples go live. With servers sharing the database
// the commit itself announces the samples it stored, to every server (this one included);
// alone, this session publishes them once the batch is acknowledged.
template <class Stream>
void agent_session<Stream>::add_live_events(pending_batch& entry, store::device_batch& rows) {
    constexpr std::size_t max_live_per_batch = 32;
    const auto n = std::min(rows.samples.size(), max_live_per_batch);
    const auto first = rows.samples.size() - n;
    if (state().notifier != nullptr) rows.notify_if_stored.resize(rows.samples.size());
    for (auto i = first; i < rows.samples.size(); ++i) {
        auto event = live_sample_event(who_.device_id, rows.samples[i]);
        if (state().notifier == nullptr) {
            entry.live.push_back(std::make_shared<const std::string>(std::move(event)));
            continue;
        }
        auto note = live_notification(who_.user_id, event);
        if (note.size() > store::max_notification_bytes) {
            server_metrics::bump(state().metrics.live_too_big);
            continue;
        }
        rows.notify_if_stored[i] = std::move(note);
    }
}

template <class Stream>
void agent_session<Stream>::on_commit(std::uint64_t id, store::result<store::batch_outcome> r) {
    auto it = std::find_if(pending_.begin(), pending_.end(),
                           [id](const pending_batch& p) { return p.id == id; });
    if (it == pending_.end()) return;
    state().metrics.commit_latency.observe(clock::now() - it->read_at);
    if (r) {
        it->outcome = *r;
    } else {
        it->failed = true;
        server_metrics::bump(state().metrics.commit_failures);
        state().log(log_level::error, fmt::format("device {}: commit failed: {}", who_.device_id,
                                                  r.error().message()));
    }
    flush_acks();
}

// Acks leave in batch order: a batch committed early waits for those read before it.
template <class Stream>
void agent_session<Stream>::flush_acks() {
    auto& m = state().metrics;
    while (!pending_.empty() && (pending_.front().outcome || pending_.front().failed)) {
        auto& front = pending_.front();
        if (front.failed) {
            // Never acknowledged: closing makes the agent reconnect and resend what it holds.
            m.batches_pending.fetch_sub(pending_.size(), std::memory_order_relaxed);
            pending_.clear();
            closing_ = websocket::close_code::try_again_later;
            break;
        }
        protocol::ack a{front.seq, front.outcome->accepted, front.outcome->duplicates,
                        std::move(front.rejected)};
        m.samples_accepted.fetch_add(a.accepted, std::memory_order_relaxed);
        m.samples_duplicate.fetch_add(a.duplicates, std::memory_order_relaxed);
        server_metrics::bump(m.batches_acked);
        m.batches_pending.fetch_sub(1, std::memory_order_relaxed);
        outgoing reply;
        protocol::write_ack(reply.text, a);
        if (a.accepted > 0) {
            for (const auto& event : front.live) state().publish(who_.user_id, event);
        }
        pending_.pop_front();
        send(std::move(reply));
    }
    maybe_read();
    maybe_close();
}

template <class Stream>
void agent_session<Stream>::send(outgoing message) {
    writes_.push_back(std::move(message));
    if (!writing_) do_write();
}

// One write in flight; pings queue behind the acks like any other write.
template <class Stream>
void agent_session<Stream>::do_write() {
    if (!open_ || writes_.empty()) return;
    writing_ = true;
    if (writes_.front().ping) {
        io::ping(ws_, [self = this->shared_from_this()](beast::error_code ec) {
            self->on_write(ec, 0);
        });
        return;
    }
    io::write_text(ws_, net::buffer(writes_.front().text),
                   beast::bind_front_handler(&agent_session::on_write, this->shared_from_this()));
}

template <class Stream>
void agent_session<Stream>::on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return fail(ec, "write");
    writes_.pop_front();
    if (!writes_.empty()) return do_write();
    maybe_close();
}

// The timer ticks several times per silence_timeout, so a silent peer is dropped at most a
// sixth of it late, and pings go out every ping_interval.
template <class Stream>
void agent_session<Stream>::arm_ping() {
    const auto& o = state().opts;
    ping_timer_.expires_after(std::min(o.ping_interval, o.silence_timeout / 6));
    ping_timer_.async_wait(
        beast::bind_front_handler(&agent_session::on_ping_timer, this->shared_from_this()));
}

// SPEC §2: a ping every ping_interval; a peer silent for silence_timeout while we were
// reading (a dead peer that never sent FIN) is dropped without a close handshake.
template <class Stream>
void agent_session<Stream>::on_ping_timer(beast::error_code ec) {
    if (ec || !open_) return;
    auto now = clock::now();
    if (reading_ && now - last_heard_ >= state().opts.silence_timeout) {
        server_metrics::bump(state().metrics.agents_closed_silent);
        state().log(log_level::info,
                    fmt::format("device {}: silent, disconnected", who_.device_id));
        open_ = false;
        beast::get_lowest_layer(ws_).close();
        return;
    }
    if (now - last_ping_ >= state().opts.ping_interval) {
        last_ping_ = now;
        send({true, {}});
    }
    arm_ping();
}

template <class Stream>
void agent_session<Stream>::maybe_close() {
    if (!open_ || !closing_ || !pending_.empty() || writing_) return;
    open_ = false;
    ping_timer_.cancel();
    io::close(ws_, *closing_, [self = this->shared_from_this()](beast::error_code) {});
}

template <class Stream>
void agent_session<Stream>::fail(beast::error_code ec, const char* what) {
    open_ = false;
    ping_timer_.cancel();
    if (ec == websocket::error::closed || ec == net::error::eof ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
        return;
    }
    state().log(log_level::debug,
                fmt::format("device {}: {}: {}", who_.device_id, what, ec.message()));
}

template class agent_session<plain_stream>;
template class agent_session<tls_stream>;

}  // namespace windash::ingest::detail
