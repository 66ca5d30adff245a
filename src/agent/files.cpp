#include "files.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

#ifdef _WIN32
#include <io.h>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace windash::agent {

void throw_exception_from_error(const agent_error& e, const boost::source_location&) {
    throw std::runtime_error(e.message);
}

}  // namespace windash::agent

namespace windash::agent::detail {

namespace fs = std::filesystem;

agent_result<void> make_private_folder(const fs::path& folder) {
    std::error_code ec;
    if (fs::is_directory(folder, ec)) return {};
    fs::create_directories(folder, ec);
    if (ec) return agent_error{folder.string() + ": cannot be created: " + ec.message()};
    fs::permissions(folder, fs::perms::owner_all, fs::perm_options::replace, ec);
    return {};
}

bool flush_to_disk(std::FILE* f) noexcept {
    if (std::fflush(f) != 0) return false;
#ifdef _WIN32
    return ::_commit(::_fileno(f)) == 0;
#else
    return ::fdatasync(::fileno(f)) == 0;
#endif
}

#ifndef _WIN32
agent_result<void> replace_file(const fs::path& path, std::string_view text) {
    const auto folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    const auto temporary = fs::path(path.string() + ".tmp");
    const auto failed = [&](const char* step) {
        auto message = temporary.string() + ": " + step + " failed: " + std::strerror(errno);
        ::unlink(temporary.c_str());
        return agent_error{std::move(message)};
    };
    // Created 0600 from the start: a secret in it is never readable by others, not even briefly.
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return failed("creating");
    std::size_t written = 0;
    while (written < text.size()) {
        auto n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            return failed("writing");
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
        ::close(fd);
        return failed("flushing");
    }
    if (::close(fd) != 0) return failed("closing");
    if (::rename(temporary.c_str(), path.c_str()) != 0) return failed("renaming");
    // The rename itself is durable once the folder is.
    int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        (void)::fsync(dir);
        ::close(dir);
    }
    return {};
}
#else
agent_result<void> replace_file(const fs::path& path, std::string_view text) {
    const auto temporary = fs::path(path.string() + ".tmp");
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.flush();
        if (!out) return agent_error{temporary.string() + ": cannot be written"};
    }
    // NTFS: MoveFileEx with replace is atomic; flushing to disk comes with the service.
    std::error_code ec;
    fs::rename(temporary, path, ec);
    if (ec) return agent_error{path.string() + ": " + ec.message()};
    return {};
}
#endif

}  // namespace windash::agent::detail
