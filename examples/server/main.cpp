// windash-server: the ingest server on the embedded SQLite default or PostgreSQL (SPEC §6),
// plus `user add` and `device add` for provisioning without a browser.
#include <windash/ingest.hpp>
#include <windash/store.hpp>
#include <windash/store_open.hpp>
#ifdef WINDASH_HAS_DASHBOARD
#include <windash/dashboard/assets.hpp>
#endif

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace ingest = windash::ingest;
namespace store = windash::store;
#ifdef WINDASH_HAS_DASHBOARD
namespace dashboard = windash::dashboard;
#endif

struct settings {
    std::string database_url = "./windash.db";
    ingest::server_options server;
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::string log_level = "info";
    std::string email, name, host_id;
    unsigned count = 1;            // device add: how many devices
    bool discard_samples = false;  // benchmarks only: acknowledge without storing
    store::maintenance_options upkeep;
};

// Benchmarks only (bench/ingest): checks tokens against the real store but acknowledges every
// batch at once without storing it, to show what networking and parsing alone cost.
class discarding_backend final : public ingest::backend {
  public:
    explicit discarding_backend(ingest::backend& real) : real_(real) {}
    boost::system::result<ingest::agent_identity> authenticate(std::string_view token,
                                                               std::string_view host_id) override {
        return real_.authenticate(token, host_id);
    }
    void commit(store::device_batch batch, commit_handler done) override {
        done(store::batch_outcome{static_cast<std::uint32_t>(batch.samples.size()), 0});
    }
    bool ready() override { return real_.ready(); }

  private:
    ingest::backend& real_;
};

std::shared_ptr<spdlog::logger> make_logger(const std::string& level) {
    auto log = spdlog::stderr_color_mt("windash");
    log->set_level(spdlog::level::from_str(level));
    log->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%l%$ %v", spdlog::pattern_time_type::utc);
    return log;
}

std::unique_ptr<store::store> open_database(const settings& s, spdlog::logger& log) {
    store::options opts;
    opts.log = [&log](std::string_view line) { log.warn("database: {}", line); };
    auto db = store::open_store(s.database_url, std::move(opts));
    if (!db) {
        log.error("cannot open the database {}: {}", s.database_url, db.error().message());
        return nullptr;
    }
    return std::move(*db);
}

spdlog::level::level_enum level_of(ingest::log_level l) {
    switch (l) {
        case ingest::log_level::debug:
            return spdlog::level::debug;
        case ingest::log_level::info:
            return spdlog::level::info;
        case ingest::log_level::warn:
            return spdlog::level::warn;
        case ingest::log_level::error:
            return spdlog::level::err;
    }
    return spdlog::level::info;
}

int serve(settings s, spdlog::logger& log) {
    auto db = open_database(s, log);
    if (!db) return 1;
    store::group_committer committer(*db);
    store::maintenance_options mo = s.upkeep;
    mo.on_error = [&log](std::string_view what, boost::system::error_code ec) {
        log.warn("maintenance: {}: {}", what, ec.message());
    };
    store::maintenance upkeep(*db, mo);
    auto storage = ingest::make_store_backend(*db, committer);
    std::unique_ptr<ingest::backend> discarding;
    if (s.discard_samples) {
        log.warn("--discard-samples: batches are acknowledged WITHOUT being stored (benchmarks)");
        discarding = std::make_unique<discarding_backend>(*storage);
    }

#ifdef WINDASH_HAS_DASHBOARD
    for (const auto& a : dashboard::assets())
        s.server.web_files.push_back({std::string(a.name), std::string(a.content_type), a.body});
#endif
    s.server.log = [&log](ingest::log_level l, std::string_view text) {
        log.log(level_of(l), "{}", text);
    };
    boost::asio::io_context ioc(static_cast<int>(s.threads));
    ingest::server server(ioc, discarding ? *discarding : *storage, s.server);
    if (auto started = server.start(); !started) {
        log.error("cannot serve on {} ports {} and {}: {}", s.server.address, s.server.http_port,
                  s.server.ws_port, started.error().message());
        return 1;
    }
    bool tls = !s.server.tls_certificate_file.empty();
    std::printf("windash-server listening: %s://%s:%u %s://%s:%u/agent (database %s)\n",
                tls ? "https" : "http", s.server.address.c_str(), server.http_port(),
                tls ? "wss" : "ws", s.server.address.c_str(), server.ws_port(),
                s.database_url.c_str());
    std::fflush(stdout);

    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int sig) {
        if (ec) return;
        log.info("signal {}: finishing the batches in flight, then stopping", sig);
        server.shutdown([&] { ioc.stop(); });
    });
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < s.threads; ++i) threads.emplace_back([&] { ioc.run(); });
    ioc.run();
    for (auto& t : threads) t.join();
    log.info("stopped");
    return 0;
}

