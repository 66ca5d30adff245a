#include <windash/store/group_committer.hpp>

#include <algorithm>
#include <future>
#include <utility>

namespace windash::store {

group_committer::group_committer(store& target, group_options opts) : target_(target), opts_(opts) {
    if (opts_.workers == 0) opts_.workers = target_.commit_concurrency();
    for (std::size_t i = 0; i < std::max<std::size_t>(opts_.workers, 1); ++i) {
        workers_.emplace_back([this] { run(); });
    }
}

group_committer::~group_committer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
}

void group_committer::submit(device_batch batch, handler done) {
    {
        std::lock_guard lock(mutex_);
        queued_samples_ += batch.samples.size();
        queue_.push_back({std::move(batch), std::move(done)});
    }
    wake_.notify_one();
}

result<batch_outcome> group_committer::commit(device_batch batch) {
    std::promise<result<batch_outcome>> promise;
    auto future = promise.get_future();
    submit(std::move(batch), [&promise](result<batch_outcome> r) { promise.set_value(r); });
    return future.get();
}

std::vector<group_committer::pending> group_committer::take_group(
    std::unique_lock<std::mutex>& lock) {
    ++idle_;
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    --idle_;
    // Leave a fair share of the queue to the workers still waiting, so their transactions run
    // (and flush) alongside this one instead of queueing behind it.
    std::size_t share = (queued_samples_ + idle_) / (idle_ + 1);
    std::size_t limit = std::min(opts_.max_group_samples, std::max<std::size_t>(share, 1));
    std::vector<pending> group;
    std::size_t samples = 0;
    // Always take one batch, however big, so an oversized batch cannot starve.
    while (!queue_.empty() &&
           (group.empty() || samples + queue_.front().batch.samples.size() <= limit)) {
        samples += queue_.front().batch.samples.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
    }
    queued_samples_ -= samples;
    if (!queue_.empty()) wake_.notify_one();
    return group;
}

group_stats group_committer::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void group_committer::count(const std::vector<device_batch>& group, bool committed) {
    std::lock_guard lock(mutex_);
    if (!committed) {
        ++stats_.failures;
        return;
    }
    ++stats_.commits;
    stats_.batches += group.size();
    for (const auto& b : group) stats_.samples += b.samples.size();
}

void group_committer::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        auto group = take_group(lock);
        if (group.empty()) return;  // stopping and drained
        lock.unlock();
        std::vector<device_batch> batches;
        batches.reserve(group.size());
        for (auto& p : group) batches.push_back(std::move(p.batch));
        auto outcome = target_.commit_metrics(batches);
        count(batches, outcome.has_value());
        for (std::size_t i = 0; i < group.size(); ++i) {
            if (outcome) {
                group[i].done((*outcome)[i]);
            } else {
                group[i].done(outcome.error());
            }
        }
        lock.lock();
    }
}

}  // namespace windash::store
