#include "collector/linux/kept_file.hpp"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <utility>

namespace windash::collector::detail {
namespace {

// Replaces `out` with everything from offset 0 on; false on a read error. A chunk on the
// stack, appended, avoids zero-filling a large string on every read.
bool read_all(int fd, std::string& out, bool positional) {
    std::array<char, 16 * 1024> chunk;
    out.clear();
    for (;;) {
        ssize_t n = positional
                        ? ::pread(fd, chunk.data(), chunk.size(), static_cast<off_t>(out.size()))
                        : ::read(fd, chunk.data(), chunk.size());
        if (n > 0) out.append(chunk.data(), static_cast<std::size_t>(n));
        if (n == 0) return true;
        if (n < 0 && errno != EINTR) return false;
    }
}

bool all_digits(const char* s) noexcept {
    if (!*s) return false;
    for (; *s; ++s)
        if (*s < '0' || *s > '9') return false;
    return true;
}

}  // namespace

kept_file::~kept_file() { close(); }

kept_file::kept_file(kept_file&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      read_once_(other.read_once_) {}

kept_file& kept_file::operator=(kept_file&& other) noexcept {
    if (this != &other) {
        close();
        path_ = std::move(other.path_);
        fd_ = std::exchange(other.fd_, -1);
        read_once_ = other.read_once_;
    }
    return *this;
}

void kept_file::close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool kept_file::read(std::string& out) {
    if (fd_ < 0) fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ >= 0 && read_all(fd_, out, true)) return read_once_ = true;
    close();
    out.clear();
    return false;
}

bool kept_file::changed() {
    if (!read_once_ || fd_ < 0) return true;
    pollfd p{fd_, POLLPRI, 0};
    return ::poll(&p, 1, 0) != 0 && (p.revents & (POLLPRI | POLLERR | POLLNVAL)) != 0;
}

bool read_whole_file(const std::string& path, std::string& out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = read_all(fd, out, false);
    ::close(fd);
    return ok;
}

std::uint64_t kept_dir::count_numeric() {
    if (dir_)
        rewinddir(dir_.get());
    else
        dir_.reset(opendir(path_.c_str()));
    if (!dir_) return 0;
    std::uint64_t n = 0;
    while (const dirent* e = readdir(dir_.get())) n += all_digits(e->d_name) ? 1 : 0;
    return n;
}

}  // namespace windash::collector::detail
