// windash-agent: pairs this machine with a windash server (SPEC §3) and prints samples.
//
//   windash-agent pair --server http://host:3000    asks for a code, shows where to approve it,
//                                                   waits, saves the token (agent.json, 0600)
//   windash-agent once                              prints one Sample v1 of this machine
//
// Streaming (`windash-agent run`) comes next (issue #10).

#include <windash/agent.hpp>
#include <windash/collector.hpp>
#include <windash/pairing.hpp>
#include <windash/protocol/writer.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>

#ifndef _WIN32
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
    return 0;
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

    std::string once_host;
    auto* once_cmd = app.add_subcommand("once", "Print one sample of this machine as JSON");
    once_cmd->add_option("--host-id", once_host, "hostId of the sample (default: the host name)");

    CLI11_PARSE(app, argc, argv);
    if (*pair_cmd) return pair(p);
    return once(once_host);
} catch (const std::exception& e) {
    std::fprintf(stderr, "windash-agent: %s\n", e.what());
    return 2;
}
