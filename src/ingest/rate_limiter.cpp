#include "ingest/rate_limiter.hpp"

#include <iterator>

namespace windash::ingest::detail {

bool rate_limiter::allowed(std::string_view key, clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(std::string(key));
    if (it == entries_.end()) return true;
    if (now - it->second.window_start >= window_) {
        entries_.erase(it);
        return true;
    }
    return it->second.failures < max_failures_;
}

void rate_limiter::failed(std::string_view key, clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (entries_.size() >= max_keys_) {
        for (auto it = entries_.begin(); it != entries_.end();) {
            it = now - it->second.window_start >= window_ ? entries_.erase(it) : std::next(it);
        }
        if (entries_.size() >= max_keys_) entries_.clear();  // bounded memory comes first
    }
    auto& e = entries_[std::string(key)];
    if (e.failures == 0 || now - e.window_start >= window_) e = {now, 0};
    ++e.failures;
}

bool rate_limiter::take(std::string_view key, clock::time_point now) {
    if (!allowed(key, now)) return false;
    failed(key, now);
    return true;
}

void rate_limiter::succeeded(std::string_view key) {
    std::lock_guard lock(mutex_);
    entries_.erase(std::string(key));
}

}  // namespace windash::ingest::detail
