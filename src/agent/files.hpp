#pragma once
// Small-file helpers shared by the agent's settings and its spool: private folders and atomic
// replacement, on Linux and Windows.
#include <windash/agent/errors.hpp>

#include <cstdio>
#include <filesystem>
#include <string_view>

namespace windash::agent::detail {

/// Creates `folder` and its parents when missing; a newly created `folder` is readable by its
/// owner only (0700).
[[nodiscard]] agent_result<void> make_private_folder(const std::filesystem::path& folder);

/// Replaces `path` with `text` atomically: a temporary file next to it, created readable by its
/// owner only, then renamed over `path`, so a crash leaves the old content or the new, never a
/// torn one. The data and the rename are flushed to disk before it returns (POSIX).
[[nodiscard]] agent_result<void> replace_file(const std::filesystem::path& path,
                                              std::string_view text);

/// Flushes what was written to `f` to disk: its buffer, then the operating system's
/// (fdatasync; _commit on Windows).
[[nodiscard]] bool flush_to_disk(std::FILE* f) noexcept;

}  // namespace windash::agent::detail
