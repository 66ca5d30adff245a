#pragma once
/// @file
/// A child process for tests: started with posix_spawn, its standard output read line by line
/// through a pipe with a timeout, its standard error appended to a log file, and killed by pid
/// (SIGKILL) and reaped when the object ends, whether the test passed or failed.

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace windash::testing {

class child_process {
  public:
    /// Starts `argv[0]` (a path) with `argv`; `stdin_text`, when given, is written to its
    /// standard input, which is then closed. Throws std::runtime_error when it cannot start.
    child_process(const std::vector<std::string>& argv, const std::string& stderr_path,
                  const std::optional<std::string>& stdin_text = std::nullopt);
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    /// The next line of standard output (without the newline), or nullopt at end of output or
    /// when none arrives within `timeout`.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);
    /// Sends `sig` (no effect once reaped).
    void signal(int sig);
    /// Waits up to `timeout` for the exit; its status as from waitpid, or nullopt if still
    /// running.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    [[nodiscard]] pid_t pid() const noexcept { return pid_; }

  private:
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    std::string pending_;  // read past the last line returned
    bool reaped_ = false;
};

/// Runs a command to its end (at most `timeout`, then SIGKILL) and returns its exit code and
/// standard output.
struct command_result {
    int exit_code = -1;
    std::string out;
};
command_result run_command(const std::vector<std::string>& argv, const std::string& stderr_path,
                           const std::optional<std::string>& stdin_text = std::nullopt,
                           std::chrono::milliseconds timeout = std::chrono::seconds{60});

}  // namespace windash::testing