int add_user(const settings& s, spdlog::logger& log) {
    auto db = open_database(s, log);
    if (!db) return 1;
    std::string password;
    std::getline(std::cin, password);
    auto user = ingest::add_user(*db, s.email, s.name, password);
    if (!user) {
        log.error("user add: {}", user.error().message);
        return 1;
    }
    std::printf("user %lld added: %s\n", static_cast<long long>(user->id), user->email.c_str());
    return 0;
}

// One device: its token alone on the last line (SPEC §6). With --count N: hostIds H-0 .. H-(N-1),
// one "hostId token" line each (load generators).
int add_device(const settings& s, spdlog::logger& log) {
    auto db = open_database(s, log);
    if (!db) return 1;
    for (unsigned i = 0; i < s.count; ++i) {
        std::string host = s.count == 1 ? s.host_id : s.host_id + "-" + std::to_string(i);
        auto token = ingest::add_device(*db, s.email, host, s.name);
        if (!token) {
            log.error("device add {}: {}", host, token.error().message);
            return 1;
        }
        if (s.count == 1) {
            std::printf("device added for %s, hostId %s; its token:\n%s\n", s.email.c_str(),
                        host.c_str(), token->c_str());
        } else {
            std::printf("%s %s\n", host.c_str(), token->c_str());
        }
    }
    return 0;
}

// A duration flag in milliseconds, bound to `target`, showing its default.
void add_milliseconds(CLI::App& app, const std::string& name, std::chrono::milliseconds& target,
                      const std::string& help) {
    app.add_option_function<std::int64_t>(
           name, [&target](std::int64_t ms) { target = std::chrono::milliseconds(ms); },
           help + " (default " + std::to_string(target.count()) + ")")
        ->check(CLI::PositiveNumber);
}

