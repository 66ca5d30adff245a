#pragma once
// Moves the WAL into the database file on a thread of its own, so a commit never pays for a
// checkpoint. With SQLite's automatic checkpoints the committing thread copies the WAL back
// (and fsyncs the database) every 1000 pages: under ingest load that halved the commit rate
// (bench/ingest/README.md).

#include <windash/store/store.hpp>

#include <sqlite3.h>

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
    /// WAL pages after a commit at which the writer checkpoints itself, so the WAL is reset
    /// and cannot grow without bound under constant writes (64 MiB).
    static constexpr int restart_pages = 16384;

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
    std::thread thread_;  // last: started once everything above is ready
};

}  // namespace windash::store::sqlite
