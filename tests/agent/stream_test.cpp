// windash-agent run against a real windash-server (SPEC §2), on both backends: pairing then
// streaming, revocation, a 15 s server outage, an agent SIGKILLed during an outage, and a spool
// cap that keeps the newest samples. What is stored is read back from the database itself.
#include "ingest/browser.hpp"
#include "ingest/server_fixture.hpp"
#include <windash/store_open.hpp>

#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <thread>
#include <vector>

namespace windash::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

// Waits (polling every 100 ms, at most `limit`) until `ready()`; true when it became so.
template <class Ready>
bool eventually(std::chrono::milliseconds limit, Ready ready) {
    const auto deadline = clock::now() + limit;
    while (clock::now() < deadline) {
        if (ready()) return true;
        std::this_thread::sleep_for(100ms);
    }
    return ready();
}

// The final report line of a run: "stopped: N samples collected, A acknowledged, R rejected,
// P pending in the spool, D dropped".
struct run_report {
    std::uint64_t collected = 0, acknowledged = 0, rejected = 0, pending = 0, dropped = 0;
};

// (std::regex is avoided: GCC 12 at -O1 warns inside <regex> and the ASan build uses -Werror.)
std::optional<run_report> final_report(const std::string& log) {
    const auto at = log.rfind("stopped: ");
    if (at == std::string::npos) return std::nullopt;
    run_report r;
    unsigned long long c = 0, a = 0, rj = 0, p = 0, d = 0;
    if (std::sscanf(log.c_str() + at,
                    "stopped: %llu samples collected, %llu acknowledged, %llu rejected, %llu "
                    "pending in the spool, %llu dropped",
                    &c, &a, &rj, &p, &d) != 5)
        return std::nullopt;
    r.collected = c;
    r.acknowledged = a;
    r.rejected = rj;
    r.pending = p;
    r.dropped = d;
    return r;
}

// The number written just before `suffix` at its first occurrence in `text`.
std::optional<std::uint64_t> number_before(const std::string& text, std::string_view suffix) {
    const auto at = text.find(suffix);
    if (at == std::string::npos) return std::nullopt;
    auto begin = at;
    while (begin > 0 && std::isdigit(static_cast<unsigned char>(text[begin - 1]))) --begin;
    if (begin == at) return std::nullopt;
    return std::stoull(text.substr(begin, at - begin));
}

// `windash-agent run` as a service would start it, logging to its own file.
struct agent_run {
    agent_run(const std::string& name, std::vector<std::string> flags)
        : log(scratch_dir() + "/" + name + "." + std::to_string(++runs) + ".stderr"),
          proc(
              [&] {
                  std::vector<std::string> argv = {WINDASH_AGENT_BIN, "run", "--reconnect-max-s",
                                                   "3"};
                  argv.insert(argv.end(), flags.begin(), flags.end());
                  return argv;
              }(),
              log) {}

    // SIGTERM, then the exit code (at most 15 s).
    int stop() {
        proc.signal(SIGTERM);
        return exit_code(15s);
    }
    int exit_code(std::chrono::milliseconds timeout) {
        auto status = proc.wait(timeout);
        REQUIRE_MESSAGE(status.has_value(), "the agent did not exit; log: ", read_file(log));
        REQUIRE_MESSAGE(WIFEXITED(*status), read_file(log));
        return WEXITSTATUS(*status);
    }
    std::string text() const { return read_file(log); }

    static inline int runs = 0;
    std::string log;
    child_process proc;
};

// Flags for streaming `host` with a provisioned token to `s`, spooling in `spool`.
std::vector<std::string> stream_flags(std::uint16_t http_port, const std::string& token,
                                      const std::string& host, const std::string& spool,
                                      const std::string& interval) {
    return {"--server",    "http://127.0.0.1:" + std::to_string(http_port),
            "--token",     token,
            "--host-id",   host,
            "--config",    scratch_dir() + "/none.json",
            "--spool-dir", spool,
            "--interval",  interval};
}

// Timestamps of `host`'s stored samples, oldest first, read from the database.
std::vector<timestamp> stored_times(const std::string& url, const std::string& host) {
    auto db = store::open_store(url);
    REQUIRE(db.has_value());
    auto devices = (*db)->list_devices(1);
    REQUIRE(devices.has_value());
    for (const auto& d : *devices) {
        if (d.host_id != host) continue;
        const auto now = std::chrono::system_clock::now();
        auto h = (*db)->query_history(
            {d.id, std::chrono::floor<std::chrono::microseconds>(now - std::chrono::hours(1)),
             std::chrono::floor<std::chrono::microseconds>(now + std::chrono::hours(1)), 1000000});
        REQUIRE(h.has_value());
        REQUIRE(h->source == store::tier::raw);
        for (auto c : h->sample_count) REQUIRE(c == 1);  // one raw sample per point
        return h->bucket_start;
    }
    return {};
}

// The largest step between consecutive stored samples, in seconds.
double largest_gap_s(const std::vector<timestamp>& ts) {
    double gap = 0;
    for (std::size_t i = 1; i < ts.size(); ++i) {
        gap = std::max(gap, std::chrono::duration<double>(ts[i] - ts[i - 1]).count());
    }
    return gap;
}

