// Embedding the ingest server: your own io_context, your own storage. Here the storage is an
// in-memory sink that knows one token; it prints what arrives and, with --exit-after N, stops
// cleanly once N samples are stored. Usage: windash-embed [--port P] [--exit-after N]
#include <windash/ingest.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ingest = windash::ingest;
namespace store = windash::store;

// Durable enough for an example: a vector behind a mutex. commit() may be called from any I/O
// thread and must not block, so it stores at once and completes the batch right away.
class memory_sink final : public ingest::backend {
  public:
    explicit memory_sink(std::function<void(std::size_t)> on_stored)
        : on_stored_(std::move(on_stored)) {}

    boost::system::result<ingest::agent_identity> authenticate(std::string_view token,
                                                               std::string_view host_id) override {
        if (token != "example-token") return make_error_code(ingest::errc::invalid_token);
        return ingest::agent_identity{1, std::string(host_id)};
    }

    void commit(store::device_batch batch, commit_handler done) override {
        std::size_t total = 0;
        std::printf("storing %zu samples from device %lld (cpu %.1f%%)\n", batch.samples.size(),
                    static_cast<long long>(batch.device_id), batch.samples.back().cpu.total);
        std::fflush(stdout);
        {
            std::lock_guard lock(mutex_);
            for (auto& s : batch.samples) samples_.push_back(std::move(s));
            total = samples_.size();
        }
        done(store::batch_outcome{static_cast<std::uint32_t>(batch.samples.size()), 0});
        on_stored_(total);
    }

    bool ready() override { return true; }

  private:
    std::function<void(std::size_t)> on_stored_;
    std::mutex mutex_;
    std::vector<windash::sample> samples_;
};

int main(int argc, char** argv) {
    std::uint16_t port = 0;
    std::size_t exit_after = 0;  // 0: run until killed
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view flag = argv[i];
        if (flag == "--port") port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
        if (flag == "--exit-after") exit_after = std::strtoull(argv[i + 1], nullptr, 10);
    }

    boost::asio::io_context ioc;
    ingest::server_options opts;
    opts.http_port = opts.ws_port = port;  // one listener for everything
    ingest::server* running = nullptr;
    memory_sink sink([&](std::size_t total) {
        if (exit_after != 0 && total >= exit_after && running) {
            running->shutdown([&] { ioc.stop(); });
        }
    });
    ingest::server server(ioc, sink, opts);
    running = &server;
    if (auto started = server.start(); !started) {
        std::fprintf(stderr, "cannot listen: %s\n", started.error().message().c_str());
        return 1;
    }
    std::printf("windash-embed listening: http://127.0.0.1:%u ws://127.0.0.1:%u/agent\n",
                server.http_port(), server.ws_port());
    std::fflush(stdout);
    ioc.run();
    std::printf("stopped\n");
    return 0;
}
