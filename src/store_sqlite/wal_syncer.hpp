#pragma once
// Flushes the WAL of a database whose writer commits with synchronous=NORMAL, so that a commit
// is durable once sync() returns without the writer itself waiting for the disk: the next
// transaction is written while the previous one's WAL frames are flushed (issue #8: the
// committer spent 17 % of its time blocked in the WAL fdatasync of synchronous=FULL).
//
// Why this is as safe as FULL: FULL flushes the WAL at the end of every commit, this flushes the
// same file, through a descriptor of its own, after the commit returned and before it is
// acknowledged. Checkpoints still flush the WAL before copying it and the database after.
// Frames a checkpoint copied and a later transaction overwrote (the WAL starts over) are in the
// database file, flushed by that checkpoint.

#include <windash/store/store.hpp>

#include <cstdint>
#include <mutex>
#include <string>
#include <sys/types.h>

namespace windash::store::sqlite {

class wal_syncer {
  public:
    /// For the WAL of the database at `database_path` (the file `<path>-wal`). Opens nothing yet.
    explicit wal_syncer(std::string database_path);
    ~wal_syncer();
    wal_syncer(const wal_syncer&) = delete;
    wal_syncer& operator=(const wal_syncer&) = delete;

    /// Makes every transaction committed before the call durable. Thread-safe; concurrent calls
    /// take turns. Reopens the WAL when it was replaced (SQLite deletes it when the last
    /// connection closes, after copying it all into the database); no WAL at all is nothing to
    /// flush. errc::io_error when the file cannot be opened or flushed.
    [[nodiscard]] result<void> sync();

    /// Flushes done so far, and how many times the WAL was (re)opened: for tests.
    [[nodiscard]] std::uint64_t syncs() const;
    [[nodiscard]] std::uint64_t opens() const;

  private:
    const std::string wal_path_;
    mutable std::mutex mutex_;
    int fd_ = -1;
    ino_t inode_ = 0;
    dev_t device_ = 0;
    std::uint64_t syncs_ = 0;
    std::uint64_t opens_ = 0;
};

}  // namespace windash::store::sqlite
