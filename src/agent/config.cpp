#include "files.hpp"
#include <windash/agent/config.hpp>
#include <windash/core/sample.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#ifdef _WIN32
#include <windows.h>
#endif

namespace windash::agent {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr std::size_t max_config_bytes = 64 * 1024;

config_error error(std::string message) { return {std::move(message)}; }

}  // namespace

environment process_environment() {
    return [](const char* name) -> std::optional<std::string> {
        const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read only
        if (v == nullptr || *v == '\0') return std::nullopt;
        return std::string(v);
    };
}

std::optional<fs::path> default_config_path(const environment& env) {
#ifdef _WIN32
    if (auto appdata = env("APPDATA")) return fs::path(*appdata) / "windash" / "agent.json";
#else
    if (auto xdg = env("XDG_CONFIG_HOME")) return fs::path(*xdg) / "windash" / "agent.json";
    if (auto home = env("HOME")) return fs::path(*home) / ".config" / "windash" / "agent.json";
#endif
    return std::nullopt;
}

std::optional<fs::path> default_spool_path(const environment& env) {
#ifdef _WIN32
    if (auto local = env("LOCALAPPDATA")) return fs::path(*local) / "windash" / "spool";
#else
    if (auto state = env("STATE_DIRECTORY")) {  // may list several folders, colon-separated
        return fs::path(state->substr(0, state->find(':'))) / "spool";
    }
    if (auto xdg = env("XDG_STATE_HOME")) return fs::path(*xdg) / "windash" / "spool";
    if (auto home = env("HOME")) return fs::path(*home) / ".local" / "state" / "windash" / "spool";
#endif
    return std::nullopt;
}

config_result<agent_config> parse_config(std::string_view text) {
    if (text.size() > max_config_bytes) return error("the file is over 64 KiB");
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return error("not a JSON object");
    const auto& o = v.as_object();
    agent_config c;
    for (auto [key, into] : {std::pair{"server", &c.server}, std::pair{"token", &c.token},
                             std::pair{"hostId", &c.host_id}}) {
        auto* field = o.if_contains(key);
        if (!field || !field->is_string() || field->get_string().empty() ||
            field->get_string().size() > 2048) {
            return error(std::string(key) + ": must be a string of 1 to 2048 bytes");
        }
        *into = std::string(field->get_string());
    }
    if (!is_valid_host_id(c.host_id)) {
        return error("hostId: must be 1 to 64 of the characters A-Z a-z 0-9 . _ -");
    }
    auto* id = o.if_contains("deviceId");
    if (!id || !id->is_int64() || id->get_int64() <= 0) {
        return error("deviceId: must be a positive whole number");
    }
    c.device_id = id->get_int64();
    return c;
}

std::string serialize_config(const agent_config& c) {
    return json::serialize(json::object{{"server", c.server},
                                        {"token", c.token},
                                        {"hostId", c.host_id},
                                        {"deviceId", c.device_id}}) +
           "\n";
}

config_result<agent_config> load_config(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return error(path.string() + ": cannot be read (" + std::strerror(errno) +
                     "); pair this machine first: windash-agent pair --server URL");
    }
    std::string text(max_config_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    auto c = parse_config(text);
    if (!c) return error(path.string() + ": " + c.error().message);
    return c;
}

config_result<void> save_config(const fs::path& path, const agent_config& c) {
    const auto folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (auto made = detail::make_private_folder(folder); !made) return made.error();
    return detail::replace_file(path, serialize_config(c));
}

std::optional<std::string> machine_host_id(const fs::path& root) {
#ifdef _WIN32
    // The Windows MachineGuid: set at installation, stable across reboots and renames.
    (void)root;
    char guid[64] = {};
    DWORD size = sizeof guid;
    if (::RegGetValueA(HKEY_LOCAL_MACHINE, "SOFTWARE\\Microsoft\\Cryptography", "MachineGuid",
                       RRF_RT_REG_SZ | RRF_SUBKEY_WOW6464KEY, nullptr, guid,
                       &size) == ERROR_SUCCESS) {
        std::string id(guid);
        if (is_valid_host_id(id)) return id;
    }
    char name[MAX_COMPUTERNAME_LENGTH + 1] = {};
    DWORD length = sizeof name;
    if (::GetComputerNameA(name, &length) == 0) return std::nullopt;
    std::string host(name, length);
    for (auto& ch : host) {
        if (std::isalnum(static_cast<unsigned char>(ch)) == 0 && ch != '.' && ch != '-') ch = '_';
    }
    if (!is_valid_host_id(host)) return std::nullopt;
    return host;
#else
    for (const char* file : {"etc/machine-id", "var/lib/dbus/machine-id"}) {
        std::ifstream in(root / file);
        std::string id;
        if (in >> id && id.size() >= 16 && id.size() <= 64 && is_valid_host_id(id)) return id;
    }
    std::ifstream in(root / "etc/hostname");
    std::string name;
    if (!(in >> name)) return std::nullopt;
    for (auto& ch : name) {
        if (std::isalnum(static_cast<unsigned char>(ch)) == 0 && ch != '.' && ch != '-') ch = '_';
    }
    if (name.size() > 64) name.resize(64);
    if (!is_valid_host_id(name)) return std::nullopt;
    return name;
#endif
}

}  // namespace windash::agent
