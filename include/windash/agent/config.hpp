#pragma once
/// @file
/// What `windash-agent pair` saves and `windash-agent run` reads: the server, the device's
/// token and identity, in a JSON file only its owner can read. No global state: paths and the
/// environment are parameters with production defaults.

#include <windash/agent/errors.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace windash::agent {

/// The agent's saved settings (`agent.json`).
struct agent_config {
    std::string server;  ///< `http://host:3000` as given to `pair`
    std::string token;   ///< the device's bearer token (SPEC §2); a secret
    std::string host_id;
    std::int64_t device_id = 0;
    bool operator==(const agent_config&) const = default;
};

/// A failed load or save names the file and what is wrong with it.
using config_error = agent_error;
template <class T>
using config_result = agent_result<T>;

/// Reads an environment variable; nullopt when unset. Default: std::getenv.
using environment = std::function<std::optional<std::string>(const char*)>;
[[nodiscard]] environment process_environment();

/// `$XDG_CONFIG_HOME/windash/agent.json`, else `$HOME/.config/windash/agent.json`
/// (`%APPDATA%\windash\agent.json` on Windows); nullopt when none of these is set.
[[nodiscard]] std::optional<std::filesystem::path> default_config_path(const environment& env);

/// Where `run` keeps its spool: `$STATE_DIRECTORY/spool` (systemd's StateDirectory=), else
/// `$XDG_STATE_HOME/windash/spool`, else `$HOME/.local/state/windash/spool`
/// (`%LOCALAPPDATA%\windash\spool` on Windows); nullopt when none of these is set.
[[nodiscard]] std::optional<std::filesystem::path> default_spool_path(const environment& env);

/// Parses `agent.json`: an object with the string fields `server`, `token`, `hostId` and the
/// number `deviceId`; the error names the field. At most 64 KiB. Pure; fuzzed.
[[nodiscard]] config_result<agent_config> parse_config(std::string_view text);
/// The JSON parse_config() reads.
[[nodiscard]] std::string serialize_config(const agent_config& c);

/// Reads and parses `path`.
[[nodiscard]] config_result<agent_config> load_config(const std::filesystem::path& path);
/// Writes `c` to `path` atomically (a temporary file in the same folder, created readable and
/// writable by its owner only, flushed to disk, then renamed over `path`); creates the folder
/// (mode 0700) when missing. A crash leaves the old file or the new one, never a torn one.
[[nodiscard]] config_result<void> save_config(const std::filesystem::path& path,
                                              const agent_config& c);

/// The machine's stable identity as a hostId (SPEC §1: 1-64 of `[A-Za-z0-9._-]`): the
/// systemd machine id (`/etc/machine-id`, else `/var/lib/dbus/machine-id`) under `root`, else
/// the host name made safe. On Windows the MachineGuid (`HKLM\SOFTWARE\Microsoft\Cryptography`),
/// else the computer name, and `root` is unused. nullopt when neither exists.
[[nodiscard]] std::optional<std::string> machine_host_id(const std::filesystem::path& root = "/");

}  // namespace windash::agent
