// windash-parse: reads agent frames, one JSON message per line (NDJSON), validates them with
// windash::protocol and prints what it found. `--generate` writes such a file from the
// deterministic benchmark workloads first. Exit status: 0 when every frame and sample was
// valid, 1 when something was rejected, 2 on a usage or I/O error.

#include "workload.hpp"
#include <windash/protocol.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <string>

namespace {

struct options {
    std::string input = "-";
    std::string generate;  // workload name
    std::size_t frames = 1000;
    std::string host_id;
    bool quiet = false;
};

const windash::workload::shape* find_shape(const std::string& name) {
    for (const auto* shape :
         {&windash::workload::small, &windash::workload::typical, &windash::workload::large})
        if (shape->name == name) return shape;
    return nullptr;
}

int generate(const options& opts) {
    const auto* shape = find_shape(opts.generate);
    std::ofstream out(opts.input, std::ios::binary);
    if (!out) return std::cerr << "windash-parse: cannot write " << opts.input << '\n', 2;
    for (std::size_t i = 0; i < opts.frames; ++i)
        out << windash::workload::make_frame(*shape, i + 1) << '\n';
    std::cout << fmt::format("wrote {} {} frames ({} samples each) to {}\n", opts.frames,
                             shape->name, shape->samples, opts.input);
    return 0;
}

struct totals {
    std::size_t frames = 0, bad_frames = 0, samples = 0, rejected = 0, bytes = 0;
};

void check_frame(windash::protocol::frame_parser& parser, const std::string& line,
                 std::size_t line_number, const options& opts, totals& t) {
    ++t.frames;
    t.bytes += line.size();
    auto result = parser.parse(line, opts.host_id);
    if (!result) {
        ++t.bad_frames;
        if (!opts.quiet)
            std::cout << fmt::format("line {}: {}\n", line_number, result.error().message);
        return;
    }
    if (*result != windash::protocol::message_type::metrics) return;
    const auto& batch = parser.batch();
    t.samples += batch.samples.size();
    t.rejected += batch.rejected.size();
    if (opts.quiet) return;
    for (const auto& r : batch.rejected)
        std::cout << fmt::format("line {}: {}\n", line_number, r.error);
}

int parse(const options& opts) {
    std::ifstream file;
    if (opts.input != "-") {
        file.open(opts.input, std::ios::binary);
        if (!file) return std::cerr << "windash-parse: cannot read " << opts.input << '\n', 2;
    }
    std::istream& in = opts.input == "-" ? std::cin : file;
    windash::protocol::frame_parser parser;
    totals t;
    std::string line;
    std::chrono::nanoseconds busy{0};
    for (std::size_t number = 1; std::getline(in, line); ++number) {
        if (line.empty()) continue;
        const auto start = std::chrono::steady_clock::now();
        check_frame(parser, line, number, opts, t);
        busy += std::chrono::steady_clock::now() - start;
    }
    const double seconds = std::chrono::duration<double>(busy).count();
    std::cout << fmt::format(
        "{} frames ({} refused), {} samples accepted, {} rejected, {:.1f} MB in {:.3f} s of "
        "parsing ({:.0f} MB/s, {:.0f} samples/s)\n",
        t.frames, t.bad_frames, t.samples, t.rejected, static_cast<double>(t.bytes) / 1e6, seconds,
        seconds > 0 ? static_cast<double>(t.bytes) / 1e6 / seconds : 0.0,
        seconds > 0 ? static_cast<double>(t.samples + t.rejected) / seconds : 0.0);
    return t.bad_frames == 0 && t.rejected == 0 && t.frames > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    options opts;
    CLI::App app{"Validate windash agent frames (one JSON message per line)"};
    app.add_option("file", opts.input, "NDJSON file to read, or - for standard input");
    app.add_option("--generate", opts.generate,
                   "write FILE first with generated frames: small, typical or large")
        ->check(CLI::IsMember({"small", "typical", "large"}));
    app.add_option("--frames", opts.frames, "frames to generate")->check(CLI::Range(1, 10'000'000));
    app.add_option("--host-id", opts.host_id, "require every sample's hostId to equal this");
    app.add_flag("-q,--quiet", opts.quiet, "print only the summary");
    CLI11_PARSE(app, argc, argv);
    try {
        if (!opts.generate.empty()) {
            if (opts.input == "-")
                return std::cerr << "windash-parse: --generate needs a FILE\n", 2;
            if (int rc = generate(opts); rc != 0) return rc;
        }
        return parse(opts);
    } catch (const std::exception& e) {
        std::cerr << "windash-parse: " << e.what() << '\n';
        return 2;
    }
}
