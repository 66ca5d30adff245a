#include "ingest/server_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <unordered_set>
#include <utility>

namespace windash::ingest::detail {

parser_pool::parser_pool(protocol::frame_parser_options opts) : opts_(opts) {
    // Built once here so a CPU without the parser's SIMD level fails at construction.
    free_.push_back(std::make_unique<protocol::frame_parser>(opts_));
}

parser_pool::lease parser_pool::take() {
    {
        std::lock_guard lock(mutex_);
        if (!free_.empty()) {
            auto p = std::move(free_.back());
            free_.pop_back();
            return {*this, std::move(p)};
        }
    }
    return {*this, std::make_unique<protocol::frame_parser>(opts_)};
}

void parser_pool::give_back(std::unique_ptr<protocol::frame_parser> p) {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(p));
}

server_state::server_state(backend& b, server_options o)
    : opts(std::move(o)),
      storage(b),
      parsers({.max_frame_bytes = opts.max_frame_bytes, .max_samples = opts.max_samples}),
      blocking(std::max<std::size_t>(opts.blocking_threads, 1)),
      logins(opts.max_failed_logins, opts.login_window),
      codes_created(opts.max_device_codes_per_address, opts.pairing_window),
      token_polls(opts.max_token_polls_per_address, opts.pairing_window),
      wrong_codes(opts.max_wrong_pair_codes, opts.pairing_window) {}

server_state::~server_state() {
    accounts.join();
    blocking.join();
}

void server_state::add_agent(agent_connection& s, std::weak_ptr<agent_connection> w) {
    std::lock_guard lock(agents_mutex_);
    agents_.emplace(&s, std::move(w));
}

void server_state::remove_agent(agent_connection& s) {
    std::lock_guard lock(agents_mutex_);
    agents_.erase(&s);
}

std::vector<std::shared_ptr<agent_connection>> server_state::agents() {
    std::lock_guard lock(agents_mutex_);
    std::vector<std::shared_ptr<agent_connection>> out;
    out.reserve(agents_.size());
    for (auto& [_, weak] : agents_) {
        if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
}

std::size_t server_state::revoke_device(store::row_id device) {
    std::size_t n = 0;
    for (auto& agent : agents()) {
        if (agent->device_id() != device) continue;
        agent->revoke();
        ++n;
    }
    return n;
}

std::size_t server_state::agent_count() {
    std::lock_guard lock(agents_mutex_);
    return agents_.size();
}

void server_state::agent_left(store::contact last) {
    std::lock_guard lock(agents_mutex_);
    departed_.push_back(last);
}

std::vector<store::contact> server_state::take_departed() {
    std::lock_guard lock(agents_mutex_);
    return std::exchange(departed_, {});
}

void server_state::publish(store::row_id user, const std::shared_ptr<const std::string>& event) {
    if (user == 0) return;
    metrics.live_events.fetch_add(1, std::memory_order_relaxed);
    live.publish(user, event);
}

namespace {

// Channels between servers on one database: device events, watch announcements, revocations.
// Sample events travel on store::commit_channel, sent by the commit that stored them.
constexpr std::string_view live_channel = "windash_live";
constexpr std::string_view watch_channel = "windash_watch";
constexpr std::string_view revoke_channel = "windash_revoke";

std::optional<store::row_id> leading_id(std::string_view& text) {
    store::row_id id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || id <= 0) return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    return id;
}

}  // namespace

std::vector<std::string> notification_channels() {
    return {std::string(store::commit_channel), std::string(live_channel),
            std::string(watch_channel), std::string(revoke_channel)};
}

std::string live_notification(store::row_id user, std::string_view event) {
    std::string out = std::to_string(user);
    out += ' ';
    out += event;
    return out;
}

void server_state::broadcast(store::row_id user, std::string event) {
    if (user == 0) return;
    if (notifier == nullptr)
        return publish(user, std::make_shared<const std::string>(std::move(event)));
    boost::asio::post(blocking, [this, user, event = std::move(event)] {
        auto r = notifier->notify(live_channel, live_notification(user, event));
        if (!r)
            log(log_level::warn,
                fmt::format("live event not sent to other servers: {}", r.error().message()));
    });
}

bool server_state::watched_anywhere(store::row_id user) {
    if (live.watched(user)) return true;
    if (notifier == nullptr) return false;
    std::lock_guard lock(watch_mutex_);
    auto it = watched_elsewhere_.find(user);
    if (it == watched_elsewhere_.end()) return false;
    if (std::chrono::steady_clock::now() < it->second) return true;
    watched_elsewhere_.erase(it);
    return false;
}

void server_state::announce_watch(store::row_id user) {
    if (notifier == nullptr) return;
    boost::asio::post(
        blocking, [this, user] { (void)notifier->notify(watch_channel, std::to_string(user)); });
}

void server_state::watched_elsewhere(store::row_id user) {
    std::lock_guard lock(watch_mutex_);
    watched_elsewhere_[user] = std::chrono::steady_clock::now() + watch_lifetime;
}

void server_state::revoke_everywhere(store::row_id device) {
    revoke_device(device);
    if (notifier == nullptr) return;
    if (auto r = notifier->notify(revoke_channel, std::to_string(device)); !r) {
        log(log_level::warn, fmt::format("device {}: revocation not sent to other servers: {}",
                                         device, r.error().message()));
    }
}

void server_state::on_notification(std::string_view channel, std::string_view payload) {
    auto id = leading_id(payload);
    if (!id) return;  // not ours: every payload starts with an id
    if (channel == store::commit_channel || channel == live_channel) {
        if (payload.empty() || payload.front() != ' ' || !live.watched(*id)) return;
        payload.remove_prefix(1);
        publish(*id, std::make_shared<const std::string>(payload));
    } else if (channel == watch_channel) {
        watched_elsewhere(*id);
    } else if (channel == revoke_channel) {
        revoke_device(*id);
    }
}

void server_state::watch_offline(store::row_id user, store::contact last) {
    if (user == 0) return;
    std::lock_guard lock(agents_mutex_);
    auto& entry = leaving_[last.device_id];
    entry.user_id = user;
    entry.last = std::max(entry.last, last.at);
}

std::vector<server_state::offline_candidate> server_state::offline_due(timestamp now) {
    std::vector<offline_candidate> out;
    // Taken before the lock and released after it: dropping the last reference to an agent
    // runs its destructor, which takes the lock.
    const auto connected = agents();
    std::unordered_set<store::row_id> here;
    for (const auto& a : connected) {
        if (a->connected()) here.insert(a->device_id());
    }
    std::lock_guard lock(agents_mutex_);
    for (auto it = leaving_.begin(); it != leaving_.end();) {
        if (now - it->second.last < store::online_window) {
            ++it;
            continue;
        }
        if (!here.contains(it->first)) out.push_back({it->second.user_id, it->first});
        it = leaving_.erase(it);
    }
    return out;
}

std::string server_state::prometheus() const {
    std::string out;
    metrics.render(out);
    storage.write_metrics(out);
    return out;
}

}  // namespace windash::ingest::detail
