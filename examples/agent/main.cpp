// windash-agent: pairs this machine with a windash server (SPEC §3) and streams its metrics.
//
//   windash-agent pair --server http://host:3000    asks for a code, shows where to approve it,
//                                                   waits, saves the token (agent.json, 0600)
//   windash-agent run                               streams a sample every 2 s through the
//                                                   on-disk spool (SPEC §2)
//   windash-agent once                              prints one Sample v1 of this machine
//
// Exit codes: 0 done or stopped by a signal, 1 a failure, 2 bad settings, 3 the server refused
// the device (pair again; systemd's RestartPreventExitStatus=3).

#include <windash/agent.hpp>
#include <windash/collector.hpp>
#include <windash/pairing.hpp>
#include <windash/protocol/writer.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#ifndef _WIN32
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace {

namespace agent = windash::agent;
namespace pairing = windash::pairing;

struct pair_settings {
    std::string server;
    std::string host_id;
    std::string hostname;
    std::string config;
    std::string ca_file;
    bool no_browser = false;
    double reconnect_max_s = 60;
};

// A desktop session with a person at the terminal: worth opening the browser for them.
bool interactive_desktop(const agent::environment& env) {
#ifdef _WIN32
    (void)env;
    return false;  // Windows: the URL is printed; opening it comes with the Windows service
#else
    return ::isatty(STDOUT_FILENO) != 0 && (env("DISPLAY") || env("WAYLAND_DISPLAY"));
#endif
}

void open_browser(const std::string& url) {
#ifndef _WIN32
    // xdg-open gets the URL as an argument of its own: no shell sees it.
    pid_t pid = ::fork();
    if (pid == 0) {
        ::execlp("xdg-open", "xdg-open", url.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    if (pid > 0) {
        int status = 0;
        ::waitpid(pid, &status, 0);
    }
#else
    (void)url;
#endif
}

int pair(const pair_settings& s) {
    const auto env = agent::process_environment();
    auto server = pairing::parse_server_url(s.server);
    if (!server) {
        std::fprintf(stderr, "windash-agent: %s\n", server.error().message.c_str());
        return 2;
    }
    std::filesystem::path config_path = s.config;
    if (config_path.empty()) {
        auto fallback = agent::default_config_path(env);
        if (!fallback) {
            std::fprintf(stderr,
                         "windash-agent: no place for the settings: set --config, "
                         "XDG_CONFIG_HOME or HOME\n");
            return 2;
        }
        config_path = *fallback;
    }
    std::string host_id = s.host_id;
    if (host_id.empty()) {
        auto machine = agent::machine_host_id();
        if (!machine) {
            std::fprintf(stderr, "windash-agent: no machine id found: set --host-id\n");
            return 2;
        }
        host_id = *machine;
    }
    if (!windash::is_valid_host_id(host_id)) {
        std::fprintf(stderr, "windash-agent: --host-id %s: must be 1 to 64 of A-Z a-z 0-9 . _ -\n",
                     host_id.c_str());
        return 2;
    }
    std::string hostname = s.hostname;
    if (hostname.empty()) hostname = windash::collector::default_host_id();

    pairing::client_options opts;
    opts.ca_file = s.ca_file;
    pairing::client client(*server, opts);
    const bool browser = !s.no_browser && interactive_desktop(env);
    pairing::pair_callbacks callbacks;
    callbacks.show_code = [&](const pairing::device_code_grant& g) {
        std::printf("Pairing code: %s\n", g.user_code.c_str());
        std::printf("Open %s and approve this machine (hostId %s) if it shows that code.\n",
                    g.verification_uri_complete.c_str(), host_id.c_str());
        std::printf("Waiting for approval; the code expires in %lld minutes.\n",
                    static_cast<long long>((g.expires_in.count() + 59) / 60));
        std::fflush(stdout);
        if (browser) open_browser(g.verification_uri_complete);
    };
    callbacks.polled = [](pairing::poll_status status) {
        if (status == pairing::poll_status::slow_down) {
            std::printf("The server asked to poll more slowly: waiting 5 s longer.\n");
            std::fflush(stdout);
        }
    };
    auto credential = pairing::pair(client, host_id, hostname, callbacks);
    if (!credential) {
        std::fprintf(stderr, "windash-agent: %s\n", credential.error().message.c_str());
        return 1;
    }
    agent::agent_config config{server->origin(), credential->token, credential->host_id,
                               credential->device_id};
    if (auto saved = agent::save_config(config_path, config); !saved) {
        std::fprintf(stderr, "windash-agent: paired, but the settings were not saved: %s\n",
                     saved.error().message.c_str());
        return 1;
    }
    std::printf("Paired as device %lld (hostId %s). Settings saved to %s\n",
                static_cast<long long>(credential->device_id), credential->host_id.c_str(),
                config_path.string().c_str());
    std::fflush(stdout);  // before streaming starts: a pipe or the journal shows it now
    return 0;
}

struct run_settings {
    std::string config;
    std::string server;
    std::string token;
    std::string host_id;
    double interval_s = 2.0;
    std::string spool_dir;
    double spool_max_mb = 128;
    double spool_max_age_h = 24 * 7;
    std::string ca_file;
    bool no_browser = false;
    double reconnect_max_s = 60;
};

void log_line(windash::agent::log_level level, std::string_view text) {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
#ifdef _WIN32
    gmtime_s(&utc, &now);
#else
    gmtime_r(&now, &utc);
#endif
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &utc);
    const char* tag = level == windash::agent::log_level::info      ? "info"
                      : level == windash::agent::log_level::warning ? "warning"
                                                                    : "error";
    std::fprintf(stderr, "%s windash-agent %s: %.*s\n", when, tag, static_cast<int>(text.size()),
                 text.data());
    std::fflush(stderr);
}

std::string os_name() {
#ifdef _WIN32
    return "windows";
#else
    utsname u{};
    if (::uname(&u) != 0) return "linux";
    return std::string(u.sysname) + " " + u.release;
#endif
}

// Flags win over the environment (CLI11 envname), which wins over agent.json.
int run(const run_settings& r) {
    const auto env = agent::process_environment();
    std::filesystem::path config_path = r.config;
    if (config_path.empty()) config_path = agent::default_config_path(env).value_or("agent.json");
    agent::agent_config saved;
    auto loaded = agent::load_config(config_path);
    if (!loaded && r.token.empty() && !r.server.empty()) {
        // Not paired yet: pair first, as `pair` would, then stream.
        const int paired =
            pair({r.server, r.host_id, "", config_path.string(), r.ca_file, r.no_browser});
        if (paired != 0) return paired;
        loaded = agent::load_config(config_path);
    }
    if (loaded) {
        saved = *loaded;
    } else if (r.server.empty() || r.token.empty()) {
        std::fprintf(stderr, "windash-agent: %s (or set --server and --token)\n",
                     loaded.error().message.c_str());
        return 2;
    }
    const std::string server_text = r.server.empty() ? saved.server : r.server;
    auto server = pairing::parse_server_url(server_text);
    if (!server) {
        std::fprintf(stderr, "windash-agent: %s\n", server.error().message.c_str());
        return 2;
    }
    agent::stream_settings settings;
    settings.server = *server;
    settings.token = r.token.empty() ? saved.token : r.token;
    settings.host_id = !r.host_id.empty()       ? r.host_id
                       : !saved.host_id.empty() ? saved.host_id
                                                : agent::machine_host_id().value_or("");
    if (!windash::is_valid_host_id(settings.host_id)) {
        std::fprintf(stderr,
                     "windash-agent: --host-id '%s': must be 1 to 64 of A-Z a-z 0-9 . _ -\n",
                     settings.host_id.c_str());
        return 2;
    }
    settings.interval = std::chrono::milliseconds(std::llround(r.interval_s * 1000));
    settings.ca_file = r.ca_file;
    settings.backoff_max = std::chrono::milliseconds(std::llround(r.reconnect_max_s * 1000));
    settings.stop_on_signals = true;
    settings.hello.agent = "windash-agent/0.1.0";
    settings.hello.os = os_name();
    settings.hello.hostname = windash::collector::default_host_id();
    settings.hello.cores = std::thread::hardware_concurrency();

    std::filesystem::path spool_dir = r.spool_dir;
    if (spool_dir.empty()) {
        auto fallback = agent::default_spool_path(env);
        if (!fallback) {
            std::fprintf(stderr, "windash-agent: no place for the spool: set --spool-dir\n");
            return 2;
        }
        spool_dir = *fallback;
    }
    agent::spool_limits limits;
    limits.max_bytes = static_cast<std::uint64_t>(r.spool_max_mb * 1024 * 1024);
    limits.max_age = std::chrono::seconds(std::llround(r.spool_max_age_h * 3600));
    auto spool = agent::spool::open(spool_dir, limits);
    if (!spool) {
        std::fprintf(stderr, "windash-agent: %s\n", spool.error().message.c_str());
        return 1;
    }

    windash::collector::options opts;
    opts.host_id = settings.host_id;
    opts.process_count_every = std::chrono::seconds(10);  // see the option: a third of the CPU
    windash::collector::collector collector(std::move(opts));
    agent::stream_hooks hooks;
    hooks.collect = [&collector] { return collector.collect(); };
    hooks.log = log_line;
    log_line(agent::log_level::info,
             "streaming hostId " + settings.host_id + " to " + server->origin() + " every " +
                 std::to_string(settings.interval.count()) + " ms; spool " + spool_dir.string() +
                 " (" + std::to_string(spool->stats().pending) + " samples pending)");
    agent::streamer streamer(std::move(settings), *spool, std::move(hooks));
    const auto report = streamer.run();
    const auto st = spool->stats();
    log_line(agent::log_level::info,
             "stopped: " + std::to_string(report.collected) + " samples collected, " +
                 std::to_string(report.acknowledged) + " acknowledged, " +
                 std::to_string(report.rejected) + " rejected, " + std::to_string(st.pending) +
                 " pending in the spool, " + std::to_string(st.dropped_full + st.dropped_old) +
                 " dropped");
    switch (report.end) {
        case agent::stream_end::stopped:
            return 0;
        case agent::stream_end::token_refused:
        case agent::stream_end::host_mismatch:
        case agent::stream_end::bad_host_id:
            log_line(agent::log_level::error, report.message);
            return 3;
        case agent::stream_end::bad_settings:
            log_line(agent::log_level::error, report.message);
            return 2;
        case agent::stream_end::spool_failed:
            break;
    }
    log_line(agent::log_level::error, report.message);
    return 1;
}

int once(const std::string& host_id) {
    windash::collector::options opts;
    opts.host_id = host_id.empty() ? windash::collector::default_host_id() : host_id;
    windash::collector::collector c(std::move(opts));
    auto s = c.collect();
    if (!s) {
        std::fprintf(stderr, "windash-agent: %s\n", s.error().message().c_str());
        return 1;
    }
    std::string line;
    windash::protocol::write_sample(line, *s);
    std::printf("%s\n", line.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) try {
    CLI::App app{"windash-agent: sends this machine's metrics to a windash server"};
    app.require_subcommand(1);

    pair_settings p;
    auto* pair_cmd = app.add_subcommand(
        "pair",
        "Pair this machine: show a code, wait for its approval in the browser, save the "
        "token");
    pair_cmd->add_option("--server", p.server, "The server, http://host:3000 or https://host")
        ->envname("WINDASH_SERVER")
        ->required();
    pair_cmd->add_option("--host-id", p.host_id,
                         "This machine's hostId (default: its machine id, /etc/machine-id)");
    pair_cmd->add_option("--hostname", p.hostname,
                         "The name shown on the approval page (default: the host name)");
    pair_cmd->add_option("--config", p.config,
                         "Where to save the settings (default: "
                         "$XDG_CONFIG_HOME/windash/agent.json or ~/.config/windash/agent.json)");
    pair_cmd
        ->add_option("--ca-file", p.ca_file,
                     "PEM file of CAs trusted for https besides the system's")
        ->check(CLI::ExistingFile);
    pair_cmd->add_flag("--no-browser", p.no_browser, "Only print the URL, never open a browser");

    run_settings r;
    auto* run_cmd = app.add_subcommand(
        "run",
        "Stream this machine's metrics: a sample every interval, written to the on-disk spool "
        "first and removed only once the server has stored it; reconnects with backoff. Pairs "
        "first when this machine is not paired yet and --server is given. Exit code 3 when the "
        "server refuses the device (pair again)");
    run_cmd->add_option("--config", r.config,
                        "Settings saved by pair (default: $XDG_CONFIG_HOME/windash/agent.json "
                        "or ~/.config/windash/agent.json)");
    run_cmd->add_option("--server", r.server, "The server, instead of the saved one")
        ->envname("WINDASH_SERVER");
    run_cmd->add_option("--token", r.token, "The device token, instead of the saved one")
        ->envname("WINDASH_TOKEN");
    run_cmd->add_option("--host-id", r.host_id, "This machine's hostId, instead of the saved one");
    run_cmd->add_option("--interval", r.interval_s, "Seconds between samples (0.1 to 3600)")
        ->envname("WINDASH_INTERVAL")
        ->check(CLI::Range(0.1, 3600.0))
        ->capture_default_str();
    run_cmd->add_option("--spool-dir", r.spool_dir,
                        "Folder of the spool (default: $STATE_DIRECTORY/spool, "
                        "$XDG_STATE_HOME/windash/spool or ~/.local/state/windash/spool)");
    run_cmd
        ->add_option("--spool-max-mb", r.spool_max_mb,
                     "Size cap of the spool; past it the oldest samples are dropped")
        ->check(CLI::Range(0.01, 1048576.0))
        ->capture_default_str();
    run_cmd
        ->add_option("--spool-max-age-h", r.spool_max_age_h,
                     "Age cap of the spool in hours; older samples are dropped")
        ->check(CLI::Range(0.001, 87600.0))
        ->capture_default_str();
    run_cmd
        ->add_option("--ca-file", r.ca_file,
                     "PEM file of CAs trusted for wss:// besides the system's")
        ->check(CLI::ExistingFile);
    run_cmd
        ->add_option("--reconnect-max-s", r.reconnect_max_s,
                     "Longest wait between connection attempts (exponential backoff with full "
                     "jitter from 1 s)")
        ->check(CLI::Range(1.0, 3600.0))
        ->capture_default_str();
    run_cmd->add_flag("--no-browser", r.no_browser,
                      "When pairing first: only print the URL, never open a browser");

    std::string once_host;
    auto* once_cmd = app.add_subcommand("once", "Print one sample of this machine as JSON");
    once_cmd->add_option("--host-id", once_host, "hostId of the sample (default: the host name)");

    CLI11_PARSE(app, argc, argv);
    if (*pair_cmd) return pair(p);
    if (*run_cmd) return run(r);
    return once(once_host);
} catch (const std::exception& e) {
    std::fprintf(stderr, "windash-agent: %s\n", e.what());
    return 2;
}
