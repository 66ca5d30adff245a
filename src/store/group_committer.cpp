#include <windash/store/group_committer.hpp>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace windash::store {

struct group_committer::impl {
    struct pending {
        device_batch batch;
        handler done;
    };

    impl(store& target, group_options opts) : target_(target), opts_(opts) {
        if (opts_.workers == 0) opts_.workers = target_.commit_concurrency();
        for (std::size_t i = 0; i < std::max<std::size_t>(opts_.workers, 1); ++i) {
            workers_.emplace_back([this] { run(); });
        }
    }

    ~impl() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        for (auto& w : workers_) w.join();
    }

    void submit(device_batch batch, handler done) {
        {
            std::lock_guard lock(mutex_);
            queued_samples_ += batch.samples.size();
            queue_.push_back({std::move(batch), std::move(done)});
        }
        wake_.notify_one();
    }

    group_stats stats() const {
        std::lock_guard lock(mutex_);
        group_stats s = stats_;
        s.queued_batches = queue_.size();
        s.queued_samples = queued_samples_;
        s.retrying_groups = retrying_;
        return s;
    }

  private:
    std::vector<pending> take_group(std::unique_lock<std::mutex>& lock) {
        ++idle_;
        wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        --idle_;
        // Leave a fair share of the queue to the workers still waiting, so their transactions
        // run (and flush) alongside this one instead of queueing behind it.
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

    // Commits `batches`, repeating after a retryable error with a growing pause until it
    // succeeds, fails otherwise, or the committer stops.
    result<std::vector<batch_outcome>> commit_with_retries(std::span<const device_batch> batches) {
        auto pause = opts_.first_retry_pause;
        for (;;) {
            auto outcome = target_.commit_metrics(batches);
            if (outcome || pause.count() <= 0 || outcome.error() != condition::retryable) {
                return outcome;
            }
            std::unique_lock lock(mutex_);
            ++retrying_;
            bool stop = wake_.wait_for(lock, pause, [this] { return stopping_; });
            --retrying_;
            if (stop) return outcome;
            ++stats_.retries;
            pause = std::min(pause * 2, opts_.max_retry_pause);
        }
    }

    void count(const std::vector<device_batch>& group, bool committed) {
        std::lock_guard lock(mutex_);
        if (!committed) {
            ++stats_.failures;
            return;
        }
        ++stats_.commits;
        stats_.batches += group.size();
        for (const auto& b : group) stats_.samples += b.samples.size();
    }

    void complete(handler& done, result<batch_outcome> r) noexcept {
        try {
            done(std::move(r));
        } catch (...) {
            std::lock_guard lock(mutex_);
            ++stats_.handler_errors;
        }
    }

    void run() {
        std::unique_lock lock(mutex_);
        for (;;) {
            auto group = take_group(lock);
            if (group.empty()) return;  // stopping and drained
            lock.unlock();
            std::vector<device_batch> batches;
            batches.reserve(group.size());
            for (auto& p : group) batches.push_back(std::move(p.batch));
            auto outcome = commit_with_retries(batches);
            count(batches, outcome.has_value());
            for (std::size_t i = 0; i < group.size(); ++i) {
                if (outcome) {
                    complete(group[i].done, (*outcome)[i]);
                } else {
                    complete(group[i].done, outcome.error());
                }
            }
            lock.lock();
        }
    }

    store& target_;
    group_options opts_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<pending> queue_;
    std::size_t queued_samples_ = 0;  // samples of the batches in queue_
    std::size_t idle_ = 0;            // workers waiting for work
    std::size_t retrying_ = 0;        // workers pausing before a retry
    bool stopping_ = false;
    group_stats stats_;
    std::vector<std::thread> workers_;  // last: started once everything above is ready
};

group_committer::group_committer(store& target, group_options opts)
    : impl_(std::make_unique<impl>(target, opts)) {}

group_committer::~group_committer() = default;

void group_committer::submit(device_batch batch, handler done) {
    impl_->submit(std::move(batch), std::move(done));
}

result<batch_outcome> group_committer::commit(device_batch batch) {
    std::promise<result<batch_outcome>> promise;
    auto future = promise.get_future();
    submit(std::move(batch), [&promise](result<batch_outcome> r) { promise.set_value(r); });
    return future.get();
}

group_stats group_committer::stats() const { return impl_->stats(); }

}  // namespace windash::store
