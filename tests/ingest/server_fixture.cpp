#include "ingest/server_fixture.hpp"

#include "support/postgres_cluster.hpp"
#include <windash/protocol/writer.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace windash::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;

struct scratch {
    std::string path;
    scratch() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "windash-ingest-XXXXXX");
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~scratch() {
        std::error_code ignored;
        if (!std::getenv("WINDASH_KEEP_TEST_FILES")) std::filesystem::remove_all(path, ignored);
    }
};

postgres_cluster& cluster() {
    static postgres_cluster instance;
    return instance;
}

std::atomic<int> next_id{0};

}  // namespace

const std::string& scratch_dir() {
    static scratch dir;
    return dir.path;
}

std::string backend_name() {
    const char* name = std::getenv("WINDASH_TEST_BACKEND");
    return name && std::string_view(name) == "postgres" ? "postgres" : "sqlite";
}

bool on_postgres() {
    static const bool postgres = backend_name() == "postgres";
    return postgres;
}

bool quick_run() {
    static const bool quick = std::getenv("WINDASH_TEST_QUICK") != nullptr;
    return quick;
}

const char* server_binary() { return WINDASH_SERVER_BIN; }

std::string fresh_database_url() {
    if (on_postgres()) return cluster().create_database("ingest_" + std::to_string(next_id++));
    return scratch_dir() + "/db" + std::to_string(next_id++) + ".sqlite";
}

bool stop_database_server() {
    if (!on_postgres()) return false;
    cluster().stop();
    return true;
}

void start_database_server() {
    if (on_postgres()) cluster().start();
}

server_process::server_process(std::string database_url, std::vector<std::string> extra,
                               std::uint16_t http_port, std::uint16_t ws_port)
    : url_(std::move(database_url)),
      log_(scratch_dir() + "/server" + std::to_string(next_id++) + ".log"),
      proc_(
          [&] {
              std::vector<std::string> argv = {WINDASH_SERVER_BIN,
                                               "--database-url",
                                               url_,
                                               "--port",
                                               std::to_string(http_port),
                                               "--ws-port",
                                               std::to_string(ws_port),
                                               "--threads",
                                               "2"};
              argv.insert(argv.end(), extra.begin(), extra.end());
              return argv;
          }(),
          log_) {
    auto line = proc_.read_line(30s);
    if (line) {
        http_port_ = listening_port(*line, "http://");
        if (http_port_ == 0) http_port_ = listening_port(*line, "https://");
        ws_port_ = listening_port(*line, "ws://");
        if (ws_port_ == 0) ws_port_ = listening_port(*line, "wss://");
    }
    if (http_port_ == 0 || ws_port_ == 0) {
        throw std::runtime_error("windash-server did not start; log: " + log_);
    }
}

// "http://127.0.0.1:PORT ws://127.0.0.1:PORT/agent": digits after the URL's last ':'.
std::uint16_t listening_port(const std::string& line, const std::string& scheme) {
    auto start = line.find(scheme);
    if (start == std::string::npos) return 0;
    auto end = line.find_first_of(" /", start + scheme.size());
    auto url = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
    auto colon = url.rfind(':');
    if (colon == std::string::npos || colon + 1 >= url.size()) return 0;
    return static_cast<std::uint16_t>(std::stoi(url.substr(colon + 1)));
}

std::string provision_device(const std::string& database_url, const std::string& email,
                             const std::string& host_id) {
    const std::string log = scratch_dir() + "/provisioning.log";
    // Fails harmlessly (exit 1) when the user exists already.
    run_command({WINDASH_SERVER_BIN, "--database-url", database_url, "user", "add", "--email",
                 email, "--name", "Test User"},
                log, std::string("correct horse battery\n"));
    auto r = run_command({WINDASH_SERVER_BIN, "--database-url", database_url, "device", "add",
                          "--email", email, "--host-id", host_id},
                         log);
    if (r.exit_code != 0) throw std::runtime_error("device add failed; log: " + log);
    auto end = r.out.find_last_not_of('\n');
    auto start = r.out.find_last_of('\n', end);
    return r.out.substr(start == std::string::npos ? 0 : start + 1, end - start);
}

http_reply http_get(std::uint16_t port, const std::string& target) {
    return http_call(port, "GET", target);
}

http_reply http_call(std::uint16_t port, const std::string& method, const std::string& target,
                     const std::string& body, const http_headers& headers) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    beast::flat_buffer buffer;
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (const auto& [name, value] : headers) req.insert(name, value);
    if (!body.empty()) {
        if (req[http::field::content_type].empty()) {
            req.set(http::field::content_type, "application/json");
        }
        req.body() = body;
    }
    req.prepare_payload();
    http::response<http::string_body> res;
    http_reply out;
    stream.expires_after(5s);
    stream.async_connect({net::ip::make_address("127.0.0.1"), port}, [&](beast::error_code ec) {
        if (ec) return;
        stream.expires_after(5s);
        http::async_write(stream, req, [&](beast::error_code ec2, std::size_t) {
            if (ec2) return;
            stream.expires_after(5s);
            http::async_read(stream, buffer, res, [&](beast::error_code ec3, std::size_t) {
                if (ec3) return;
                out = {res.result_int(), res.body(), {}};
                for (const auto& field : res) {
                    out.headers.emplace_back(std::string(field.name_string()),
                                             std::string(field.value()));
                }
            });
        });
    });
    ioc.run();
    return out;
}

timestamp base_time() {
    static const timestamp base = std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::time_point_cast<std::chrono::minutes>(std::chrono::system_clock::now()) - 3h);
    return base;
}

sample make_sample(const std::string& host_id, int seconds, double cpu) {
    sample s;
    s.ts = base_time() + std::chrono::seconds(seconds);
    s.host_id = host_id;
    s.cpu.total = cpu;
    s.cpu.per_core = {cpu, cpu};
    s.mem = {4096, 8192, {}, {}, {}};
    s.disks = {{"/", 100, 1000}};
    s.net = {10, 20};
    s.uptime_sec = 100;
    s.proc_count = 42;
    return s;
}

std::string metrics_frame(const std::string& host_id, int first_second, int count,
                          std::optional<std::uint64_t> seq) {
    protocol::metrics_batch b;
    b.seq = seq;
    for (int i = 0; i < count; ++i) b.samples.push_back(make_sample(host_id, first_second + i));
    std::string out;
    protocol::write_metrics(out, b);
    return out;
}

}  // namespace windash::testing
