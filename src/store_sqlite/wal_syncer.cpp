#include "store_sqlite/wal_syncer.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace windash::store::sqlite {

wal_syncer::wal_syncer(std::string database_path) : wal_path_(std::move(database_path) + "-wal") {}

wal_syncer::~wal_syncer() {
    if (fd_ >= 0) ::close(fd_);
}

result<void> wal_syncer::sync() {
    std::lock_guard lock(mutex_);
    struct stat now {};
    if (::stat(wal_path_.c_str(), &now) != 0) {
        // No WAL: never written, or removed after a complete checkpoint. Nothing is pending.
        if (errno == ENOENT) return {};
        return boost::system::error_code(errc::io_error);
    }
    if (fd_ < 0 || now.st_ino != inode_ || now.st_dev != device_) {
        if (fd_ >= 0) ::close(fd_);
        // Read-only is enough: Linux flushes a file through any descriptor of it.
        fd_ = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) {
            if (errno == ENOENT) return {};  // removed since the stat: as above
            return boost::system::error_code(errc::io_error);
        }
        struct stat opened {};
        if (::fstat(fd_, &opened) != 0) return boost::system::error_code(errc::io_error);
        inode_ = opened.st_ino;
        device_ = opened.st_dev;
        ++opens_;
    }
    int rc = 0;
    do {
        rc = ::fdatasync(fd_);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return boost::system::error_code(errc::io_error);
    ++syncs_;
    return {};
}

std::uint64_t wal_syncer::syncs() const {
    std::lock_guard lock(mutex_);
    return syncs_;
}

std::uint64_t wal_syncer::opens() const {
    std::lock_guard lock(mutex_);
    return opens_;
}

}  // namespace windash::store::sqlite