const std::string signup =
    R"({"email":"ada@example.com","password":"analytical engine","name":"Ada"})";

std::string fresh_spool(const std::string& name) {
    return scratch_dir() + "/spool-" + name + "-" + std::to_string(agent_run::runs + 1);
}

}  // namespace

TEST_CASE(
    "run pairs first; within 5 s of approval the device is online with samples; a "
    "deleted device stops the agent with code 3") {
    auto url = fresh_database_url();
    server_process s(url);
    const std::string server = "http://127.0.0.1:" + std::to_string(s.http_port());
    browser ada(s.http_port());
    REQUIRE(ada.post("/api/auth/signup", signup).status == 201);

    agent_run agent("paired", {"--server", server, "--config", scratch_dir() + "/paired.json",
                               "--spool-dir", fresh_spool("paired"), "--host-id", "host-r",
                               "--interval", "1", "--no-browser"});
    auto line = agent.proc.read_line(10s);
    REQUIRE(line.has_value());
    REQUIRE_MESSAGE(line->starts_with("Pairing code: "), *line);
    const auto code = line->substr(std::string("Pairing code: ").size());
    auto r = ada.post_with_csrf("/api/pair",
                                json::serialize(json::object{{"code", code}, {"approve", true}}));
    REQUIRE_MESSAGE(r.status == 200, r.body);
    const auto approved = clock::now();

    std::int64_t id = 0;
    const bool flowing = eventually(5s, [&] {
        auto devices = json::parse(ada.get("/api/devices").body).as_array();
        if (devices.size() != 1) return false;
        const auto& d = devices[0].as_object();
        if (!d.at("isOnline").as_bool() || d.at("latest").is_null()) return false;
        id = d.at("id").as_int64();
        auto history = json::parse(
            ada.get("/api/devices/" + std::to_string(id) + "/metrics?from=-5m&to=now").body);
        return !history.at("samples").as_array().empty();
    });
    const auto waited = std::chrono::duration<double>(clock::now() - approved).count();
    CHECK_MESSAGE(flowing, "not online with samples 5 s after approval; log: ", agent.text());
    MESSAGE("online with stored samples " << waited << " s after approval");

    // Deleting the device cuts the connection; the reconnect meets 401 and the agent stops.
    REQUIRE(ada.call_with_csrf("DELETE", "/api/devices/" + std::to_string(id), "").status == 204);
    CHECK(agent.exit_code(10s) == 3);
    CHECK(agent.text().find("Pair this machine again") != std::string::npos);
}

TEST_CASE("a 15 s server outage: every 2-second sample of the whole period is stored once") {
    auto url = fresh_database_url();
    const auto token = provision_device(url, "ada@example.com", "host-o");
    std::optional<server_process> s(std::in_place, url);
    const auto http = s->http_port();
    const auto ws = s->ws_port();
    agent_run agent("outage", stream_flags(http, token, "host-o", fresh_spool("outage"), "2"));
    REQUIRE(eventually(10s, [&] { return stored_times(url, "host-o").size() >= 2; }));

    s->process().signal(SIGKILL);
    (void)s->process().wait(5s);
    s.reset();
    const auto outage_start = std::chrono::system_clock::now();
    std::this_thread::sleep_for(15s);
    const auto before_restart = stored_times(url, "host-o").size();
    const auto outage_end = std::chrono::system_clock::now();
    s.emplace(url, std::vector<std::string>{}, http, ws);
    // Caught up: the samples of the outage arrive (reconnects are at most 3 s apart here).
    REQUIRE(eventually(15s, [&] {
        return stored_times(url, "host-o").size() >= before_restart + 7 &&
               agent.text().find("connected", agent.text().find("connecting again")) !=
                   std::string::npos;
    }));
    std::this_thread::sleep_for(2500ms);
    CHECK(agent.stop() == 0);

    auto report = final_report(agent.text());
    REQUIRE_MESSAGE(report.has_value(), agent.text());
    const auto stored = stored_times(url, "host-o");
    MESSAGE(report->collected << " collected, " << stored.size() << " stored, " << report->pending
                              << " pending, largest gap " << largest_gap_s(stored) << " s");
    CHECK(report->dropped == 0);
    CHECK(report->rejected == 0);
    CHECK(report->pending <= 1);  // at most the sample in flight at SIGTERM
    // Each stored once ((device, ts) is unique): all but the pending, which may have been
    // stored just before SIGTERM without the ack reaching the agent.
    CHECK(stored.size() >= report->collected - report->pending);
    CHECK(stored.size() <= report->collected);
    // The 15 s outage is covered: 7 or 8 samples taken while the server was down, and no
    // step between consecutive samples over the interval's 2 s (plus scheduling slack).
    const auto during = std::count_if(stored.begin(), stored.end(), [&](timestamp t) {
        return t >= outage_start && t < outage_end;
    });
    CHECK(during >= 7);
    CHECK(stored.front() < outage_start);
    CHECK(stored.back() > outage_end);
    CHECK(largest_gap_s(stored) < 2.5);
}

