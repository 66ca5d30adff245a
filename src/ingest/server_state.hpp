#pragma once
// What the listeners and sessions of one server share. Owned through a shared_ptr by the server
// and by every session, so a session finishing after the server object is gone stays safe.

#include "ingest/live.hpp"
#include "ingest/metrics.hpp"
#include "ingest/rate_limiter.hpp"
#include <windash/ingest/backend.hpp>
#include <windash/ingest/options.hpp>
#include <windash/protocol/frame_parser.hpp>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace windash::ingest::detail {

/// What the server needs of an agent's connection, whatever its transport (agent_session<S>).
class agent_connection {
  public:
    virtual ~agent_connection() = default;
    /// Stops reading, waits for the batches in flight to be acknowledged, closes with 1001.
    /// Thread-safe.
    virtual void shutdown() = 0;
    /// Whether the handshake is done and the connection not yet gone. Thread-safe.
    [[nodiscard]] virtual bool connected() const noexcept = 0;
    /// When the agent was last heard from: a frame, or a pong. Thread-safe.
    [[nodiscard]] virtual store::contact last_contact() const noexcept = 0;
    /// The device this connection speaks for. Thread-safe.
    [[nodiscard]] virtual store::row_id device_id() const noexcept = 0;
    /// The device was deleted or its token rotated: stop reading, let the batches in flight
    /// finish, close with 1008 (policy violation). Thread-safe.
    virtual void revoke() = 0;
};

/// Frame parsers lent to whichever I/O thread parses a frame: as many exist as frames were
/// ever parsed at once (at most the number of I/O threads), each reused frame after frame.
class parser_pool {
  public:
    explicit parser_pool(protocol::frame_parser_options opts);

    /// A parser for one parse, returned to the pool when the lease ends.
    class lease {
      public:
        lease(parser_pool& pool, std::unique_ptr<protocol::frame_parser> p)
            : pool_(pool), parser_(std::move(p)) {}
        ~lease() { pool_.give_back(std::move(parser_)); }
        lease(const lease&) = delete;
        lease& operator=(const lease&) = delete;
        protocol::frame_parser* operator->() const noexcept { return parser_.get(); }

      private:
        parser_pool& pool_;
        std::unique_ptr<protocol::frame_parser> parser_;
    };
    [[nodiscard]] lease take();

  private:
    void give_back(std::unique_ptr<protocol::frame_parser> p);
    protocol::frame_parser_options opts_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<protocol::frame_parser>> free_;
};

struct server_state {
    server_state(backend& b, server_options o);
    ~server_state();

    void log(log_level level, std::string_view text) const {
        if (opts.log) opts.log(level, text);
    }
    void add_agent(agent_connection& s, std::weak_ptr<agent_connection> w);
    void remove_agent(agent_connection& s);
    /// The agents connected now.
    [[nodiscard]] std::vector<std::shared_ptr<agent_connection>> agents();
    [[nodiscard]] std::size_t agent_count();
    /// Revokes every connection of `device` in this process (agent_connection::revoke);
    /// returns how many there were.
    std::size_t revoke_device(store::row_id device);
    /// An agent's connection ended; its last contact is written at the next flush.
    void agent_left(store::contact last);
    /// The departures since the last call.
    [[nodiscard]] std::vector<store::contact> take_departed();
    /// SPEC §5: offers `event` to `user`'s live browsers on this server (none for user 0).
    void publish(store::row_id user, const std::shared_ptr<const std::string>& event);
    /// Offers `event` to `user`'s live browsers on every server: through `notifier` when
    /// several servers share the database, else as publish(). Never blocks.
    void broadcast(store::row_id user, std::string event);
    /// Whether a browser of `user` watches on this server or, as announced, on another.
    [[nodiscard]] bool watched_anywhere(store::row_id user);
    /// Tells the other servers that a browser of `user` watches here (lasts watch_lifetime;
    /// announce again before it ends). Never blocks.
    void announce_watch(store::row_id user);
    /// Another server announced a browser of `user`.
    void watched_elsewhere(store::row_id user);
    /// Closes `device`'s agent connections on every server (revoke_device() here, the others
    /// through `notifier`). Blocking.
    void revoke_everywhere(store::row_id device);
    /// Handles what another server (or this one) sent through `notifier`. Thread-safe.
    void on_notification(std::string_view channel, std::string_view payload);
    /// How long another server's announcement that a user watches counts.
    static constexpr std::chrono::seconds watch_lifetime{90};
    /// An agent of `user`'s device left after its contact `last`: the device's offline event is
    /// due online_window after it, unless an agent of it connects again first.
    void watch_offline(store::row_id user, store::contact last);
    /// A device whose offline event is due.
    struct offline_candidate {
        store::row_id user_id = 0;
        store::row_id device_id = 0;
    };
    /// The devices whose offline event is due at `now` and that have no agent connected here;
    /// each is returned once.
    [[nodiscard]] std::vector<offline_candidate> offline_due(timestamp now);
    /// Everything `/metrics` answers: the server's metrics, then the backend's.
    [[nodiscard]] std::string prometheus() const;

