// The server's replies as the agent reads them (SPEC §2), and the reconnect backoff.
#include <windash/agent/replies.hpp>
#include <windash/agent/streamer.hpp>

#include <doctest/doctest.h>

#include <string>
#include <variant>

using namespace windash::agent;
using namespace std::chrono_literals;
namespace protocol = windash::protocol;

TEST_CASE("acks and errors are read; unknown fields are ignored") {
    auto r = parse_server_reply(
        R"({"type":"ack","seq":42,"accepted":29,"duplicates":1,"rejected":[{"index":3,"error":"samples[3].cpu.total: must be a number in [0,100]"}],"later":true})");
    REQUIRE(r.has_value());
    const auto& a = std::get<protocol::ack>(*r);
    CHECK(a.seq == 42u);
    CHECK(a.accepted == 29);
    CHECK(a.duplicates == 1);
    REQUIRE(a.rejected.size() == 1);
    CHECK(a.rejected[0].index == 3);
    CHECK(a.rejected[0].error == "samples[3].cpu.total: must be a number in [0,100]");

    r = parse_server_reply(R"({"type":"ack","accepted":1,"duplicates":0,"rejected":[]})");
    REQUIRE(r.has_value());
    CHECK_FALSE(std::get<protocol::ack>(*r).seq.has_value());

    r = parse_server_reply(R"({"type":"error","code":"bad_message","message":"not JSON"})");
    REQUIRE(r.has_value());
    CHECK(std::get<protocol::error_message>(*r) ==
          protocol::error_message{"bad_message", "not JSON"});
}

TEST_CASE("anything else is refused with what was wrong") {
    struct row {
        const char* frame;
        const char* error;
    };
    for (const auto& [frame, error] : {
             row{"", "the server sent a frame that is not a JSON object"},
             row{"[1]", "the server sent a frame that is not a JSON object"},
             row{R"({"seq":1})", "the server sent a frame without a type"},
             row{R"({"type":"nack"})", R"(the server sent a frame of unknown type "nack")"},
             row{R"({"type":"ack","seq":-1,"accepted":1,"duplicates":0})",
                 "the server sent an ack whose seq is not a whole number"},
             row{R"({"type":"ack","duplicates":0})",
                 "the server sent an ack whose accepted is not a whole number"},
             row{R"({"type":"ack","accepted":1,"duplicates":0.5})",
                 "the server sent an ack whose duplicates is not a whole number"},
             row{R"({"type":"ack","accepted":1,"duplicates":0,"rejected":{}})",
                 "the server sent an ack whose rejected is not an array"},
             row{R"({"type":"ack","accepted":1,"duplicates":0,"rejected":[{"index":1}]})",
                 "the server sent an ack whose rejected entry lacks a whole index or an error "
                 "string"},
             row{R"({"type":"error","code":"x"})",
                 "the server sent an error without code and message strings"},
         }) {
        CAPTURE(frame);
        auto r = parse_server_reply(frame);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message == error);
    }
}

TEST_CASE("reconnects back off exponentially with full jitter from 1 s up to the cap") {
    CHECK(reconnect_delay(0, 0.0, 1000ms, 60000ms) == 1000ms);
    CHECK(reconnect_delay(0, 0.99, 1000ms, 60000ms) == 1000ms);
    CHECK(reconnect_delay(1, 0.0, 1000ms, 60000ms) == 1000ms);
    CHECK(reconnect_delay(1, 0.5, 1000ms, 60000ms) == 1500ms);
    CHECK(reconnect_delay(3, 0.999, 1000ms, 60000ms) <= 8000ms);
    CHECK(reconnect_delay(3, 0.999, 1000ms, 60000ms) > 7900ms);
    CHECK(reconnect_delay(6, 0.999, 1000ms, 60000ms) <= 60000ms);  // 64 s capped
    CHECK(reconnect_delay(6, 0.999, 1000ms, 60000ms) > 59000ms);
    CHECK(reconnect_delay(1000, 0.5, 1000ms, 60000ms) == 30500ms);  // no overflow
}
