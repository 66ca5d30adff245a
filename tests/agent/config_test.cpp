// agent.json: parsing with exact errors, atomic saving readable by its owner only, the default
// path from the environment, and the machine's identity.
#include <windash/agent/config.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <sys/stat.h>

using namespace windash::agent;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("windash-agent-config-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir / name;
}

environment fake(std::map<std::string, std::string> vars) {
    return [vars](const char* name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

const agent_config sample_config{"http://127.0.0.1:3000", "secret-token", "host-a", 7};

}  // namespace

TEST_CASE("agent.json parses back what was saved, and names what is wrong") {
    auto parsed = parse_config(serialize_config(sample_config));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == sample_config);
    struct bad {
        const char* text;
        const char* message;
    };
    for (const auto& b : {
             bad{"", "not a JSON object"},
             bad{"[1]", "not a JSON object"},
             bad{R"({"token":"t","hostId":"h","deviceId":1})",
                 "server: must be a string of 1 to 2048 bytes"},
             bad{R"({"server":"s","token":"","hostId":"h","deviceId":1})",
                 "token: must be a string of 1 to 2048 bytes"},
             bad{R"({"server":"s","token":"t","hostId":"a b","deviceId":1})",
                 "hostId: must be 1 to 64 of the characters A-Z a-z 0-9 . _ -"},
             bad{R"({"server":"s","token":"t","hostId":"h","deviceId":0})",
                 "deviceId: must be a positive whole number"},
             bad{R"({"server":"s","token":"t","hostId":"h","deviceId":"1"})",
                 "deviceId: must be a positive whole number"},
         }) {
        auto r = parse_config(b.text);
        REQUIRE_MESSAGE(!r.has_value(), b.text);
        CHECK(r.error().message == b.message);
    }
}

TEST_CASE("saving is atomic, owner-only, and creates the folder") {
    const auto path = scratch("nested/windash/agent.json");
    fs::remove_all(path.parent_path().parent_path());
    auto saved = save_config(path, sample_config);
    REQUIRE_MESSAGE(saved.has_value(), saved.error().message);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat(path.parent_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    CHECK_FALSE(fs::exists(path.string() + ".tmp"));
    auto loaded = load_config(path);
    REQUIRE(loaded.has_value());
    CHECK(*loaded == sample_config);

    // Saving again replaces the file whole.
    auto changed = sample_config;
    changed.token = "rotated";
    REQUIRE(save_config(path, changed).has_value());
    CHECK(load_config(path)->token == "rotated");

    // A broken file is named with the reason; a missing one says how to pair.
    std::ofstream(path) << "{\"server\":1}";
    CHECK(load_config(path).error().message ==
          path.string() + ": server: must be a string of 1 to 2048 bytes");
    fs::remove(path);
    auto missing = load_config(path);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().message.find("pair this machine first") != std::string::npos);
}

TEST_CASE("the default path follows XDG_CONFIG_HOME, then HOME") {
    CHECK(default_config_path(fake({{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/home/a"}})) ==
          fs::path("/x/windash/agent.json"));
    CHECK(default_config_path(fake({{"HOME", "/home/a"}})) ==
          fs::path("/home/a/.config/windash/agent.json"));
    CHECK_FALSE(default_config_path(fake({})).has_value());
}

TEST_CASE("the machine's identity: machine-id, else a safe host name") {
    const auto root = scratch("root");
    fs::remove_all(root);
    fs::create_directories(root / "etc");
    CHECK_FALSE(machine_host_id(root).has_value());
    std::ofstream(root / "etc/hostname") << "my host!\n";
    CHECK(machine_host_id(root) == "my");  // the first word, made safe
    std::ofstream(root / "etc/hostname") << "build@box\n";
    CHECK(machine_host_id(root) == "build_box");
    std::ofstream(root / "etc/machine-id") << "0123456789abcdef0123456789abcdef\n";
    CHECK(machine_host_id(root) == "0123456789abcdef0123456789abcdef");
    std::ofstream(root / "etc/machine-id") << "short\n";  // not a machine id: ignored
    CHECK(machine_host_id(root) == "build_box");
}