    const server_options opts;
    backend& storage;
    server_metrics metrics;
    parser_pool parsers;
    boost::asio::thread_pool blocking;     // authenticate() and ready() calls
    boost::asio::thread_pool accounts{1};  // sign-up and sign-in: password hashing, one at a time
    std::atomic<std::size_t> accounts_queued{0};
    rate_limiter logins;         // failed sign-ins per account and per address
    rate_limiter codes_created;  // device codes per address
    rate_limiter token_polls;    // /api/device-token polls per address
    rate_limiter wrong_codes;    // wrong user codes at /api/pair per user and per address
    /// Set by server::start() when TLS is configured, before any connection is accepted.
    std::unique_ptr<boost::asio::ssl::context> tls;
    live_hub live;  // browsers on /api/live
    /// The database shared with other servers, listened to (SPEC §5 across servers); set by
    /// server::start() before any connection, nullptr on a database of one process.
    store::store* notifier = nullptr;
    std::atomic<bool> stopping{false};  // shutdown() began: no new agents

  private:
    std::mutex agents_mutex_;
    std::unordered_map<agent_connection*, std::weak_ptr<agent_connection>> agents_;
    std::vector<store::contact> departed_;  // guarded by agents_mutex_
    struct leaving {
        store::row_id user_id = 0;
        timestamp last{};
    };
    std::unordered_map<store::row_id, leaving> leaving_;  // by device; guarded by agents_mutex_
    std::mutex watch_mutex_;
    std::unordered_map<store::row_id, std::chrono::steady_clock::time_point> watched_elsewhere_;
};

/// The channels a server listens to when it shares its database with others.
[[nodiscard]] std::vector<std::string> notification_channels();
/// A live event as sent between servers: `<user id> <event>`.
[[nodiscard]] std::string live_notification(store::row_id user, std::string_view event);

/// Runs `work()` on `pool`, then `then(result)` on `ex`. The io_context counts the
/// round trip as outstanding work, so its run() cannot return (and the application cannot tear
/// down the backend) while a blocking call is in flight. `work` must not own the last reference
/// to anything: it is destroyed on the pool's thread.
template <class Executor, class Work, class Then>
void run_blocking(boost::asio::thread_pool& pool, const Executor& ex, Work work, Then then) {
    boost::asio::post(pool, [guard = boost::asio::make_work_guard(ex), work = std::move(work),
                             then = std::move(then)]() mutable {
        auto result = work();
        boost::asio::post(guard.get_executor(),
                          [result = std::move(result), then = std::move(then)]() mutable {
                              then(std::move(result));
                          });
    });
}

/// run_blocking() on the server's blocking pool.
template <class Executor, class Work, class Then>
void run_blocking(server_state& state, const Executor& ex, Work work, Then then) {
    run_blocking(state.blocking, ex, std::move(work), std::move(then));
}

/// One open connection, counted in server_metrics::connections_open while it lives.
class connection_slot {
  public:
    explicit connection_slot(std::shared_ptr<server_state> s) : state_(std::move(s)) {
        state_->metrics.connections_open.fetch_add(1, std::memory_order_relaxed);
    }
    ~connection_slot() {
        if (state_) state_->metrics.connections_open.fetch_sub(1, std::memory_order_relaxed);
    }
    connection_slot(connection_slot&&) noexcept = default;
    connection_slot& operator=(connection_slot&&) = delete;
    connection_slot(const connection_slot&) = delete;
    connection_slot& operator=(const connection_slot&) = delete;
    [[nodiscard]] server_state& state() const noexcept { return *state_; }
    [[nodiscard]] const std::shared_ptr<server_state>& shared() const noexcept { return state_; }

  private:
    std::shared_ptr<server_state> state_;
};

}  // namespace windash::ingest::detail
