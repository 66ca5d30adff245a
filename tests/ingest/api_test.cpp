// The browser API (SPEC §4) against a real windash-server: accounts (sign-up policy, sessions in
// cookies stored only as hashes, CSRF double submit, Origin checks, Argon2id parameters, sign-in
// throttling) and devices (list, get, rename, rotate-token, delete; another user's device is
// 404). Compiled once, run per backend.
#include "ingest/agent_client.hpp"
#include "ingest/browser.hpp"
#include "ingest/server_fixture.hpp"
#include <windash/protocol/messages.hpp>
#include <windash/protocol/writer.hpp>
#include <windash/store_open.hpp>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

namespace windash::testing {
namespace {

namespace json = boost::json;

json::object object_of(const http_reply& r) {
    auto v = json::parse(r.body);
    REQUIRE(v.is_object());
    return v.as_object();
}

std::string error_of(const http_reply& r) {
    auto o = object_of(r);
    REQUIRE(o.contains("error"));
    return std::string(o.at("error").as_string());
}

// The Set-Cookie line for `name`.
std::string set_cookie(const http_reply& r, const std::string& name) {
    for (const auto& line : r.all("Set-Cookie")) {
        if (line.starts_with(name + "=")) return line;
    }
    return {};
}

const std::string signup_a =
    R"({"email":"Ada@Example.com","password":"analytical engine","name":"Ada"})";
const std::string signup_b =
    R"({"email":"bob@example.com","password":"difference engine","name":"Bob"})";

}  // namespace

TEST_CASE("sign-up: the first user only, signed in by cookies; me; logout needs the CSRF header") {
    auto url = fresh_database_url();
    server_process s(url);
    browser ada(s.http_port());

    CHECK(ada.get("/api/auth/me").status == 401);
    auto r = ada.post("/api/auth/signup", signup_a);
    REQUIRE(r.status == 201);
    auto me = object_of(r);
    CHECK(me.at("email") == "ada@example.com");
    CHECK(me.at("name") == "Ada");
    CHECK(me.at("id").as_int64() > 0);
    auto session = set_cookie(r, "windash_session");
    CHECK(session.find("; HttpOnly") != std::string::npos);
    CHECK(session.find("; SameSite=Lax") != std::string::npos);
    CHECK(session.find("; Path=/") != std::string::npos);
    CHECK(session.find("Secure") == std::string::npos);  // plain HTTP
    auto csrf = set_cookie(r, "windash_csrf");
    CHECK(csrf.find("HttpOnly") == std::string::npos);  // the page's script reads it
    CHECK(ada.cookie("windash_session").size() >= 43);
    CHECK(ada.cookie("windash_csrf").size() >= 43);
    CHECK(r.all("Cache-Control") == std::vector<std::string>{"no-store"});

    auto again = ada.get("/api/auth/me");
    REQUIRE(again.status == 200);
    CHECK(object_of(again) == me);

    // SPEC §4: signup is open to the first user only by default.
    browser bob(s.http_port());
    auto closed = bob.post("/api/auth/signup", signup_b);
    CHECK(closed.status == 403);
    CHECK(error_of(closed) == "signup_closed");
    CHECK(bob.cookie("windash_session").empty());

    // The password is stored as Argon2id with its parameters; the session only as a hash.
    auto db = store::open_store(url);
    REQUIRE(db.has_value());
    auto stored = (*db)->find_user_by_email("ada@example.com");
    REQUIRE(stored.has_value());
    CHECK(stored->password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    auto live = (*db)->find_session(
        store::hash_secret(ada.cookie("windash_session")),
        std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
    REQUIRE(live.has_value());
    CHECK(live->user_id == stored->id);
    if (!on_postgres()) {
        std::string bytes;
        for (const auto* suffix : {"", "-wal"}) {
            std::ifstream in(url + suffix, std::ios::binary);
            bytes.append(std::istreambuf_iterator<char>(in), {});
        }
        CHECK(bytes.find(ada.cookie("windash_session")) == std::string::npos);
    }

    // Logout is state-changing: without the CSRF header, or with a wrong one, 403.
    auto no_header = ada.post("/api/auth/logout", "");
    CHECK(no_header.status == 403);
    CHECK(error_of(no_header) == "csrf");
    auto wrong = ada.post("/api/auth/logout", "", {{"X-CSRF-Token", "not-the-token"}});
    CHECK(wrong.status == 403);
    CHECK(ada.get("/api/auth/me").status == 200);
    auto old_session = ada.cookie("windash_session");
    CHECK(ada.post_with_csrf("/api/auth/logout").status == 204);
    CHECK(ada.cookie("windash_session").empty());
    CHECK(ada.get("/api/auth/me").status == 401);
    // The old cookie, replayed, names no session any more.
    auto replay = http_call(s.http_port(), "GET", "/api/auth/me", {},
                            {{"Cookie", "windash_session=" + old_session}});
    CHECK(replay.status == 401);
}

TEST_CASE(
    "sign-in: cross-site Origin, bad bodies, wrong passwords, throttling per account and per "
    "address") {
    auto url = fresh_database_url();
    (void)provision_device(url, "carol@example.com", "host-c");  // password: correct horse battery
    (void)provision_device(url, "dan@example.com", "host-d");
    server_process s(url);
    browser carol(s.http_port());
    const std::string good = R"({"email":"CAROL@example.com","password":"correct horse battery"})";
    const std::string bad = R"({"email":"carol@example.com","password":"wrong horse battery"})";

    auto cross = carol.post("/api/auth/login", good, {{"Origin", "https://evil.example"}});
    CHECK(cross.status == 403);
    CHECK(error_of(cross) == "cross_origin");
    auto same = carol.post("/api/auth/login", good,
                           {{"Origin", "http://127.0.0.1:" + std::to_string(s.http_port())}});
    CHECK(same.status == 200);
    CHECK(object_of(same).at("email") == "carol@example.com");
    CHECK(carol.post_with_csrf("/api/auth/logout").status == 204);

    for (const auto& [body, what] : std::vector<std::pair<std::string, std::string>>{
             {"not json", "the body must be a JSON object"},
             {R"({"email":"carol@example.com"})", "password: must be a string"},
             {R"({"email":7,"password":"x"})", "email: must be a string"}}) {
        auto r = carol.post("/api/auth/login", body);
        CHECK(r.status == 400);
        CHECK(object_of(r).at("message").as_string() == what.c_str());
    }
    auto unknown = carol.post(
        "/api/auth/login", R"({"email":"nobody@example.com","password":"correct horse battery"})");
    CHECK(unknown.status == 401);
    CHECK(error_of(unknown) == "invalid_credentials");

    // One failure so far (the unknown email, counted for this address). Four more wrong
    // passwords reach the limit of 5: then even the right password is refused for a while.
    for (int i = 0; i < 4; ++i) {
        auto r = carol.post("/api/auth/login", bad);
        CHECK(r.status == 401);
        CHECK(error_of(r) == "invalid_credentials");
    }
    auto throttled = carol.post("/api/auth/login", good);
    CHECK(throttled.status == 429);
    CHECK(error_of(throttled) == "too_many_attempts");
    // The address is throttled too: another account from it is refused as well.
    browser dan(s.http_port());
    auto other = dan.post("/api/auth/login",
                          R"({"email":"dan@example.com","password":"correct horse battery"})");
    CHECK(other.status == 429);
    auto metrics = http_get(s.http_port(), "/metrics").body;
    CHECK(metrics.find("\nwindash_logins_failed_total 5\n") != std::string::npos);
    CHECK(metrics.find("\nwindash_logins_throttled_total 2\n") != std::string::npos);
}

TEST_CASE("sign-up policies: open lets everyone in, closed nobody; bad input is named") {
    auto url = fresh_database_url();
    {
        server_process open(url, {"--signup", "open"});
        browser ada(open.http_port());
        browser bob(open.http_port());
        CHECK(ada.post("/api/auth/signup", signup_a).status == 201);
        CHECK(bob.post("/api/auth/signup", signup_b).status == 201);
        auto taken = bob.post("/api/auth/signup", signup_a);
        CHECK(taken.status == 409);
        CHECK(error_of(taken) == "email_taken");
        auto short_password = bob.post(
            "/api/auth/signup", R"({"email":"eve@example.com","password":"short","name":"Eve"})");
        CHECK(short_password.status == 400);
        CHECK(object_of(short_password).at("message") == "password must be 8 to 256 characters");
        auto bad_email = bob.post("/api/auth/signup",
                                  R"({"email":"eve","password":"long enough","name":"Eve"})");
        CHECK(bad_email.status == 400);
        auto cross = bob.post("/api/auth/signup", signup_b, {{"Origin", "null"}});
        CHECK(cross.status == 403);
        CHECK(error_of(cross) == "cross_origin");
        CHECK(bob.get("/api/auth/signup").status == 405);
        CHECK(bob.get("/api/nothing-here").status == 404);
    }
    auto fresh = fresh_database_url();
    server_process closed(fresh, {"--signup", "closed"});
    browser first(closed.http_port());
    auto r = first.post("/api/auth/signup", signup_a);
    CHECK(r.status == 403);
    CHECK(error_of(r) == "signup_closed");
}

namespace {

// Polls ada's device list until `ok` holds for the first device (at most 5 s).
json::object wait_for_device(browser& b, const std::function<bool(const json::object&)>& ok) {
    json::object last;
    for (int i = 0; i < 50; ++i) {
        auto r = b.get("/api/devices");
        REQUIRE(r.status == 200);
        auto list = json::parse(r.body).as_array();
        REQUIRE(list.size() == 1);
        last = list[0].as_object();
        if (ok(last)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return last;
}

}  // namespace

TEST_CASE(
    "devices: list with online state and latest sample, rename, rotate-token and delete cut "
    "the agent at once; another user's device is 404 on every route") {
    auto url = fresh_database_url();
    server_process s(url, {"--signup", "open"});
    browser ada(s.http_port());
    browser bob(s.http_port());
    REQUIRE(ada.post("/api/auth/signup", signup_a).status == 201);
    REQUIRE(bob.post("/api/auth/signup", signup_b).status == 201);
    auto token = provision_device(url, "ada@example.com", "host-a");
    (void)provision_device(url, "bob@example.com", "host-b");

    auto fresh = json::parse(ada.get("/api/devices").body).as_array();
    REQUIRE(fresh.size() == 1);
    auto d = fresh[0].as_object();
    CHECK(d.at("hostId") == "host-a");
    CHECK(d.at("name") == "host-a");
    CHECK(d.at("isOnline") == false);
    CHECK(d.at("lastSeenAt").is_null());
    CHECK(d.at("latest").is_null());
    const auto id = d.at("id").as_int64();
    const std::string path = "/api/devices/" + std::to_string(id);

    agent_client agent;
    REQUIRE(agent.connect(s.ws_port(), "/agent?hostId=host-a", token) == 101);
    REQUIRE(agent.send(metrics_frame("host-a", 0, 3, 1)));
    REQUIRE(agent.receive().text.has_value());
    d = wait_for_device(ada, [](const json::object& o) { return o.at("isOnline") == true; });
    CHECK(d.at("isOnline") == true);
    CHECK(d.at("lastSeenAt").is_string());
    REQUIRE(d.at("latest").is_object());
    CHECK(d.at("latest").at("hostId") == "host-a");
    CHECK(d.at("latest").at("ts").as_string() == to_rfc3339(base_time() + std::chrono::seconds{2}));
    auto one = ada.get(path);
    REQUIRE(one.status == 200);
    CHECK(object_of(one).at("id") == id);

    // Bob, or nobody, gets nothing of Ada's device: 404 on every route, like a missing one.
    CHECK(bob.get(path).status == 404);
    CHECK(bob.call_with_csrf("PATCH", path, R"({"name":"mine"})").status == 404);
    CHECK(bob.call_with_csrf("POST", path + "/rotate-token", "").status == 404);
    CHECK(bob.call_with_csrf("DELETE", path, "").status == 404);
    auto bobs = json::parse(bob.get("/api/devices").body).as_array();
    REQUIRE(bobs.size() == 1);
    CHECK(bobs[0].at("hostId") == "host-b");
    CHECK(http_get(s.http_port(), path).status == 401);
    CHECK(http_get(s.http_port(), "/api/devices").status == 401);
    for (const auto* bad : {"/api/devices/0", "/api/devices/abc", "/api/devices/12x",
                            "/api/devices/99999999999", "/api/devices/1/nothing"}) {
        CHECK_MESSAGE(ada.get(bad).status == 404, bad);
    }

    // Renaming changes state: the CSRF header is required.
    auto no_csrf = ada.call("PATCH", path, R"({"name":"Ada's laptop"})");
    CHECK(no_csrf.status == 403);
    CHECK(error_of(no_csrf) == "csrf");
    auto renamed = ada.call_with_csrf("PATCH", path, R"({"name":"Ada's laptop"})");
    REQUIRE(renamed.status == 200);
    CHECK(object_of(renamed).at("name") == "Ada's laptop");
    CHECK(ada.call_with_csrf("PATCH", path, R"({"name":""})").status == 400);

    // Rotating the token closes the agent's connection with 1008 and refuses the old token.
    auto rotated = ada.call_with_csrf("POST", path + "/rotate-token", "");
    REQUIRE(rotated.status == 200);
    const std::string new_token(object_of(rotated).at("token").as_string());
    CHECK(new_token.size() >= 43);
    auto closed = agent.receive(std::chrono::seconds{2});
    CHECK_MESSAGE(closed.close_code == std::optional<std::uint16_t>(1008), closed.error);
    agent_client stale;
    CHECK(stale.connect(s.ws_port(), "/agent?hostId=host-a", token) == 401);
    agent_client renewed;
    REQUIRE(renewed.connect(s.ws_port(), "/agent?hostId=host-a", new_token) == 101);

    // Deleting does the same, and the device is gone from the API.
    CHECK(ada.call_with_csrf("DELETE", path, "").status == 204);
    auto gone = renewed.receive(std::chrono::seconds{2});
    CHECK_MESSAGE(gone.close_code == std::optional<std::uint16_t>(1008), gone.error);
    agent_client after;
    CHECK(after.connect(s.ws_port(), "/agent?hostId=host-a", new_token) == 401);
    CHECK(ada.get(path).status == 404);
    CHECK(json::parse(ada.get("/api/devices").body).as_array().empty());
    auto metrics = http_get(s.http_port(), "/metrics").body;
    CHECK(metrics.find("\nwindash_agents_revoked_total 2\n") != std::string::npos);
}

TEST_CASE("history: columnar buckets and a summary over the device's samples; bad ranges named") {
    auto url = fresh_database_url();
    server_process s(url, {"--signup", "open", "--maintenance-interval-ms", "200"});
    browser ada(s.http_port());
    browser bob(s.http_port());
    REQUIRE(ada.post("/api/auth/signup", signup_a).status == 201);
    REQUIRE(bob.post("/api/auth/signup", signup_b).status == 201);
    auto token = provision_device(url, "ada@example.com", "host-a");
    auto id = json::parse(ada.get("/api/devices").body).as_array()[0].at("id").as_int64();
    const std::string path = "/api/devices/" + std::to_string(id);

    agent_client agent;
    REQUIRE(agent.connect(s.ws_port(), "/agent?hostId=host-a", token) == 101);
    // Two minutes, one a second; the optional metrics (load, swap, a sensor) on odd seconds.
    protocol::metrics_batch batch;
    batch.seq = 1;
    for (int i = 0; i < 120; ++i) {
        auto sample = make_sample("host-a", i);
        if (i % 2 == 1) {
            sample.load = load_average{0.5, 0.25, 0.125};
            sample.mem.swap_used = 100;
            sample.mem.swap_total = 1000;
            sample.temps = {{"cpu", 40.0 + i % 4}};
        }
        batch.samples.push_back(std::move(sample));
    }
    std::string frame;
    protocol::write_metrics(frame, batch);
    REQUIRE(agent.send(frame));
    auto ack = agent.receive();
    REQUIRE(ack.text.has_value());

    const std::string from = to_rfc3339(base_time());
    const std::string to = to_rfc3339(base_time() + std::chrono::minutes{2});
    auto r = ada.get(path + "/metrics?from=" + from + "&to=" + to + "&maxPoints=60");
    REQUIRE(r.status == 200);
    auto h = object_of(r);
    CHECK(h.at("deviceId") == id);
    CHECK(h.at("from") == from.c_str());
    CHECK(h.at("to") == to.c_str());
    CHECK(h.at("tier") == "raw");
    CHECK(h.at("bucketSeconds").to_number<double>() == 2.0);
    auto& time = h.at("time").as_array();
    REQUIRE(time.size() == 60);
    const double base_seconds = static_cast<double>(base_time().time_since_epoch().count()) / 1e6;
    CHECK(time[0].to_number<double>() == base_seconds);
    CHECK(time[59].to_number<double>() == base_seconds + 118);
    for (const auto& n : h.at("samples").as_array()) CHECK(n.to_number<std::uint64_t>() == 2);
    CHECK(h.at("cpu").at("avg").as_array().size() == 60);
    CHECK(h.at("cpu").at("max").as_array()[0].to_number<double>() == 12.5);
    CHECK(h.at("perCore").as_array().size() == 2);
    CHECK(h.at("mem").at("used").at("min").as_array()[0].to_number<double>() == 4096);
    CHECK(h.at("net").at("rxBps").at("avg").as_array()[0].to_number<double>() == 20);
    REQUIRE(h.at("disks").as_array().size() == 1);
    CHECK(h.at("disks").as_array()[0].at("name") == "/");
    // Optional metrics: each 2-second bucket holds one sample with them, one without.
    CHECK(h.at("load").at("one").at("avg").as_array()[0].to_number<double>() == 0.5);
    CHECK(h.at("load").at("fifteen").at("max").as_array()[59].to_number<double>() == 0.125);
    CHECK(h.at("mem").at("swapUsed").at("avg").as_array()[0].to_number<double>() == 100);
    CHECK(h.at("mem").at("swapTotal").at("min").as_array()[0].to_number<double>() == 1000);
    REQUIRE(h.at("temps").as_array().size() == 1);
    CHECK(h.at("temps").as_array()[0].at("name") == "cpu");
    CHECK(h.at("temps").as_array()[0].at("c").at("max").as_array()[0].to_number<double>() == 41);

    auto sum = ada.get(path + "/summary?from=" + from + "&to=" + to);
    REQUIRE(sum.status == 200);
    auto one = object_of(sum);
    CHECK(one.at("samples") == 120);
    CHECK(one.at("cpu").at("min").to_number<double>() == 12.5);
    CHECK(one.at("cpu").at("max").to_number<double>() == 12.5);
    CHECK(one.at("mem").at("total").at("avg").to_number<double>() == 8192);
    CHECK(one.at("load").at("five").at("avg").to_number<double>() == 0.25);
    CHECK(one.at("temps").as_array()[0].at("c").at("min").to_number<double>() == 41);
    CHECK(one.at("temps").as_array()[0].at("c").at("max").to_number<double>() == 43);
    // The default ranges: the last hour (these samples are three hours old), and 24 hours,
    // which is read from the 1-minute rollups once maintenance has built them.
    auto recent = object_of(ada.get(path + "/metrics"));
    CHECK(recent.at("time").as_array().empty());
    json::object day;
    for (int i = 0; i < 50; ++i) {
        day = object_of(ada.get(path + "/summary"));
        if (day.at("samples") == 120) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(day.at("tier") == "1m");
    CHECK(day.at("samples") == 120);
    CHECK(day.at("cpu").at("avg").to_number<double>() == 12.5);
    CHECK(ada.get(path + "/metrics?from=-5m").status == 200);
    CHECK(ada.get(path + "/metrics?from=-7d&maxPoints=10").status == 200);

    for (const auto& [query, message] : std::vector<std::pair<std::string, std::string>>{
             {"?from=yesterday",
              "from: must be now, -<n>s, -<n>m, -<n>h, -<n>d or an RFC 3339 time"},
             {"?to=-1y", "to: must be now, -<n>s, -<n>m, -<n>h, -<n>d or an RFC 3339 time"},
             {"?from=-1h&to=-2h", "from: must be before to"},
             {"?maxPoints=0", "maxPoints: must be an integer in [1, 10000]"},
             {"?maxPoints=10001", "maxPoints: must be an integer in [1, 10000]"},
             {"?maxPoints=12abc", "maxPoints: must be an integer in [1, 10000]"}}) {
        auto bad = ada.get(path + "/metrics" + query);
        CHECK_MESSAGE(bad.status == 400, query);
        CHECK_MESSAGE(object_of(bad).at("message").as_string() == message.c_str(), query);
    }
    CHECK(bob.get(path + "/metrics").status == 404);
    CHECK(bob.get(path + "/summary").status == 404);
    CHECK(http_get(s.http_port(), path + "/metrics").status == 401);
}

namespace {

// POST /api/device-codes as an agent does; the parsed answer.
json::object request_code(std::uint16_t port, const std::string& body) {
    auto r = http_call(port, "POST", "/api/device-codes", body);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    CHECK(r.all("Cache-Control") == std::vector<std::string>{"no-store"});
    return object_of(r);
}

http_reply poll_token(std::uint16_t port, const std::string& device_code) {
    return http_call(port, "POST", "/api/device-token",
                     json::serialize(json::object{{"deviceCode", device_code}}));
}

bool shaped_like_user_code(const std::string& code) {
    if (code.size() != 9 || code[4] != '-') return false;
    for (std::size_t i = 0; i < code.size(); ++i) {
        if (i == 4) continue;
        if (std::string_view("BCDFGHJKLMNPQRSTVWXZ").find(code[i]) == std::string_view::npos)
            return false;
    }
    return true;
}

}  // namespace

TEST_CASE(
    "pairing: code, pending, slow_down, approval, the token exactly once under 20 "
    "concurrent polls, then expired_token") {
    auto url = fresh_database_url();
    server_process s(url);
    const auto port = s.http_port();
    auto code = request_code(port, R"({"hostId":"host-p","hostname":"build box"})");
    const std::string user_code(code.at("code").as_string());
    const std::string device_code(code.at("deviceCode").as_string());
    CHECK_MESSAGE(shaped_like_user_code(user_code), user_code);
    CHECK(device_code.size() >= 43);
    CHECK(code.at("expiresIn") == 600);
    CHECK(code.at("interval") == 2);
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    CHECK(code.at("verificationUri") == (base + "/pair").c_str());
    CHECK(code.at("verificationUriComplete") == (base + "/pair?code=" + user_code).c_str());
    CHECK(code.at("expiresAt").is_string());

    auto pending = poll_token(port, device_code);
    CHECK(pending.status == 404);
    CHECK(error_of(pending) == "authorization_pending");
    auto fast = poll_token(port, device_code);  // sooner than `interval`
    CHECK(fast.status == 429);
    CHECK(error_of(fast) == "slow_down");
    auto unknown = poll_token(port, "not-a-device-code");
    CHECK(unknown.status == 400);
    CHECK(error_of(unknown) == "invalid_grant");

    browser ada(port);
    REQUIRE(ada.post("/api/auth/signup", signup_a).status == 201);
    // Typed any way: lower case, a space instead of the dash.
    std::string typed = user_code;
    for (auto& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    typed[4] = ' ';
    auto asking = ada.get("/api/pair?code=" + typed.substr(0, 4) + "%20" + typed.substr(5));
    REQUIRE_MESSAGE(asking.status == 200, asking.body);
    auto who = object_of(asking);
    CHECK(who.at("hostId") == "host-p");
    CHECK(who.at("hostname") == "build box");
    CHECK(who.at("address") == "127.0.0.1");
    CHECK(who.at("status") == "pending");
    CHECK(who.at("code") == user_code.c_str());

    const std::string decision =
        json::serialize(json::object{{"code", typed}, {"approve", true}, {"name", "Build box"}});
    CHECK(ada.post("/api/pair", decision).status == 403);  // no CSRF header
    auto approved = ada.post_with_csrf("/api/pair", decision);
    REQUIRE_MESSAGE(approved.status == 200, approved.body);
    CHECK(object_of(approved).at("status") == "approved");
    CHECK(ada.post_with_csrf("/api/pair", decision).status == 409);  // decided already

    // 20 agents' polls at once: exactly one gets the token, the rest expired_token.
    std::vector<http_reply> answers(20);
    {
        std::vector<std::thread> pollers;
        for (auto& a : answers) {
            pollers.emplace_back([&a, port, &device_code] { a = poll_token(port, device_code); });
        }
        for (auto& t : pollers) t.join();
    }
    int tokens = 0;
    std::string token;
    for (const auto& a : answers) {
        if (a.status == 200) {
            ++tokens;
            auto o = object_of(a);
            token = std::string(o.at("token").as_string());
            CHECK(o.at("hostId") == "host-p");
            CHECK(o.at("deviceId").as_int64() > 0);
        } else {
            CHECK_MESSAGE(a.status == 410, a.body);
            CHECK(error_of(a) == "expired_token");
        }
    }
    CHECK(tokens == 1);
    CHECK(poll_token(port, device_code).status == 410);

    // The token is the device's: its agent connects, and the device is Ada's, named at approval.
    agent_client agent;
    CHECK(agent.connect(s.ws_port(), "/agent?hostId=host-p", token) == 101);
    auto devices = json::parse(ada.get("/api/devices").body).as_array();
    REQUIRE(devices.size() == 1);
    CHECK(devices[0].at("name") == "Build box");
    CHECK(devices[0].at("hostId") == "host-p");
}

TEST_CASE(
    "pairing: denial, expiry, the seed's user-code polling behind its flag, wrong-code "
    "lockout, bad requests named") {
    auto url = fresh_database_url();
    server_process s(url);
    const auto port = s.http_port();
    browser ada(port);
    REQUIRE(ada.post("/api/auth/signup", signup_a).status == 201);

    json::object expired_code;
    auto denied = request_code(port, "");
    const std::string denied_code(denied.at("deviceCode").as_string());
    auto no = ada.post_with_csrf(
        "/api/pair",
        json::serialize(json::object{{"code", denied.at("code")}, {"approve", false}}));
    REQUIRE(no.status == 200);
    CHECK(object_of(no).at("status") == "denied");
    auto refused = poll_token(port, denied_code);
    CHECK(refused.status == 403);
    CHECK(error_of(refused) == "access_denied");

    {  // A code that lives 2 s, from a second server on the same database.
        server_process short_lived(url, {"--device-code-lifetime-s", "2"});
        auto late = request_code(short_lived.http_port(), R"({"hostId":"host-late"})");
        CHECK(late.at("expiresIn") == 2);
        std::this_thread::sleep_for(std::chrono::milliseconds(2200));
        expired_code = late;
    }
    auto expired = poll_token(port, std::string(expired_code.at("deviceCode").as_string()));
    CHECK(expired.status == 410);
    CHECK(error_of(expired) == "expired_token");
    auto gone = ada.post_with_csrf(
        "/api/pair",
        json::serialize(json::object{{"code", expired_code.at("code")}, {"approve", true}}));
    CHECK(gone.status == 404);
    CHECK(error_of(gone) == "invalid_code");

    // The seed's ?code= polling: refused by default, answered with --pairing-compat.
    auto seed = request_code(port, R"({"hostId":"host-seed"})");
    const std::string seed_code(seed.at("code").as_string());
    auto off = http_call(port, "GET", "/api/device-token?code=" + seed_code);
    CHECK(off.status == 400);
    CHECK(object_of(off).at("message") ==
          "code: polling by user code is off on this server; poll with deviceCode");
    {
        server_process compat(url, {"--pairing-compat"});
        auto waiting = http_call(compat.http_port(), "GET", "/api/device-token?code=" + seed_code);
        CHECK(waiting.status == 404);
        CHECK(error_of(waiting) == "authorization_pending");
        REQUIRE(ada.post_with_csrf("/api/pair", json::serialize(json::object{{"code", seed_code},
                                                                             {"approve", true}}))
                    .status == 200);
        auto granted = http_call(compat.http_port(), "GET", "/api/device-token?code=" + seed_code);
        CHECK_MESSAGE(granted.status == 200, granted.body);
        CHECK(object_of(granted).at("hostId") == "host-seed");
    }
    // The seed's GET with the deviceCode is answered without the flag.
    auto by_get = http_call(port, "GET", "/api/device-token?deviceCode=" + denied_code);
    CHECK(by_get.status == 403);

    for (const auto& [body, message] : std::vector<std::pair<std::string, std::string>>{
             {R"({"hostId":"bad host"})", "hostId: must be 1 to 64 of [A-Za-z0-9._-]"},
             {R"({"hostId":7})", "hostId: must be a string"},
             {"[1]", "the body must be a JSON object"}}) {
        auto bad = http_call(port, "POST", "/api/device-codes", body);
        CHECK_MESSAGE(bad.status == 400, body);
        CHECK_MESSAGE(object_of(bad).at("message").as_string() == message.c_str(), body);
    }
    CHECK(ada.post_with_csrf("/api/pair", R"({"code":"BCDF-GHJK"})").status == 400);  // approve

    // Wrong codes: a handful (5) per window, the expired one above included, then even a
    // right one is refused (RFC 8628 §5.1).
    auto target = request_code(port, R"({"hostId":"host-t"})");
    for (const auto* wrong : {"BBBB-BBBB", "CCCC-CCCC", "AEIO-U123", "x"}) {
        auto r = ada.post_with_csrf(
            "/api/pair", json::serialize(json::object{{"code", wrong}, {"approve", true}}));
        CHECK_MESSAGE(r.status == 404, wrong);
    }
    auto locked = ada.post_with_csrf(
        "/api/pair", json::serialize(json::object{{"code", target.at("code")}, {"approve", true}}));
    CHECK(locked.status == 429);
    CHECK(error_of(locked) == "too_many_attempts");
    auto metrics = http_get(port, "/metrics").body;
    CHECK(metrics.find("\nwindash_pairing_codes_wrong_total 5\n") != std::string::npos);
}

}  // namespace windash::testing
