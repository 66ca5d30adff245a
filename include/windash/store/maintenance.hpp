#pragma once
/// @file
/// Background maintenance of a store (SPEC §7): builds rollups as samples arrive and removes rows
/// past their tier's age, in short batches so commits keep flowing beside it.

#include <windash/core/timestamp.hpp>
#include <windash/store/store.hpp>

#include <boost/system/error_code.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>

namespace windash::store {

/// Options of maintenance. Every batch is one short call (one transaction or a few statements),
/// so a commit waits at most one batch for the database's writer.
struct maintenance_options {
    /// Pause between passes; a pass runs right after start. SPEC §7 leaves it free.
    std::chrono::milliseconds interval{std::chrono::seconds{5}};
    /// Minute buckets per build_rollups call (and hours per hour rebuild).
    std::size_t rollup_batch = 64;
    /// Rows deleted per table and device per expire call.
    std::size_t expire_batch = 1000;
    /// Calls per pass of each kind, at most; the rest waits for the next pass.
    std::size_t max_batches = 1000;
    /// Pause after each batch, letting queued commits take the writer first.
    std::chrono::milliseconds batch_pause{1};
    /// Share of wall time maintenance may spend in batches while it has a backlog: after a
    /// batch that took d, it pauses at least d * (1 - max_duty) / max_duty. Under an ingest
    /// burst the rollups fall behind and catch up afterwards, instead of taking the writer
    /// (and a core) from commits. 1 turns the limit off.
    double max_duty = 0.25;
    /// Receives what failed and why; called on the maintenance thread. Default: dropped.
    /// A failed pass is retried at the next interval.
    std::function<void(std::string_view what, boost::system::error_code ec)> on_error;
    /// The clock for retention horizons. Default: system_clock.
    std::function<timestamp()> now;
};

/// Owns one thread that calls build_rollups() then expire() in batches, every `interval`.
/// The store must outlive this object. Not copyable or movable; member functions may be called
/// from any thread.
class maintenance {
  public:
    /// Starts the thread.
    explicit maintenance(store& target, maintenance_options opts = {});
    /// stop(): waits for the batch in progress (never a whole pass), then joins.
    ~maintenance();
    maintenance(const maintenance&) = delete;
    maintenance& operator=(const maintenance&) = delete;

    /// Starts a pass now instead of at the end of the interval.
    void wake();
    /// Stops after the batch in progress and joins the thread. Idempotent.
    void stop();
    /// Passes completed so far (failed ones included).
    [[nodiscard]] std::uint64_t passes() const noexcept { return passes_.load(); }

  private:
    void run();
    void pass();
    template <class F>
    void batches(std::string_view what, F&& call);
    [[nodiscard]] bool stopping();
    [[nodiscard]] timestamp now() const;

    store& target_;
    maintenance_options opts_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool woken_ = false;
    std::atomic<std::uint64_t> passes_{0};
    std::thread thread_;  // last: started once everything above is ready
};

}  // namespace windash::store
