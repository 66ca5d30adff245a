#include "store_sqlite/checkpointer.hpp"

#include <stdexcept>

namespace windash::store::sqlite {

checkpointer::checkpointer(const std::string& path, const options& opts) : log_(opts.log) {
    int rc =
        sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        throw std::runtime_error("checkpointer: cannot open " + path + ": " + message);
    }
    sqlite3_busy_timeout(db_, static_cast<int>(opts.busy_timeout.count()));
    // sqlite3_wal_checkpoint_v2() on a connection that has never read the database does nothing
    // and reports success (frames -1): the pager learns the file is in WAL mode on its first
    // read. Reading the schema once makes every later call copy frames.
    rc = sqlite3_exec(db_, "PRAGMA schema_version", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = sqlite3_errmsg(db_);
        sqlite3_close_v2(db_);
        throw std::runtime_error("checkpointer: cannot read " + path + ": " + message);
    }
    thread_ = std::thread([this] { run(); });
}

checkpointer::~checkpointer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    sqlite3_close_v2(db_);
}

void checkpointer::watch(sqlite3* writer) { sqlite3_wal_hook(writer, &on_commit, this); }

// Called by SQLite on the writer's thread right after each commit. Usually only wakes the
// thread. Under constant writes the thread's checkpoints never catch the WAL's end, and a WAL
// is reset (by the next commit) only once fully copied. So past restart_pages the writer copies
// the rest itself, but only once the thread has left little to copy: then its checkpoint is
// short, as the pages the thread copied were fsynced by the thread. Past force_pages it copies
// the rest whatever is left, so the WAL stays bounded.
int checkpointer::on_commit(void* self, sqlite3* writer, const char*, int pages) {
    if (pages < passive_pages) return SQLITE_OK;
    auto* c = static_cast<checkpointer*>(self);
    if (pages >= restart_pages) {
        const int copied = c->backfilled_.load(std::memory_order_relaxed);
        const int left = copied <= pages ? pages - copied : pages;  // else: a restarted WAL's
        if (left <= finish_pages || pages >= force_pages) {
            sqlite3_wal_checkpoint_v2(writer, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
            return SQLITE_OK;
        }
    }
    {
        std::lock_guard lock(c->mutex_);
        c->due_ = true;
    }
    c->wake_.notify_one();
    return SQLITE_OK;
}

void checkpointer::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || due_; });
        if (stopping_) return;
        due_ = false;
        lock.unlock();
        checkpoint();
        lock.lock();
    }
}

void checkpointer::checkpoint() {
    int copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, &copied);
    if (rc == SQLITE_OK) backfilled_.store(copied, std::memory_order_relaxed);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && log_) {
        log_(std::string("WAL checkpoint: ") + sqlite3_errmsg(db_));
    }
}

}  // namespace windash::store::sqlite