TEST_CASE("the agent SIGKILLed while the server is down: its spooled samples arrive once") {
    auto url = fresh_database_url();
    const auto token = provision_device(url, "ada@example.com", "host-k");
    const auto spool = fresh_spool("crash");
    std::optional<server_process> s(std::in_place, url);
    const auto http = s->http_port();
    const auto ws = s->ws_port();
    std::optional<agent_run> agent(std::in_place, "crash",
                                   stream_flags(http, token, "host-k", spool, "1"));
    REQUIRE(eventually(10s, [&] { return stored_times(url, "host-k").size() >= 2; }));

    s->process().signal(SIGKILL);
    (void)s->process().wait(5s);
    s.reset();
    const auto stored_before = stored_times(url, "host-k");
    std::this_thread::sleep_for(4s);  // about 4 samples spooled and not acknowledged
    agent->proc.signal(SIGKILL);
    (void)agent->proc.wait(5s);
    const auto killed = std::chrono::system_clock::now();
    agent.reset();

    s.emplace(url, std::vector<std::string>{}, http, ws);
    agent.emplace("crash", stream_flags(http, token, "host-k", spool, "1"));
    const auto restarted = std::chrono::system_clock::now();
    REQUIRE(eventually(10s, [&] {
        return agent->text().find("connected") != std::string::npos &&
               stored_times(url, "host-k").size() >= stored_before.size() + 6;
    }));
    std::this_thread::sleep_for(1500ms);
    CHECK(agent->stop() == 0);
    auto report = final_report(agent->text());
    REQUIRE(report.has_value());

    // The restarted agent found the outage's samples in its spool and sent them.
    const auto recovered = number_before(agent->text(), " samples pending)");
    REQUIRE(recovered.has_value());
    CHECK(*recovered >= 3);
    const auto stored = stored_times(url, "host-k");
    const auto outage_samples = std::count_if(stored.begin(), stored.end(), [&](timestamp t) {
        return t > stored_before.back() && t < killed;
    });
    CHECK(outage_samples >= 3);
    // Gaps: none but the time the agent was dead.
    const double dead_s = std::chrono::duration<double>(restarted - killed).count();
    std::size_t big_gaps = 0;
    for (std::size_t i = 1; i < stored.size(); ++i) {
        if (std::chrono::duration<double>(stored[i] - stored[i - 1]).count() > 1.5) ++big_gaps;
    }
    CHECK(big_gaps <= 1);
    CHECK(largest_gap_s(stored) < dead_s + 1.5);
}

TEST_CASE("a long outage with a small spool keeps the newest samples and reports the dropped") {
    auto url = fresh_database_url();
    const auto token = provision_device(url, "ada@example.com", "host-c");
    std::optional<server_process> s(std::in_place, url);
    const auto http = s->http_port();
    const auto ws = s->ws_port();
    auto flags = stream_flags(http, token, "host-c", fresh_spool("cap"), "0.1");
    flags.insert(flags.end(), {"--spool-max-mb", "0.02"});  // 20 KiB: a few dozen samples
    agent_run agent("cap", flags);
    REQUIRE(eventually(10s, [&] { return stored_times(url, "host-c").size() >= 5; }));

    s->process().signal(SIGKILL);
    (void)s->process().wait(5s);
    s.reset();
    const auto outage_start = std::chrono::system_clock::now();
    REQUIRE(eventually(20s, [&] { return agent.text().find("SPOOL FULL") != std::string::npos; }));
    std::this_thread::sleep_for(2s);  // a few more segments of the outage's start go
    const auto outage_end = std::chrono::system_clock::now();
    s.emplace(url, std::vector<std::string>{}, http, ws);
    REQUIRE(eventually(10s, [&] {
        auto ts = stored_times(url, "host-c");
        return !ts.empty() && ts.back() > outage_end;
    }));
    std::this_thread::sleep_for(500ms);
    CHECK(agent.stop() == 0);
    auto report = final_report(agent.text());
    REQUIRE(report.has_value());
    const auto stored = stored_times(url, "host-c");
    MESSAGE(report->collected << " collected, " << report->dropped << " dropped, " << stored.size()
                              << " stored");
    CHECK(report->dropped > 0);
    // A sample dropped from the full spool while its batch was in flight (when the server was
    // killed, or while the backlog was resent after the restart) may still be stored: counted
    // as dropped, yet stored. How many depends on the batch sizes, several samples each when
    // the agent is behind (under ASan), so the bound is what was collected and not pending.
    const auto expected = report->collected - report->dropped - report->pending;
    CHECK(stored.size() >= expected);
    CHECK(stored.size() <= report->collected - report->pending);
    // The newest samples of the outage were kept: the last second before the restart is there.
    const auto kept = std::count_if(stored.begin(), stored.end(), [&](timestamp t) {
        return t > outage_end - 1s && t <= outage_end;
    });
    CHECK(kept >= 5);
    // ...and the oldest of it went: its first second is missing.
    const auto lost = std::count_if(stored.begin(), stored.end(), [&](timestamp t) {
        return t > outage_start + 200ms && t <= outage_start + 1s;
    });
    CHECK(lost == 0);
}

}  // namespace windash::testing
