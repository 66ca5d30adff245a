#include <windash/store/maintenance.hpp>

#include <algorithm>
#include <utility>

namespace windash::store {

maintenance::maintenance(store& target, maintenance_options opts)
    : target_(target), opts_(std::move(opts)), thread_([this] { run(); }) {}

maintenance::~maintenance() { stop(); }

void maintenance::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

void maintenance::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool maintenance::stopping() {
    std::lock_guard lock(mutex_);
    return stopping_;
}

timestamp maintenance::now() const {
    if (opts_.now) return opts_.now();
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
}

void maintenance::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        woken_ = false;
        lock.unlock();
        pass();
        ++passes_;
        lock.lock();
        wake_.wait_for(lock, opts_.interval, [this] { return stopping_ || woken_; });
    }
}

void maintenance::pass() {
    const std::size_t rollup_batch = std::max<std::size_t>(opts_.rollup_batch, 1);
    // A call that rebuilt fewer minutes than asked has also rebuilt their hours: up to date.
    batches("build_rollups", [&]() -> result<bool> {
        auto n = target_.build_rollups(rollup_batch);
        if (!n) return {boost::system::in_place_error, n.error()};
        return *n == rollup_batch;
    });
    // One horizon per pass, so the pass ends even when rows keep ageing.
    const timestamp horizon = now();
    batches("expire", [&]() -> result<bool> {
        auto n = target_.expire(horizon, std::max<std::size_t>(opts_.expire_batch, 1));
        if (!n) return {boost::system::in_place_error, n.error()};
        return *n > 0;
    });
}

// Calls `call` (true: more to do) until done, failed, stopped or max_batches, pausing between
// calls: the store's writer is released after every call, and the pause (at least batch_pause,
// longer to keep within max_duty) lets waiting commits take it before the next batch.
template <class F>
void maintenance::batches(std::string_view what, F&& call) {
    const double duty = std::clamp(opts_.max_duty, 0.01, 1.0);
    for (std::size_t i = 0; i < opts_.max_batches; ++i) {
        auto started = std::chrono::steady_clock::now();
        auto more = call();
        auto took = std::chrono::steady_clock::now() - started;
        if (!more) {
            if (opts_.on_error) opts_.on_error(what, more.error());
            return;
        }
        if (!*more) return;
        auto pause = std::max<std::chrono::steady_clock::duration>(
            opts_.batch_pause, std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                   took * ((1 - duty) / duty)));
        std::unique_lock lock(mutex_);
        if (wake_.wait_for(lock, pause, [this] { return stopping_; })) return;
    }
}

}  // namespace windash::store
