// windash-agent pair against a real windash-server (SPEC §3), approval done over the HTTP API as
// a browser would: the token saved owner-only and accepted by /agent; denial, expiry, an
// unreachable server and a bad address each end the agent with a clear message.
#include "ingest/agent_client.hpp"
#include "ingest/browser.hpp"
#include "ingest/server_fixture.hpp"
#include <windash/agent/config.hpp>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>

namespace windash::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A pairing agent as a person runs it, with its own settings file and stderr log.
struct pairing_agent {
    pairing_agent(const std::string& server, const std::string& host_id, const std::string& name)
        : config(scratch_dir() + "/" + name + ".json"),
          log(scratch_dir() + "/" + name + ".stderr"),
          proc({WINDASH_AGENT_BIN, "pair", "--server", server, "--config", config, "--host-id",
                host_id, "--hostname", "build box", "--no-browser"},
               log) {}

    // The code the agent shows, from its first line of output.
    std::string code() {
        auto line = proc.read_line(10s);
        REQUIRE(line.has_value());
        const std::string prefix = "Pairing code: ";
        REQUIRE_MESSAGE(line->starts_with(prefix), *line);
        auto shown = line->substr(prefix.size());
        auto next = proc.read_line(5s);
        REQUIRE(next.has_value());
        CHECK(next->find("/pair?code=" + shown) != std::string::npos);
        return shown;
    }
    // The exit code, once it exits (within `timeout`).
    int exit_code(std::chrono::milliseconds timeout) {
        auto status = proc.wait(timeout);
        REQUIRE_MESSAGE(status.has_value(), "the agent did not exit; stderr: ", read_file(log));
        REQUIRE(WIFEXITED(*status));
        return WEXITSTATUS(*status);
    }

    std::string config;
    std::string log;
    child_process proc;
};

void decide(browser& b, const std::string& code, bool approve) {
    auto r = b.post_with_csrf("/api/pair",
                              json::serialize(json::object{{"code", code}, {"approve", approve}}));
    REQUIRE_MESSAGE(r.status == 200, r.body);
}

const std::string signup =
    R"({"email":"ada@example.com","password":"analytical engine","name":"Ada"})";

}  // namespace

TEST_CASE("pair: approved in the browser, the token is saved owner-only and opens /agent") {
    auto url = fresh_database_url();
    server_process s(url);
    const std::string server = "http://127.0.0.1:" + std::to_string(s.http_port());
    browser ada(s.http_port());
    REQUIRE(ada.post("/api/auth/signup", signup).status == 201);

    pairing_agent agent(server, "host-p", "approved");
    const auto code = agent.code();
    decide(ada, code, true);
    CHECK_MESSAGE(agent.exit_code(15s) == 0, read_file(agent.log));
    // After the code and URL: "Waiting for approval ...", then the result.
    auto waiting = agent.proc.read_line(2s);
    REQUIRE(waiting.has_value());
    CHECK(waiting->starts_with("Waiting for approval"));
    auto done = agent.proc.read_line(2s);
    REQUIRE(done.has_value());
    CHECK(done->starts_with("Paired as device "));
    CHECK(done->find("Settings saved to " + agent.config) != std::string::npos);

    struct stat st {};
    REQUIRE(::stat(agent.config.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    auto saved = agent::load_config(agent.config);
    REQUIRE(saved.has_value());
    CHECK(saved->server == server);
    CHECK(saved->host_id == "host-p");
    CHECK(saved->device_id > 0);

    agent_client ws;
    CHECK(ws.connect(s.ws_port(), "/agent?hostId=host-p", saved->token) == 101);
    auto devices = json::parse(ada.get("/api/devices").body).as_array();
    REQUIRE(devices.size() == 1);
    CHECK(devices[0].at("id").as_int64() == saved->device_id);
}

TEST_CASE("pair: denial, expiry, an unreachable server and a bad address are named") {
    auto url = fresh_database_url();
    server_process s(url, {"--device-code-lifetime-s", "3"});
    const std::string server = "http://127.0.0.1:" + std::to_string(s.http_port());
    browser ada(s.http_port());
    REQUIRE(ada.post("/api/auth/signup", signup).status == 201);

    {
        pairing_agent agent(server, "host-d", "denied");
        decide(ada, agent.code(), false);
        CHECK(agent.exit_code(15s) == 1);
        CHECK(read_file(agent.log).find("denied") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(agent.config));
    }
    {
        pairing_agent agent(server, "host-e", "expired");
        (void)agent.code();
        CHECK(agent.exit_code(15s) == 1);
        CHECK(read_file(agent.log).find("expired") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(agent.config));
    }
    {
        // Port 1 on loopback: nothing listens there.
        pairing_agent agent("http://127.0.0.1:1", "host-u", "unreachable");
        CHECK(agent.exit_code(15s) == 1);
        CHECK(read_file(agent.log).find("http://127.0.0.1:1/api/device-codes: connecting failed") !=
              std::string::npos);
    }
    {
        pairing_agent agent("ftp://127.0.0.1", "host-b", "bad-address");
        CHECK(agent.exit_code(15s) == 2);
        CHECK(read_file(agent.log).find("must start with http:// or https://") !=
              std::string::npos);
    }
}

}  // namespace windash::testing
