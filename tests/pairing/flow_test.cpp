// The pure half of pairing (SPEC §3): server addresses, the server's answers, the schedule.
#include <windash/pairing/flow.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace windash::pairing;
using namespace std::chrono_literals;

TEST_CASE("server addresses: scheme, host and port, nothing else") {
    struct row {
        const char* text;
        bool tls;
        const char* host;
        unsigned port;
        const char* origin;
    };
    for (const auto& r :
         {row{"http://127.0.0.1:3000", false, "127.0.0.1", 3000, "http://127.0.0.1:3000"},
          row{"HTTP://Example.com/", false, "Example.com", 80, "http://Example.com:80"},
          row{"https://monitor.example", true, "monitor.example", 443,
              "https://monitor.example:443"},
          row{"https://[::1]:8443", true, "::1", 8443, "https://[::1]:8443"}}) {
        auto u = parse_server_url(r.text);
        REQUIRE_MESSAGE(u.has_value(), r.text);
        CHECK(u->tls == r.tls);
        CHECK(u->host == r.host);
        CHECK(u->port == r.port);
        CHECK(u->origin() == r.origin);
    }
    struct bad {
        const char* text;
        const char* message;
    };
    for (const auto& b :
         {bad{"127.0.0.1:3000", "--server 127.0.0.1:3000: must start with http:// or https://"},
          bad{"ws://h:3001", "--server ws://h:3001: must start with http:// or https://"},
          bad{"http://",
              "--server http://: the host must be a name or address (letters, digits, "
              ". and -), without a path"},
          bad{"http://h/api",
              "--server http://h/api: the host must be a name or address "
              "(letters, digits, . and -), without a path"},
          bad{"http://user@h",
              "--server http://user@h: the host must be a name or address "
              "(letters, digits, . and -), without a path"},
          bad{"http://h:0",
              "--server http://h:0: the port must be a number from 1 to 65535, "
              "with nothing after it"},
          bad{"http://h:65536",
              "--server http://h:65536: the port must be a number from 1 to "
              "65535, with nothing after it"},
          bad{"http://h:80/x",
              "--server http://h:80/x: the port must be a number from 1 to "
              "65535, with nothing after it"},
          bad{"http://[::1", "--server http://[::1: no ] after the IPv6 address"},
          bad{"http://[::1]x", "--server http://[::1]x: only a port may follow the address"}}) {
        auto u = parse_server_url(b.text);
        REQUIRE_MESSAGE(!u.has_value(), b.text);
        CHECK(u.error().code == errc::bad_server_url);
        CHECK(u.error().message == b.message);
    }
}

TEST_CASE("device-code grants: every field checked, interval 5 s when absent") {
    const std::string good =
        R"({"code":"WDJB-MJHT","deviceCode":"secret","expiresAt":"2026-01-01T00:00:00Z",)"
        R"("expiresIn":600,"interval":2,"verificationUri":"http://h:3000/pair",)"
        R"("verificationUriComplete":"http://h:3000/pair?code=WDJB-MJHT"})";
    auto g = parse_device_code_grant(good);
    REQUIRE(g.has_value());
    CHECK(g->user_code == "WDJB-MJHT");
    CHECK(g->device_code == "secret");
    CHECK(g->expires_in == 600s);
    CHECK(g->interval == 2s);
    CHECK(g->verification_uri_complete == "http://h:3000/pair?code=WDJB-MJHT");
    std::string no_interval = good;
    no_interval.replace(no_interval.find(R"("interval":2,)"), 13, "");
    CHECK(parse_device_code_grant(no_interval)->interval == 5s);

    struct bad {
        std::string body;
        const char* message;
    };
    auto with = [&](const std::string& from, const std::string& to) {
        std::string b = good;
        b.replace(b.find(from), from.size(), to);
        return b;
    };
    for (const auto& b : {
             bad{"[]", "/api/device-codes: the answer is not a JSON object"},
             bad{"{", "/api/device-codes: the answer is not a JSON object"},
             bad{with(R"("code":"WDJB-MJHT")", R"("code":7)"),
                 "/api/device-codes: code must be a non-empty string of at most 2048 bytes"},
             bad{with(R"("deviceCode":"secret")", R"("deviceCode":"")"),
                 "/api/device-codes: deviceCode must be a non-empty string of at most 2048 "
                 "bytes"},
             bad{with(R"("deviceCode":"secret")",
                      "\"deviceCode\":\"" + std::string(2049, 'x') + "\""),
                 "/api/device-codes: deviceCode must be a non-empty string of at most 2048 "
                 "bytes"},
             bad{with(R"("expiresIn":600)", R"("expiresIn":0)"),
                 "/api/device-codes: expiresIn must be a whole number of seconds, 1 to 86400"},
             bad{with(R"("expiresIn":600)", R"("expiresIn":1e3)"),
                 "/api/device-codes: expiresIn must be a whole number of seconds, 1 to 86400"},
             bad{with(R"("interval":2)", R"("interval":301)"),
                 "/api/device-codes: interval must be a whole number of seconds, 1 to 300"},
             bad{with(R"("interval":2)", R"("interval":-1)"),
                 "/api/device-codes: interval must be a whole number of seconds, 1 to 300"},
             bad{std::string(16 * 1024 + 1, ' '), "/api/device-codes: the answer is over 16 KiB"},
         }) {
        auto r = parse_device_code_grant(b.body);
        REQUIRE_MESSAGE(!r.has_value(), b.body.substr(0, 80));
        CHECK(r.error().code == errc::bad_answer);
        CHECK(r.error().message == b.message);
    }
}

