// ingest_load: many WebSocket agents against a running windash-server, speaking the real
// protocol (SPEC §2) with real tokens, on one thread so the server keeps the other core.
// Each agent keeps up to --window batches unacknowledged; with --interval-ms it sends one
// batch per interval (a steady fleet), otherwise as fast as acks allow (throughput).
// Prints samples acknowledged per second and ack latency percentiles over the measured period.
#include "workload.hpp"
#include <windash/protocol/writer.hpp>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using clock_type = std::chrono::steady_clock;

struct settings {
    std::string address = "127.0.0.1";
    std::uint16_t port = 3001;
    std::string tokens_file;  // "hostId token" per line (windash-server device add --count)
    std::size_t agents = 50;
    std::size_t batch = 30;
    std::size_t window = 4;
    unsigned interval_ms = 0;
    double warmup_s = 2;
    double duration_s = 10;
    std::size_t connect_concurrency = 200;
    bool timeline = false;
};

struct credentials {
    std::string host_id;
    std::string token;
};

// Everything runs on one thread: plain counters.
struct results {
    std::size_t connected = 0;
    std::size_t failed = 0;
    bool measuring = false;
    std::uint64_t samples_acked = 0;
    std::uint64_t batches_acked = 0;
    std::uint64_t rejected = 0;
    std::vector<std::uint32_t> latency_us;
    clock_type::time_point measure_started{};
    // With --timeline: the acks' latencies per second of the measured period.
    std::vector<std::vector<std::uint32_t>> latency_us_by_second;
};

class fleet;

class agent : public std::enable_shared_from_this<agent> {
  public:
    agent(net::io_context& ioc, const settings& s, credentials who, fleet& f);
    void start(const net::ip::tcp::endpoint& to);
    void stop() { stopping_ = true; }

  private:
    void on_connect(beast::error_code ec);
    void on_handshake(beast::error_code ec);
    void pump();
    void on_tick(beast::error_code ec);
    void send_batch();
    void on_write(beast::error_code ec, std::size_t);
    void do_read();
    void on_read(beast::error_code ec, std::size_t);
    void fail(beast::error_code ec, const char* what);

    const settings& s_;
    credentials who_;
    fleet& fleet_;
    websocket::stream<beast::tcp_stream, false> ws_;  // no permessage-deflate (never negotiated)
    beast::flat_buffer buffer_;
    net::steady_timer tick_;
    windash::protocol::metrics_batch batch_;
    std::string frame_;
    std::deque<clock_type::time_point> inflight_;  // send times, in seq order
    std::uint64_t next_seq_ = 1;
    bool writing_ = false;
    bool stopping_ = false;
    bool connected_ = false;
};

class fleet {
  public:
    fleet(net::io_context& ioc, settings s, std::vector<credentials> creds)
        : ioc_(ioc), s_(std::move(s)), creds_(std::move(creds)) {}

    void run() {
        endpoint_ = {net::ip::make_address(s_.address), s_.port};
        for (std::size_t i = 0; i < std::min(s_.connect_concurrency, creds_.size()); ++i) {
            start_next();
        }
    }
    void handshake_done(bool ok) {
        ok ? ++results_.connected : ++results_.failed;
        start_next();
    }
    void stop_all() {
        for (auto& a : agents_) a->stop();
    }
    results& stats() { return results_; }
    const settings& options() const { return s_; }
    bool all_started() const { return next_ == creds_.size(); }

  private:
    void start_next() {
        if (next_ == creds_.size()) return;
        auto a = std::make_shared<agent>(ioc_, s_, creds_[next_++], *this);
        agents_.push_back(a);
        a->start(endpoint_);
    }

    net::io_context& ioc_;
    settings s_;
    std::vector<credentials> creds_;
    std::vector<std::shared_ptr<agent>> agents_;
    std::size_t next_ = 0;
    net::ip::tcp::endpoint endpoint_;
    results results_;
};

agent::agent(net::io_context& ioc, const settings& s, credentials who, fleet& f)
    : s_(s), who_(std::move(who)), fleet_(f), ws_(ioc), tick_(ioc) {
    // The typical workload's samples (16 cores, 3 disks), re-stamped for each batch.
    windash::workload::shape shape = windash::workload::typical;
    shape.samples = s_.batch;
    batch_ = windash::workload::make_batch(shape, std::hash<std::string>{}(who_.host_id));
    for (auto& sample : batch_.samples) sample.host_id = who_.host_id;
}

