// examples/embed (windash-embed) end to end: the ingest server on the example's own io_context
// with its in-memory sink accepts a real agent, acknowledges, and stops cleanly.
#include "ingest/agent_client.hpp"
#include "ingest/server_fixture.hpp"

#include <doctest/doctest.h>

#include <sys/wait.h>

namespace windash::testing {

TEST_CASE("windash-embed serves an agent from an in-memory sink and exits after N samples") {
    child_process example({WINDASH_EMBED_BIN, "--exit-after", "3"}, scratch_dir() + "/embed.log");
    auto line = example.read_line(std::chrono::seconds(20));
    REQUIRE(line.has_value());
    auto port = listening_port(*line, "ws://");
    REQUIRE(port != 0);

    agent_client refused;
    CHECK(refused.connect(port, "/agent?hostId=embed-1", "wrong-token") == 401);
    agent_client agent;
    REQUIRE(agent.connect(port, "/agent?hostId=embed-1", "example-token") == 101);
    REQUIRE(agent.send(metrics_frame("embed-1", 0, 3, 1)));
    auto ack = agent.receive();
    REQUIRE(ack.text.has_value());
    CHECK(*ack.text == R"({"type":"ack","seq":1,"accepted":3,"duplicates":0,"rejected":[]})");
    CHECK(example.read_line(std::chrono::seconds(5)) ==
          std::optional<std::string>("storing 3 samples from device 1 (cpu 12.5%)"));
    auto closing = agent.receive();
    CHECK(closing.close_code == std::optional<std::uint16_t>(1001));
    auto status = example.wait(std::chrono::seconds(10));
    REQUIRE(status.has_value());
    CHECK_MESSAGE(WIFEXITED(*status), "signal " << WTERMSIG(*status));
    CHECK(WEXITSTATUS(*status) == 0);
}

}  // namespace windash::testing
