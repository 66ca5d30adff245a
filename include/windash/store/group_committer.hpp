#pragma once
/// @file
/// Group commit: merges the batches of many concurrent callers into one commit_metrics call, so
/// one fsync covers them all (SPEC §2 acks are sent only after the commit).

#include <windash/store/store.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

namespace windash::store {

/// Options of group_committer.
struct group_options {
    std::size_t max_group_samples = 20000;  ///< stop adding batches to a group beyond this
    /// Transactions in flight. 0: the store's commit_concurrency() (SQLite 1; PostgreSQL the
    /// pool size, so transactions overlap: bench/store/README.md has 4 workers on a pool of 4
    /// beating 2, and 6).
    std::size_t workers = 0;
    /// A group failing with a condition::retryable error (database down, busy, disk full) is
    /// held and retried after this pause, doubled per attempt up to max_retry_pause, instead of
    /// failing its callers: the data was never acknowledged, and the server keeps it for the
    /// retry (SPEC §2). Zero turns retries off: every error goes straight to the callers.
    std::chrono::milliseconds first_retry_pause{100};
    std::chrono::milliseconds max_retry_pause{std::chrono::seconds{5}};
};

/// Counters since construction, and the queue as it stands, for operators' metrics and
/// store_bench. Samples per commit (samples / commits) is what group commit is for.
struct group_stats {
    std::uint64_t commits = 0;         ///< successful groups, one transaction each
    std::uint64_t failures = 0;        ///< failed groups (each of their callers got the error)
    std::uint64_t retries = 0;         ///< attempts repeated after a retryable error
    std::uint64_t batches = 0;         ///< batches in successful groups
    std::uint64_t samples = 0;         ///< samples in successful groups
    std::uint64_t handler_errors = 0;  ///< completion handlers that threw (swallowed)
    std::size_t queued_batches = 0;    ///< submitted, not yet taken by a worker
    std::size_t queued_samples = 0;    ///< samples of those batches
    std::size_t retrying_groups = 0;   ///< groups waiting to be retried right now
};

/// Owns `workers` threads that take queued batches, commit them together, then complete each
/// caller. A worker takes at most its share of the queued samples (the queue divided among it
/// and the idle workers) and at most max_group_samples, but always one batch.
///
/// The queue itself is unbounded: callers bound it by how much they submit before their
/// completions arrive (the ingest server holds a few batches per connection and stops reading
/// its socket past that), and can read its depth from stats().
///
/// Completion handlers run on a worker thread, once per batch, after the group's transaction
/// committed (or failed for good). Bring the result back to your own executor there; do not
/// block. A handler that throws is counted in stats().handler_errors and otherwise ignored, so
/// the other callers of its group are still completed. The store must outlive the committer;
/// the destructor commits what is queued, stops retrying, and fails the groups still held by a
/// retryable error with that error.
class group_committer {
  public:
    /// Completion of one batch.
    using handler = std::function<void(result<batch_outcome>)>;

    explicit group_committer(store& target, group_options opts = {});
    ~group_committer();
    group_committer(const group_committer&) = delete;
    group_committer& operator=(const group_committer&) = delete;

    /// Queues `batch`; `done` runs once its group committed or failed. Thread-safe.
    void submit(device_batch batch, handler done);
    /// submit() and wait for the outcome. Thread-safe.
    [[nodiscard]] result<batch_outcome> commit(device_batch batch);
    /// A snapshot of the counters and the queue; a group is counted before its callers are
    /// completed.
    [[nodiscard]] group_stats stats() const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace windash::store
