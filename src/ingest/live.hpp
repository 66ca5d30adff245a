#pragma once
// Live updates for browsers (SPEC §5): which browser connections watch which user's devices,
// and the events sent to them. Publishing never waits for a browser: each connection has a
// bounded queue and drops (and counts) what does not fit, so a slow browser cannot slow ingest.

#include <windash/core/sample.hpp>
#include <windash/store/records.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace windash::ingest::detail {

/// A browser's live connection as the hub sees it.
class live_subscriber {
  public:
    virtual ~live_subscriber() = default;
    /// Queues `message` to be sent; never blocks. False when the connection's queue is full
    /// and the message was dropped. Thread-safe.
    virtual bool offer(std::shared_ptr<const std::string> message) = 0;
    /// Closes the connection with 1001 (server shutdown). Thread-safe.
    virtual void shutdown() = 0;
};

/// The live connections of one server, by user. Thread-safe.
class live_hub {
  public:
    /// Adds `s` to `user`'s connections unless `user` already has `max_per_user`; false then.
    bool subscribe(store::row_id user, const std::shared_ptr<live_subscriber>& s,
                   std::size_t max_per_user);
    void unsubscribe(store::row_id user, const live_subscriber* s);
    /// Whether any connection watches `user` now: publishers skip serialising events nobody
    /// would receive.
    [[nodiscard]] bool watched(store::row_id user) const;
    /// Offers `message` to every connection of `user`; returns how many dropped it.
    std::size_t publish(store::row_id user, const std::shared_ptr<const std::string>& message);
    /// The users with a connection now.
    [[nodiscard]] std::vector<store::row_id> users() const;
    /// Every connection, for shutdown.
    [[nodiscard]] std::vector<std::shared_ptr<live_subscriber>> all() const;

  private:
    mutable std::mutex mutex_;
    std::unordered_map<store::row_id, std::vector<std::weak_ptr<live_subscriber>>> by_user_;
};

/// `{"type":"sample","deviceId":N,"sample":{...}}` (SPEC §5).
[[nodiscard]] std::string live_sample_event(store::row_id device, const sample& s);
/// `{"type":"device","deviceId":N,"isOnline":b}` (SPEC §5).
[[nodiscard]] std::string live_device_event(store::row_id device, bool online);

}  // namespace windash::ingest::detail
