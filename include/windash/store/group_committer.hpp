#pragma once
/// @file
/// Group commit: merges the batches of many concurrent callers into one commit_metrics call, so
/// one fsync covers them all (SPEC §2 acks are sent only after the commit).

#include <windash/store/store.hpp>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace windash::store {

/// Options of group_committer.
struct group_options {
    std::size_t max_group_samples = 20000;  ///< stop adding batches to a group beyond this
    /// Transactions in flight. 0: the store's commit_concurrency() (SQLite 1; PostgreSQL the
    /// pool size, so transactions overlap: bench/store/README.md has 4 workers on a pool of 4
    /// beating 2, and 6).
    std::size_t workers = 0;
};

/// Counters since construction, for operators' metrics and store_bench. Samples per commit
/// (samples / commits) is what group commit is for: one fsync covers them all.
struct group_stats {
    std::uint64_t commits = 0;   ///< successful groups, one transaction each
    std::uint64_t failures = 0;  ///< failed groups (each of their callers got the error)
    std::uint64_t batches = 0;   ///< batches in successful groups
    std::uint64_t samples = 0;   ///< samples in successful groups
};

/// Owns `workers` threads that take queued batches, commit them together, then complete each
/// caller. A worker takes at most its share of the queued samples (the queue divided among it
/// and the idle workers) and at most max_group_samples, but always one batch. The store must
/// outlive the committer; the destructor commits what is queued.
class group_committer {
  public:
    /// Completion of one batch; called on a worker thread, must not block for long.
    using handler = std::function<void(result<batch_outcome>)>;

    explicit group_committer(store& target, group_options opts = {});
    ~group_committer();
    group_committer(const group_committer&) = delete;
    group_committer& operator=(const group_committer&) = delete;

    /// Queues `batch`; `done` runs once its group committed or failed. Thread-safe.
    void submit(device_batch batch, handler done);
    /// submit() and wait for the outcome. Thread-safe.
    [[nodiscard]] result<batch_outcome> commit(device_batch batch);
    /// A snapshot of the counters; a group is counted before its callers are completed.
    [[nodiscard]] group_stats stats() const;

  private:
    struct pending {
        device_batch batch;
        handler done;
    };
    void run();
    std::vector<pending> take_group(std::unique_lock<std::mutex>& lock);
    void count(const std::vector<device_batch>& group, bool committed);

    store& target_;
    group_options opts_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<pending> queue_;
    std::size_t queued_samples_ = 0;  // samples of the batches in queue_
    std::size_t idle_ = 0;            // workers waiting for work
    bool stopping_ = false;
    group_stats stats_;
    std::vector<std::thread> workers_;
};

}  // namespace windash::store