TEST_CASE("token poll answers: SPEC §3's table, the rest named") {
    auto pending = parse_poll_answer(404, R"({"error":"authorization_pending"})");
    REQUIRE(pending.has_value());
    CHECK(pending->status == poll_status::pending);
    auto slow = parse_poll_answer(429, R"({"error":"slow_down"})");
    REQUIRE(slow.has_value());
    CHECK(slow->status == poll_status::slow_down);
    auto ok = parse_poll_answer(200, R"({"token":"tok","deviceId":7,"hostId":"abc"})");
    REQUIRE(ok.has_value());
    CHECK(ok->status == poll_status::approved);
    CHECK(ok->approved.token == "tok");
    CHECK(ok->approved.device_id == 7);
    CHECK(ok->approved.host_id == "abc");

    struct bad {
        unsigned status;
        const char* body;
        errc code;
        const char* message;
    };
    for (const auto& b : {
             bad{403, R"({"error":"access_denied"})", errc::denied,
                 "the pairing request was denied in the browser"},
             bad{410, R"({"error":"expired_token"})", errc::expired,
                 "the pairing code expired (or its token was already collected): pair again"},
             bad{400, R"({"error":"invalid_grant"})", errc::unknown_code,
                 "the server does not know this pairing request"},
             bad{200, R"({"token":"","deviceId":7,"hostId":"abc"})", errc::bad_answer,
                 "/api/device-token: 200 without token, deviceId and hostId"},
             bad{200, R"({"token":"t","deviceId":0,"hostId":"abc"})", errc::bad_answer,
                 "/api/device-token: 200 without token, deviceId and hostId"},
             bad{404, R"({"error":"not_found"})", errc::bad_answer,
                 "/api/device-token: unexpected HTTP 404 not_found"},
             bad{503, R"({"error":"unavailable"})", errc::bad_answer,
                 "/api/device-token: unexpected HTTP 503 unavailable"},
             bad{502, "<html>bad gateway</html>", errc::bad_answer,
                 "/api/device-token: HTTP 502 with a body that is not a JSON object"},
         }) {
        auto r = parse_poll_answer(b.status, b.body);
        REQUIRE_MESSAGE(!r.has_value(), b.body);
        CHECK(r.error().code == b.code);
        CHECK(r.error().message == b.message);
    }
}

TEST_CASE("the poll schedule adds 5 s per slow_down and stops at expiry") {
    const auto start = poll_schedule::clock::now();
    poll_schedule s(2s, start + 600s);
    CHECK(s.interval() == 2s);
    s.on_answer(poll_status::pending);
    CHECK(s.interval() == 2s);
    s.on_answer(poll_status::slow_down);
    s.on_answer(poll_status::slow_down);
    CHECK(s.interval() == 12s);
    CHECK_FALSE(s.expired(start + 599s));
    CHECK(s.expired(start + 600s));
    CHECK(poll_schedule(0s, start).interval() == 1s);  // never a busy loop
}
