// What a person's browser sees of a real windash-server: the server-rendered pages (sign-up,
// sign-in, the /pair approval page, the machine list) with their security headers, escaping of
// every agent- and user-supplied string, the CSRF form field and safe redirects; session idle
// and absolute expiry; and live updates on /api/live (SPEC §5). Compiled once, run per backend.
#include "ingest/agent_client.hpp"
#include "ingest/browser.hpp"
#include "ingest/server_fixture.hpp"

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace windash::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

json::object object_of(const std::string& text) {
    auto v = json::parse(text);
    REQUIRE(v.is_object());
    return v.as_object();
}

std::string header(const http_reply& r, const std::string& name) {
    auto all = r.all(name);
    return all.empty() ? std::string() : all.front();
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// Every page: HTML, no caching, a CSP that allows no inline script and no framing.
void check_page_headers(const http_reply& r) {
    CHECK(header(r, "Content-Type") == "text/html; charset=utf-8");
    CHECK(header(r, "Cache-Control") == "no-store");
    const auto csp = header(r, "Content-Security-Policy");
    CHECK(contains(csp, "default-src 'none'"));
    CHECK(contains(csp, "frame-ancestors 'none'"));
    CHECK(contains(csp, "form-action 'self'"));
    CHECK_FALSE(contains(csp, "unsafe-inline"));
    CHECK_FALSE(contains(csp, "script-src"));
    CHECK(header(r, "X-Content-Type-Options") == "nosniff");
    CHECK(header(r, "Referrer-Policy") == "same-origin");
    CHECK(header(r, "X-Frame-Options") == "DENY");
}

// A form body field, percent-encoded as browsers send it.
std::string form_value(const std::string& text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else if (c == ' ') {
            out.push_back('+');
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

const std::string hostile_hostname = R"(<script>alert(1)</script> "quoted" & 'single')";
const std::string escaped_hostname =
    "&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; &#39;single&#39;";

}  // namespace

TEST_CASE(
    "pages: sign-up and back to /pair, approval by form with the csrf field, hostile strings "
    "escaped in pages and verbatim in JSON, safe redirects, sign-out") {
    auto url = fresh_database_url();
    server_process s(url);
    const auto port = s.http_port();
    browser ada(port);

    // An agent asks to pair, with a hostname meant to break out of the page.
    auto asked = http_call(
        port, "POST", "/api/device-codes",
        json::serialize(json::object{{"hostId", "host-h"}, {"hostname", hostile_hostname}}));
    REQUIRE_MESSAGE(asked.status == 200, asked.body);
    const auto code = object_of(asked.body);
    const std::string user_code(code.at("code").as_string());
    const std::string device_code(code.at("deviceCode").as_string());

    // Not signed in: /pair sends the browser to sign in, then back.
    auto to_login = ada.get("/pair?code=" + user_code);
    CHECK(to_login.status == 303);
    CHECK(header(to_login, "Location") == "/login?next=%2Fpair%3Fcode%3D" + user_code);
    auto login_page = ada.get("/login?next=%2Fpair%3Fcode%3D" + user_code);
    CHECK(login_page.status == 200);
    check_page_headers(login_page);
    CHECK(contains(login_page.body, "name=\"next\" value=\"/pair?code=" + user_code + "\""));
    CHECK_FALSE(contains(login_page.body, "<script"));
    auto css = ada.get("/pages.css");
    CHECK(css.status == 200);
    CHECK(header(css, "Content-Type") == "text/css; charset=utf-8");

    // Sign-up by form: a cross-site Origin is refused; then the first user signs up.
    const std::string signup_form =
        "name=Ada&email=ada%40example.com&password=" + form_value("analytical engine") +
        "&next=" + form_value("/pair?code=" + user_code);
    auto cross = http_call(
        port, "POST", "/signup", signup_form,
        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Origin", "http://evil.example"}});
    CHECK(cross.status == 403);
    CHECK(cross.all("Set-Cookie").empty());
    auto signed_up = ada.post_form("/signup", signup_form);
    REQUIRE_MESSAGE(signed_up.status == 303, signed_up.body);
    CHECK(header(signed_up, "Location") == "/pair?code=" + user_code);
    CHECK_FALSE(ada.cookie("windash_session").empty());
    CHECK_FALSE(ada.cookie("windash_csrf").empty());

    // The approval page shows which machine asks, every string escaped.
    auto approval = ada.get("/pair?code=" + user_code);
    REQUIRE_MESSAGE(approval.status == 200, approval.body);
    check_page_headers(approval);
    CHECK(contains(approval.body, escaped_hostname));
    CHECK_FALSE(contains(approval.body, "<script"));
    CHECK(contains(approval.body, "host-h"));
    CHECK(contains(approval.body, "127.0.0.1"));
    CHECK(contains(approval.body, user_code));
    CHECK(contains(approval.body, "name=\"csrf\" value=\"" + ada.cookie("windash_csrf") + "\""));

    // Deciding needs the csrf field; a stale or forged form is refused and decides nothing.
    const std::string name = "<b>Box</b> \"&\"";
    const std::string decide = "code=" + user_code + "&decision=approve&name=" + form_value(name);
    auto forged = ada.post_form("/pair", decide);
    CHECK(forged.status == 403);
    check_page_headers(forged);
    CHECK(ada.post_form("/pair", decide + "&csrf=wrong").status == 403);
    CHECK(http_call(port, "POST", "/api/device-token",
                    json::serialize(json::object{{"deviceCode", device_code}}))
              .status == 404);  // still pending
    auto approved = ada.post_form("/pair", decide + "&csrf=" + ada.cookie("windash_csrf"));
    REQUIRE_MESSAGE(approved.status == 200, approved.body);
    check_page_headers(approved);
    CHECK(contains(approved.body, "&lt;b&gt;Box&lt;/b&gt; &quot;&amp;&quot;"));
    CHECK_FALSE(contains(approved.body, "<b>Box"));
    CHECK(ada.post_form("/pair", decide + "&csrf=" + ada.cookie("windash_csrf")).status == 409);

    // The agent gets its token; the JSON API has the strings exactly as given.
    std::this_thread::sleep_for(2100ms);  // the poll interval, or slow_down
    auto token = http_call(port, "POST", "/api/device-token",
                           json::serialize(json::object{{"deviceCode", device_code}}));
    REQUIRE_MESSAGE(token.status == 200, token.body);
    auto devices = json::parse(ada.get("/api/devices").body).as_array();
    REQUIRE(devices.size() == 1);
    CHECK(devices[0].at("name") == name.c_str());
    const auto id = devices[0].at("id").as_int64();

    // A 256-character name with control characters: verbatim in JSON, replaced in the page.
    std::string long_name(250, 'x');
    long_name += "\x01\x07<i>\x7f";
    REQUIRE(long_name.size() == 256);
    auto renamed = ada.call_with_csrf("PATCH", "/api/devices/" + std::to_string(id),
                                      json::serialize(json::object{{"name", long_name}}));
    REQUIRE_MESSAGE(renamed.status == 200, renamed.body);
    CHECK(object_of(renamed.body).at("name") == long_name.c_str());
    // The dashboard's page is the same static shell for everyone (the script fills it in from
    // the JSON API, as text): scripts from this server only, nothing inline, no other host.
    for (const std::string& path :
         std::vector<std::string>{"/", "/add", "/devices/" + std::to_string(id)}) {
        CAPTURE(path);
        auto shell = ada.get(path);
        REQUIRE(shell.status == 200);
        CHECK(header(shell, "Content-Type") == "text/html; charset=utf-8");
        CHECK(header(shell, "Cache-Control") == "no-store");
        CHECK(header(shell, "Content-Security-Policy") ==
              "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
              "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        CHECK(header(shell, "X-Frame-Options") == "DENY");
        CHECK(contains(shell.body, "<script src=\"/assets/app.js\" type=\"module\">"));
        CHECK_FALSE(contains(shell.body, "host-h"));
    }
    for (const std::string file : {"app.js", "app.css", "uPlot.iife.min.js", "uPlot.min.css"}) {
        CAPTURE(file);
        auto asset = http_get(port, "/assets/" + file);  // no session needed
        CHECK(asset.status == 200);
        CHECK(asset.body.size() > 1000);
        CHECK(header(asset, "X-Content-Type-Options") == "nosniff");
    }
    CHECK(header(http_get(port, "/assets/app.js"), "Content-Type") ==
          "text/javascript; charset=utf-8");
    CHECK(http_get(port, "/assets/index.html").status == 404);
    CHECK(http_get(port, "/assets/../windash.db").status == 404);
    CHECK(http_get(port, "/devices/12x").status == 404);
    auto signed_out = http_get(port, "/devices/" + std::to_string(id));
    CHECK(signed_out.status == 303);
    CHECK(header(signed_out, "Location") == "/login?next=%2Fdevices%2F" + std::to_string(id));

    // Sign-in by form: wrong password re-renders the form; after sign-in only local redirects.
    browser again(port);
    auto wrong = again.post_form("/login", "email=ada%40example.com&password=nope&next=%2F");
    CHECK(wrong.status == 401);
    check_page_headers(wrong);
    CHECK(contains(wrong.body, "Wrong email or password"));
    auto offsite = again.post_form(
        "/login", "email=ada%40example.com&password=" + form_value("analytical engine") +
                      "&next=%2F%2Fevil.example%2F");
    REQUIRE(offsite.status == 303);
    CHECK(header(offsite, "Location") == "/");
    CHECK(again.get("/api/auth/me").status == 200);

    // Sign-out by form needs the csrf field too.
    CHECK(again.post_form("/logout", "").status == 403);
    auto out = again.post_form("/logout", "csrf=" + again.cookie("windash_csrf"));
    CHECK(out.status == 303);
    CHECK(header(out, "Location") == "/login");
    CHECK(again.get("/api/auth/me").status == 401);
    CHECK(again.get("/").status == 303);
    // Ada's first browser is still signed in: sign-out ends one session only.
    CHECK(ada.get("/api/auth/me").status == 200);

    // Sign-up is closed after the first user: the form says so.
    browser bob(port);
    auto closed = bob.post_form(
        "/signup", "name=Bob&email=bob%40example.com&password=" + form_value("difference engine"));
    CHECK(closed.status == 403);
    CHECK(contains(closed.body, "Sign-up is closed"));
    CHECK(bob.cookie("windash_session").empty());
}

TEST_CASE("sessions end after the idle timeout, and at the absolute lifetime however used") {
    auto url = fresh_database_url();
    {
        server_process s(url, {"--session-idle-s", "2"});
        browser ada(s.http_port());
        REQUIRE(
            ada.post("/api/auth/signup",
                     R"({"email":"ada@example.com","password":"analytical engine","name":"Ada"})")
                .status == 201);
        // Used every second: stays signed in past the idle timeout.
        for (int i = 0; i < 4; ++i) {
            std::this_thread::sleep_for(1s);
            CHECK_MESSAGE(ada.get("/api/auth/me").status == 200, "use ", i);
        }
        // Then left alone longer than the idle timeout: signed out.
        std::this_thread::sleep_for(2500ms);
        CHECK(ada.get("/api/auth/me").status == 401);
        CHECK(ada.get("/").status == 303);
    }
    {
        server_process s(url, {"--session-lifetime-s", "3"});
        browser ada(s.http_port());
        auto in = ada.post("/api/auth/login",
                           R"({"email":"ada@example.com","password":"analytical engine"})");
        REQUIRE(in.status == 200);
        CHECK(contains(header(in, "Set-Cookie"), "Max-Age=3"));
        CHECK(ada.get("/api/auth/me").status == 200);
        std::this_thread::sleep_for(1500ms);
        CHECK(ada.get("/api/auth/me").status == 200);
        std::this_thread::sleep_for(2000ms);
        CHECK(ada.get("/api/auth/me").status == 401);
    }
}

TEST_CASE(
    "live: the owner's browser gets the device online and each acknowledged sample within a "
    "second; another user's browser gets nothing; no session or a foreign Origin is refused") {
    auto url = fresh_database_url();
    server_process s(url, {"--signup", "open"});
    const auto port = s.http_port();
    browser ada(port);
    browser bob(port);
    REQUIRE(ada.post("/api/auth/signup",
                     R"({"email":"ada@example.com","password":"analytical engine","name":"Ada"})")
                .status == 201);
    REQUIRE(bob.post("/api/auth/signup",
                     R"({"email":"bob@example.com","password":"difference engine","name":"Bob"})")
                .status == 201);
    const auto token = provision_device(url, "ada@example.com", "host-a");
    const std::string host = "127.0.0.1:" + std::to_string(port);
    const std::string origin = "http://" + host;
    auto headers_of = [&](const browser& b, const std::string& from) {
        return http_headers{{"Host", host}, {"Origin", from}, {"Cookie", b.cookie_header()}};
    };

    agent_client nobody;
    CHECK(nobody.connect(port, "/api/live", "", {{"Host", host}, {"Origin", origin}}) == 401);
    agent_client foreign;
    CHECK(foreign.connect(port, "/api/live", "", headers_of(ada, "http://evil.example")) == 403);
    CHECK(contains(foreign.refusal_body(), "cross_origin"));

    agent_client ada_live;
    REQUIRE(ada_live.connect(port, "/api/live", "", headers_of(ada, origin)) == 101);
    agent_client bob_live;
    REQUIRE(bob_live.connect(port, "/api/live", "", headers_of(bob, origin)) == 101);
    // The client sees the 101 before the server's session counts itself: wait for the gauge,
    // at most 50 tries 100 ms apart (the ASan build once read it too early).
    std::string metrics;
    for (int i = 0; i < 50; ++i) {
        metrics = http_get(port, "/metrics").body;
        if (contains(metrics, "windash_live_connections 2")) break;
        std::this_thread::sleep_for(100ms);
    }
    CHECK(contains(metrics, "windash_live_connections 2"));

    agent_client agent;
    REQUIRE(agent.connect(s.ws_port(), "/agent?hostId=host-a", token) == 101);
    auto online = ada_live.receive(5s);
    REQUIRE_MESSAGE(online.text, online.error);
    auto event = object_of(*online.text);
    CHECK(event.at("type") == "device");
    CHECK(event.at("isOnline") == true);
    const auto device_id = event.at("deviceId").as_int64();

    REQUIRE(agent.send(metrics_frame("host-a", 0, 3, 7)));
    auto ack = agent.receive();
    REQUIRE(ack.text);
    CHECK(object_of(*ack.text).at("accepted") == 3);
    // Within a second of the ack: the three samples, oldest first.
    for (int i = 0; i < 3; ++i) {
        auto got = ada_live.receive(1s);
        REQUIRE_MESSAGE(got.text, "sample ", i, ": ", got.error);
        auto e = object_of(*got.text);
        CHECK(e.at("type") == "sample");
        CHECK(e.at("deviceId") == device_id);
        CHECK(e.at("sample").at("hostId") == "host-a");
        CHECK(e.at("sample").at("ts").as_string() ==
              to_rfc3339(base_time() + std::chrono::seconds{i}));
    }
    // A resent batch (all duplicates) is not news.
    REQUIRE(agent.send(metrics_frame("host-a", 0, 3, 8)));
    REQUIRE(agent.receive().text);
    auto quiet = ada_live.receive(700ms);
    CHECK_FALSE(quiet.text.has_value());

    // Bob watches his own devices only: nothing of Ada's came to him.
    auto bobs = bob_live.receive(500ms);
    CHECK_FALSE(bobs.text.has_value());

    // Signed out, the browser cannot open a live socket again.
    REQUIRE(ada.post_with_csrf("/api/auth/logout").status == 204);
    agent_client after;
    CHECK(after.connect(port, "/api/live", "", headers_of(ada, origin)) == 401);
}

// A minute of waiting: run on SQLite only, where the server alone decides; on PostgreSQL the
// same code also asks the database (covered by the two-server case below for events).
TEST_CASE("live: a device whose agent left is announced offline once the 60 s window has passed" *
          doctest::skip(on_postgres() || quick_run())) {
    auto url = fresh_database_url();
    server_process s(url, {"--signup", "open"});
    const auto port = s.http_port();
    browser ada(port);
    REQUIRE(ada.post("/api/auth/signup",
                     R"({"email":"ada@example.com","password":"analytical engine","name":"Ada"})")
                .status == 201);
    const auto token = provision_device(url, "ada@example.com", "host-a");
    const std::string host = "127.0.0.1:" + std::to_string(port);
    agent_client live;
    REQUIRE(live.connect(
                port, "/api/live", "",
                {{"Host", host}, {"Origin", "http://" + host}, {"Cookie", ada.cookie_header()}}) ==
            101);

    agent_client agent;
    REQUIRE(agent.connect(s.ws_port(), "/agent?hostId=host-a", token) == 101);
    auto online = live.receive(5s);
    REQUIRE_MESSAGE(online.text, online.error);
    CHECK(object_of(*online.text).at("isOnline") == true);
    const auto device_id = object_of(*online.text).at("deviceId");
    REQUIRE(agent.send(metrics_frame("host-a", 0, 1, 7)));
    REQUIRE(agent.receive().text);
    auto sample = live.receive(1s);
    REQUIRE_MESSAGE(sample.text, sample.error);
    CHECK(object_of(*sample.text).at("type") == "sample");
    agent.close();
    const auto left = std::chrono::steady_clock::now();

    // Still online inside the window (SPEC §2: online while heard from in the last 60 s)...
    auto early = live.receive(50s);
    CHECK_FALSE_MESSAGE(early.text.has_value(), early.text.value_or(""));
    CHECK(json::parse(ada.get("/api/devices").body).as_array().at(0).as_object().at("isOnline") ==
          true);
    // ...and offline, pushed, once it has passed.
    auto offline = live.receive(20s);
    REQUIRE_MESSAGE(offline.text, offline.error);
    const auto waited = std::chrono::steady_clock::now() - left;
    auto event = object_of(*offline.text);
    CHECK(event.at("type") == "device");
    CHECK(event.at("deviceId") == device_id);
    CHECK(event.at("isOnline") == false);
    CHECK(waited > 55s);
    CHECK(waited < 65s);
    CHECK(json::parse(ada.get("/api/devices").body).as_array().at(0).as_object().at("isOnline") ==
          false);
}

// On SQLite there is one server per database file.
const bool shared_database = on_postgres();

TEST_CASE(
    "live across servers on one PostgreSQL: the agent on one, the owner's browser on the other; "
    "a revocation on one cuts the agent on the other" *
    doctest::skip(!shared_database)) {
    auto url = fresh_database_url();
    server_process one(url, {"--signup", "open"});
    server_process two(url, {"--signup", "open"});
    browser ada(two.http_port());
    browser bob(two.http_port());
    REQUIRE(ada.post("/api/auth/signup",
                     R"({"email":"ada@example.com","password":"analytical engine","name":"Ada"})")
                .status == 201);
    REQUIRE(bob.post("/api/auth/signup",
                     R"({"email":"bob@example.com","password":"difference engine","name":"Bob"})")
                .status == 201);
    const auto token = provision_device(url, "ada@example.com", "host-a");
    auto live_on_two = [&](agent_client& c, const browser& b) {
        const std::string host = "127.0.0.1:" + std::to_string(two.http_port());
        return c.connect(
            two.http_port(), "/api/live", "",
            {{"Host", host}, {"Origin", "http://" + host}, {"Cookie", b.cookie_header()}});
    };
    agent_client ada_live;
    REQUIRE(live_on_two(ada_live, ada) == 101);
    agent_client bob_live;
    REQUIRE(live_on_two(bob_live, bob) == 101);
    // Server one hears of the watching browser through the database before the agent comes.
    std::this_thread::sleep_for(500ms);

    agent_client agent;
    REQUIRE(agent.connect(one.ws_port(), "/agent?hostId=host-a", token) == 101);
    auto online = ada_live.receive(5s);
    REQUIRE_MESSAGE(online.text, online.error);
    CHECK(object_of(*online.text).at("type") == "device");
    CHECK(object_of(*online.text).at("isOnline") == true);

    REQUIRE(agent.send(metrics_frame("host-a", 0, 2, 1)));
    auto ack = agent.receive();
    REQUIRE(ack.text);
    CHECK(object_of(*ack.text).at("accepted") == 2);
    for (int i = 0; i < 2; ++i) {
        auto got = ada_live.receive(1s);
        REQUIRE_MESSAGE(got.text, "sample ", i, ": ", got.error);
        auto e = object_of(*got.text);
        CHECK(e.at("type") == "sample");
        CHECK(e.at("sample").at("ts").as_string() ==
              to_rfc3339(base_time() + std::chrono::seconds{i}));
    }
    // Duplicates are not announced; Bob hears nothing of Ada's device.
    REQUIRE(agent.send(metrics_frame("host-a", 0, 2, 2)));
    REQUIRE(agent.receive().text);
    CHECK_FALSE(ada_live.receive(700ms).text.has_value());
    CHECK_FALSE(bob_live.receive(300ms).text.has_value());

    // Deleting the device on server two closes its agent's connection on server one at once.
    auto devices = json::parse(ada.get("/api/devices").body).as_array();
    REQUIRE(devices.size() == 1);
    const auto path = "/api/devices/" + std::to_string(devices[0].at("id").as_int64());
    const auto asked = std::chrono::steady_clock::now();
    REQUIRE(ada.call_with_csrf("DELETE", path, "").status == 204);
    auto closed = agent.receive(3s);
    CHECK(std::chrono::steady_clock::now() - asked < 1s);
    REQUIRE(closed.close_code.has_value());
    CHECK(*closed.close_code == 1008);
    agent_client again;
    CHECK(again.connect(one.ws_port(), "/agent?hostId=host-a", token) == 401);
}

}  // namespace windash::testing
