#pragma once
// Moves the WAL into the database file on a thread of its own, so a commit never pays for a
// long checkpoint. With SQLite's automatic checkpoints the committing thread copies the WAL back
// (and fsyncs the database) every 1000 pages: under ingest load that halved the commit rate
// (bench/ingest/README.md).

#include <windash/store/store.hpp>

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace windash::store::sqlite {

class checkpointer {
  public:
    /// WAL pages after a commit that wake the thread for a PASSIVE checkpoint (4 MiB).
    static constexpr int passive_pages = 1000;
    /// WAL pages from which the writer finishes the thread's work itself as soon as little is
    /// left to copy (finish_pages), so the next commit starts the WAL over (64 MiB).
    static constexpr int restart_pages = 16384;
    /// Pages not yet copied below which the writer's own checkpoint is short: it copies those
    /// and fsyncs the database file with only them dirty (16 MiB).
    static constexpr int finish_pages = 4096;
    /// WAL pages at which the writer checkpoints whatever is left, so the WAL stays bounded
    /// when the thread cannot catch up (256 MiB).
    static constexpr int force_pages = 65536;

    /// Opens a connection of its own to `path` and starts the thread. Throws on failure.
    checkpointer(const std::string& path, const options& opts);
    /// Stops the thread after the checkpoint in progress.
    ~checkpointer();
    checkpointer(const checkpointer&) = delete;
    checkpointer& operator=(const checkpointer&) = delete;

    /// Replaces `writer`'s automatic checkpoints with this thread. `writer` must not commit
    /// after this object is destroyed.
    void watch(sqlite3* writer);

  private:
    static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
    void run();
    void checkpoint();

    sqlite3* db_ = nullptr;
    std::function<void(std::string_view)> log_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool due_ = false;
    bool stopping_ = false;
    // WAL frames the thread's last checkpoint had copied (may belong to a WAL since restarted).
    std::atomic<int> backfilled_{0};
    std::thread thread_;  // last: started once everything above is ready
};

}  // namespace windash::store::sqlite