void agent::start(const net::ip::tcp::endpoint& to) {
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(ws_).async_connect(
        to, beast::bind_front_handler(&agent::on_connect, shared_from_this()));
}

void agent::on_connect(beast::error_code ec) {
    if (ec) return fail(ec, "connect");
    beast::get_lowest_layer(ws_).expires_never();
    beast::get_lowest_layer(ws_).socket().set_option(net::ip::tcp::no_delay(true), ec);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    // Each batch as one WebSocket frame, masked in 64 KiB steps, as windash-agent sends it
    // (Beast's defaults split a 22 KB batch into six 4 KiB frames, each read separately).
    ws_.auto_fragment(false);
    ws_.write_buffer_bytes(64 * 1024);
    ws_.set_option(websocket::stream_base::decorator([token = who_.token](auto& req) {
        req.set(beast::http::field::authorization, "Bearer " + token);
    }));
    ws_.async_handshake(s_.address, "/agent?hostId=" + who_.host_id,
                        beast::bind_front_handler(&agent::on_handshake, shared_from_this()));
}

void agent::on_handshake(beast::error_code ec) {
    if (ec) return fail(ec, "handshake");
    connected_ = true;
    fleet_.handshake_done(true);
    do_read();
    if (s_.interval_ms == 0) return pump();
    // A steady fleet: each agent at its own phase of the interval.
    std::uniform_int_distribution<unsigned> phase(0, s_.interval_ms);
    std::mt19937 rng(static_cast<unsigned>(std::hash<std::string>{}(who_.host_id)));
    tick_.expires_after(std::chrono::milliseconds(phase(rng)));
    tick_.async_wait(beast::bind_front_handler(&agent::on_tick, shared_from_this()));
}

void agent::pump() {
    if (!stopping_ && !writing_ && inflight_.size() < s_.window) send_batch();
}

void agent::on_tick(beast::error_code ec) {
    if (ec || stopping_) return;
    if (!writing_ && inflight_.size() < s_.window) send_batch();
    tick_.expires_at(tick_.expiry() + std::chrono::milliseconds(s_.interval_ms));
    tick_.async_wait(beast::bind_front_handler(&agent::on_tick, shared_from_this()));
}

// Each batch covers new seconds, so every sample is new to the server (no duplicates).
void agent::send_batch() {
    auto base = std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now() - std::chrono::hours(24 * 10));
    batch_.seq = next_seq_;
    for (std::size_t i = 0; i < batch_.samples.size(); ++i) {
        batch_.samples[i].ts =
            base + std::chrono::seconds((next_seq_ - 1) * batch_.samples.size() + i);
    }
    ++next_seq_;
    frame_.clear();
    windash::protocol::write_metrics(frame_, batch_);
    inflight_.push_back(clock_type::now());
    writing_ = true;
    ws_.async_write(net::buffer(frame_),
                    beast::bind_front_handler(&agent::on_write, shared_from_this()));
}

void agent::on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return fail(ec, "write");
    if (s_.interval_ms == 0) pump();
}

void agent::do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&agent::on_read, shared_from_this()));
}

std::uint64_t field(std::string_view text, std::string_view name) {
    auto at = text.find(name);
    if (at == std::string_view::npos) return 0;
    std::uint64_t v = 0;
    auto start = text.data() + at + name.size();
    std::from_chars(start, text.data() + text.size(), v);
    return v;
}

void agent::on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail(ec, "read");
    auto data = buffer_.cdata();
    std::string_view text(static_cast<const char*>(data.data()), data.size());
    auto& r = fleet_.stats();
    if (text.find("\"type\":\"ack\"") != std::string_view::npos && !inflight_.empty()) {
        auto latency = clock_type::now() - inflight_.front();
        inflight_.pop_front();
        if (r.measuring) {
            r.samples_acked += field(text, "\"accepted\":") + field(text, "\"duplicates\":");
            ++r.batches_acked;
            r.rejected += text.find("\"index\"") != std::string_view::npos;
            const auto us = static_cast<std::uint32_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(latency).count());
            r.latency_us.push_back(us);
            if (s_.timeline) {
                const auto second =
                    static_cast<std::size_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                 clock_type::now() - r.measure_started)
                                                 .count());
                if (r.latency_us_by_second.size() <= second)
                    r.latency_us_by_second.resize(second + 1);
                r.latency_us_by_second[second].push_back(us);
            }
        }
    }
    buffer_.consume(buffer_.size());
    do_read();
    if (s_.interval_ms == 0) pump();
}

