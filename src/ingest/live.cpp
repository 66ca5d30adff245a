#include "ingest/live.hpp"

#include <windash/protocol/writer.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace windash::ingest::detail {

bool live_hub::subscribe(store::row_id user, const std::shared_ptr<live_subscriber>& s,
                         std::size_t max_per_user) {
    std::lock_guard lock(mutex_);
    auto& list = by_user_[user];
    std::erase_if(list, [](const auto& w) { return w.expired(); });
    if (list.size() >= max_per_user) return false;
    list.push_back(s);
    return true;
}

void live_hub::unsubscribe(store::row_id user, const live_subscriber* s) {
    std::lock_guard lock(mutex_);
    auto it = by_user_.find(user);
    if (it == by_user_.end()) return;
    // Called from the subscriber's destructor: its weak_ptr has expired, so compare owners
    // by what is left (expired entries go too).
    std::erase_if(it->second, [s](const auto& w) {
        auto p = w.lock();
        return !p || p.get() == s;
    });
    if (it->second.empty()) by_user_.erase(it);
}

bool live_hub::watched(store::row_id user) const {
    std::lock_guard lock(mutex_);
    return by_user_.contains(user);
}

std::size_t live_hub::publish(store::row_id user,
                              const std::shared_ptr<const std::string>& message) {
    std::vector<std::shared_ptr<live_subscriber>> targets;
    {
        std::lock_guard lock(mutex_);
        auto it = by_user_.find(user);
        if (it == by_user_.end()) return 0;
        for (const auto& w : it->second) {
            if (auto p = w.lock()) targets.push_back(std::move(p));
        }
    }
    // Offered outside the lock: a subscriber may unsubscribe from its destructor right here.
    std::size_t dropped = 0;
    for (const auto& t : targets) {
        if (!t->offer(message)) ++dropped;
    }
    return dropped;
}

std::vector<store::row_id> live_hub::users() const {
    std::vector<store::row_id> out;
    std::lock_guard lock(mutex_);
    for (const auto& [user, list] : by_user_) out.push_back(user);
    return out;
}

std::vector<std::shared_ptr<live_subscriber>> live_hub::all() const {
    std::vector<std::shared_ptr<live_subscriber>> out;
    std::lock_guard lock(mutex_);
    for (const auto& [user, list] : by_user_) {
        for (const auto& w : list) {
            if (auto p = w.lock()) out.push_back(std::move(p));
        }
    }
    return out;
}

std::string live_sample_event(store::row_id device, const sample& s) {
    std::string out = fmt::format(R"({{"type":"sample","deviceId":{},"sample":)", device);
    protocol::write_sample(out, s);
    out += '}';
    return out;
}

std::string live_device_event(store::row_id device, bool online) {
    return fmt::format(R"({{"type":"device","deviceId":{},"isOnline":{}}})", device, online);
}

}  // namespace windash::ingest::detail