void add_server_options(CLI::App& app, settings& s) {
    auto& o = s.server;
    app.add_option("--address", o.address, "Address to listen on")
        ->envname("ADDRESS")
        ->capture_default_str();
    app.add_option("--port", o.http_port, "HTTP port, also serving /agent (0: any free port)")
        ->envname("PORT")
        ->capture_default_str();
    app.add_option("--ws-port", o.ws_port, "Agent WebSocket port (0: any free port)")
        ->envname("WS_PORT")
        ->capture_default_str();
    auto* cert = app.add_option("--tls-cert", o.tls_certificate_file,
                                "TLS certificate chain (PEM): https:// and wss:// on both ports")
                     ->envname("TLS_CERT")
                     ->check(CLI::ExistingFile);
    auto* key = app.add_option("--tls-key", o.tls_private_key_file, "TLS private key (PEM)")
                    ->envname("TLS_KEY")
                    ->check(CLI::ExistingFile);
    cert->needs(key);
    key->needs(cert);
    app.add_option("--signup", o.signup,
                   "Who may sign up: first (only the first user), open, closed")
        ->envname("SIGNUP")
        ->transform(CLI::CheckedTransformer(
            std::map<std::string, ingest::signup_policy>{{"first", ingest::signup_policy::first},
                                                         {"open", ingest::signup_policy::open},
                                                         {"closed", ingest::signup_policy::closed}},
            CLI::ignore_case))
        ->default_str("first");
    app.add_option("--threads", s.threads, "I/O threads")
        ->envname("THREADS")
        ->check(CLI::Range(1u, 256u))
        ->capture_default_str();
    app.add_option("--max-connections", o.max_connections, "Open connections at most")
        ->capture_default_str();
    app.add_option("--max-frame-bytes", o.max_frame_bytes, "Largest agent frame (SPEC §2)")
        ->capture_default_str();
    app.add_option("--max-pending-batches", o.max_pending_batches,
                   "Batches per agent awaiting commit before its socket is no longer read")
        ->capture_default_str();
    add_milliseconds(app, "--ping-interval-ms", o.ping_interval, "Ping agents this often");
    add_milliseconds(app, "--silence-timeout-ms", o.silence_timeout,
                     "Disconnect agents silent this long");
    add_milliseconds(app, "--request-timeout-ms", o.request_timeout,
                     "Deadline for a whole HTTP request");
    add_milliseconds(app, "--maintenance-interval-ms", s.upkeep.interval,
                     "Pause between rollup and retention passes");
    app.add_flag("--pairing-compat", o.allow_user_code_polling,
                 "Also answer the seed agents' token polls by user code (?code=), which a "
                 "short code shown on a screen does not protect: off by default")
        ->envname("PAIRING_COMPAT");
    app.add_option_function<std::int64_t>(
           "--device-code-lifetime-s",
           [&o](std::int64_t v) { o.device_code_lifetime = std::chrono::seconds{v}; },
           "How long a pairing code stays valid (SPEC §3: 600)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{86400}))
        ->default_str("600");
    app.add_option_function<std::int64_t>(
           "--session-lifetime-s",
           [&o](std::int64_t v) { o.session_lifetime = std::chrono::seconds{v}; },
           "A browser session ends this long after sign-in")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{366} * 86400))
        ->default_str("2592000");
    app.add_option_function<std::int64_t>(
           "--session-idle-s",
           [&o](std::int64_t v) { o.session_idle_timeout = std::chrono::seconds{v}; },
           "A browser session ends after this long without a request")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{366} * 86400))
        ->default_str("604800");
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    CLI::App app{"windash-server: real-time system monitoring server (agents, API, dashboard)"};
    app.fallthrough();
    app.add_option("--database-url", s.database_url,
                   "postgres://... for PostgreSQL, else a SQLite file path")
        ->envname("DATABASE_URL")
        ->capture_default_str();
    app.add_option("--log-level", s.log_level, "trace, debug, info, warn, error")
        ->envname("LOG_LEVEL")
        ->capture_default_str();
    add_server_options(app, s);

    auto* user = app.add_subcommand("user", "Manage users")->require_subcommand(1);
    auto* user_add = user->add_subcommand("add", "Add a user; the password is read from stdin");
    user_add->add_option("--email", s.email, "Email, the sign-in name")->required();
    user_add->add_option("--name", s.name, "Display name")->required();
    auto* device = app.add_subcommand("device", "Manage devices")->require_subcommand(1);
    auto* device_add = device->add_subcommand(
        "add", "Pair a device without a browser; prints its token on the last line");
    device_add->add_option("--email", s.email, "Owner's email")->required();
    device_add->add_option("--host-id", s.host_id, "The agent's hostId")->required();
    device_add->add_option("--name", s.name, "Device name (default: the hostId)");
    device_add
        ->add_option("--count", s.count,
                     "Add N devices, hostIds <host-id>-0..N-1, printing 'hostId token' lines")
        ->check(CLI::Range(1u, 1000000u));
    app.add_flag("--discard-samples", s.discard_samples,
                 "Benchmarks only: acknowledge batches without storing them");
    CLI11_PARSE(app, argc, argv);

    auto log = make_logger(s.log_level);
    try {
        if (*user_add) return add_user(s, *log);
        if (*device_add) return add_device(s, *log);
        return serve(std::move(s), *log);
    } catch (const std::exception& e) {
        log->critical("{}", e.what());
        return 1;
    }
}