void agent::fail(beast::error_code ec, const char* what) {
    if (stopping_) return;
    if (!connected_) {
        std::fprintf(stderr, "%s %s: %s\n", who_.host_id.c_str(), what, ec.message().c_str());
        fleet_.handshake_done(false);
        return;
    }
    std::fprintf(stderr, "%s %s: %s\n", who_.host_id.c_str(), what, ec.message().c_str());
    ++fleet_.stats().failed;
    stopping_ = true;
}

std::vector<credentials> read_credentials(const std::string& path, std::size_t want) {
    std::ifstream in(path);
    std::vector<credentials> out;
    credentials c;
    while (out.size() < want && in >> c.host_id >> c.token) out.push_back(c);
    return out;
}

double percentile(std::vector<std::uint32_t>& v, double p) {
    if (v.empty()) return 0;
    auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k] / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    CLI::App app{"ingest_load: WebSocket agents against a running windash-server"};
    app.add_option("--address", s.address)->capture_default_str();
    app.add_option("--port", s.port, "Agent WebSocket port")->required();
    app.add_option("--tokens", s.tokens_file, "File of 'hostId token' lines")->required();
    app.add_option("--agents", s.agents)->capture_default_str();
    app.add_option("--batch", s.batch, "Samples per batch")->capture_default_str();
    app.add_option("--window", s.window, "Unacknowledged batches per agent")->capture_default_str();
    app.add_option("--interval-ms", s.interval_ms,
                   "One batch per interval (0: as fast as acks allow)")
        ->capture_default_str();
    app.add_option("--warmup", s.warmup_s, "Seconds after all connected, not measured")
        ->capture_default_str();
    app.add_option("--duration", s.duration_s, "Seconds measured")->capture_default_str();
    app.add_flag("--timeline", s.timeline,
                 "Also print each measured second's acks and their p50/p99/max latency "
                 "(when do slow acks happen)");
    CLI11_PARSE(app, argc, argv);

    auto creds = read_credentials(s.tokens_file, s.agents);
    if (creds.size() < s.agents) {
        std::fprintf(stderr, "need %zu credentials, %s has %zu\n", s.agents, s.tokens_file.c_str(),
                     creds.size());
        return 2;
    }
    net::io_context ioc(1);
    fleet f(ioc, s, std::move(creds));
    f.run();
    auto connect_started = clock_type::now();
    // Connect everyone (bounded), then warm up, then measure.
    while (f.stats().connected + f.stats().failed < s.agents &&
           clock_type::now() - connect_started < std::chrono::seconds(120)) {
        ioc.run_for(std::chrono::milliseconds(50));
    }
    auto connect_s = std::chrono::duration<double>(clock_type::now() - connect_started).count();
    auto ms = [](double seconds) {
        return std::chrono::milliseconds(std::llround(seconds * 1000));
    };
    ioc.run_for(ms(s.warmup_s));
    f.stats().measuring = true;
    auto measure_started = clock_type::now();
    f.stats().measure_started = measure_started;
    ioc.run_for(ms(s.duration_s));
    auto measured_s = std::chrono::duration<double>(clock_type::now() - measure_started).count();
    f.stats().measuring = false;
    f.stop_all();

    auto& r = f.stats();
    for (std::size_t second = 0; second < r.latency_us_by_second.size(); ++second) {
        auto& v = r.latency_us_by_second[second];
        std::printf("SECOND %zu acks=%zu ack_ms_p50=%.2f ack_ms_p99=%.2f ack_ms_max=%.2f\n", second,
                    v.size(), percentile(v, 0.5), percentile(v, 0.99),
                    v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()) / 1000.0);
    }
    std::printf(
        "RESULT agents=%zu connected=%zu failed=%zu connect_s=%.1f measured_s=%.1f "
        "samples_per_s=%.0f batches_per_s=%.0f batches_with_rejects=%llu "
        "ack_ms_p50=%.2f ack_ms_p99=%.2f ack_ms_max=%.2f\n",
        s.agents, r.connected, r.failed, connect_s, measured_s,
        static_cast<double>(r.samples_acked) / measured_s,
        static_cast<double>(r.batches_acked) / measured_s,
        static_cast<unsigned long long>(r.rejected), percentile(r.latency_us, 0.5),
        percentile(r.latency_us, 0.99),
        r.latency_us.empty()
            ? 0.0
            : *std::max_element(r.latency_us.begin(), r.latency_us.end()) / 1000.0);
    return r.failed == 0 && r.connected == s.agents ? 0 : 1;
}
