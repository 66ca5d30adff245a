#pragma once
// Files and folders of procfs/sysfs kept open between collections. Reading a seq_file again
// from offset 0 makes the kernel regenerate it, so an open descriptor serves every call and
// saves the open and close, which cost as much as the read itself.

#include <cstdint>
#include <dirent.h>
#include <memory>
#include <string>

namespace windash::collector::detail {

class kept_file {
  public:
    kept_file() = default;
    explicit kept_file(std::string path) : path_(std::move(path)) {}
    ~kept_file();
    kept_file(kept_file&& other) noexcept;
    kept_file& operator=(kept_file&& other) noexcept;

    const std::string& path() const noexcept { return path_; }

    // Replaces `out` with the whole file; false when it cannot be opened or read (the next
    // call tries to open it again).
    bool read(std::string& out);

    // True until the first successful read, then only when the kernel signals a change with
    // POLLPRI (/proc/self/mounts after a mount or unmount).
    bool changed();

  private:
    void close() noexcept;

    std::string path_;
    int fd_ = -1;
    bool read_once_ = false;
};

// Reads `path` with open/read/close, for files read too rarely or too many to keep open.
bool read_whole_file(const std::string& path, std::string& out);

class kept_dir {
  public:
    explicit kept_dir(std::string path) : path_(std::move(path)) {}

    // Entries whose names are all digits (process folders of /proc); 0 when unreadable.
    std::uint64_t count_numeric();

  private:
    struct closer {
        void operator()(DIR* d) const noexcept { closedir(d); }
    };
    std::string path_;
    std::unique_ptr<DIR, closer> dir_;
};

}  // namespace windash::collector::detail
