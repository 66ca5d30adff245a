// windash-collect: prints one Sample v1 (SPEC §1) of this machine as JSON, or one per line
// every --interval seconds.
//
//   windash-collect                      one sample
//   windash-collect -i 2                 one every 2 s until interrupted
//   windash-collect -i 2 -n 10           ten samples, 2 s apart

#include <windash/collector.hpp>
#include <windash/protocol/writer.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <thread>

namespace {

struct settings {
    std::string host_id = windash::collector::default_host_id();
    double interval_sec = 0;  // 0: one sample and exit
    unsigned long count = 0;  // with an interval: 0 means forever
};

// Prints one sample (or the error) and says whether it worked.
bool print_one(windash::collector::collector& c, std::string& line) {
    auto s = c.collect();
    if (!s) {
        std::fprintf(stderr, "windash-collect: %s\n", s.error().message().c_str());
        return false;
    }
    line.clear();
    windash::protocol::write_sample(line, *s);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
    return true;
}

int run(const settings& cfg) {
    windash::collector::options opts;
    opts.host_id = cfg.host_id;
    windash::collector::collector c(std::move(opts));
    std::string line;
    if (cfg.interval_sec <= 0) return print_one(c, line) ? 0 : 1;
    auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(cfg.interval_sec));
    auto next = std::chrono::steady_clock::now();
    for (unsigned long i = 0; cfg.count == 0 || i < cfg.count; ++i) {
        if (i > 0) std::this_thread::sleep_until(next);
        print_one(c, line);  // a failed sample is reported and the next one tried
        next += period;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) try {
    settings cfg;
    CLI::App app{"Prints Sample v1 JSON (SPEC 1) of this machine"};
    app.add_option("--host-id", cfg.host_id, "hostId of the samples (default: this host's name)");
    app.add_option("-i,--interval", cfg.interval_sec, "seconds between samples; 0 prints one")
        ->check(CLI::NonNegativeNumber);
    app.add_option("-n,--count", cfg.count, "samples to print with --interval; 0 = forever");
    CLI11_PARSE(app, argc, argv);
    return run(cfg);
} catch (const std::exception& e) {
    std::fprintf(stderr, "windash-collect: %s\n", e.what());
    return 2;
}
