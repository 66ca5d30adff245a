// parse_bench: windash's frame parser and writer side by side with Boost.JSON, nlohmann::json
// and two limits (simdjson DOM validation, memcpy) on the same deterministic frames.
// Benchmarks are named <variant>/<workload>; see bench/README.md for the command and table.

#include "adapters.hpp"
#include "workload.hpp"
#include <windash/protocol/frame_parser.hpp>
#include <windash/protocol/writer.hpp>

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

using windash::protocol::frame_parser;
using windash::protocol::metrics_batch;
namespace bench = windash::bench;
namespace workload = windash::workload;

// A frame with frame_parser::padding readable bytes after it, as a network buffer has.
struct padded_frame {
    std::string storage;
    std::string_view view() const {
        return {storage.data(), storage.size() - frame_parser::padding};
    }
};

padded_frame make_padded(const workload::shape& shape) {
    padded_frame frame{workload::make_frame(shape)};
    frame.storage.append(frame_parser::padding, '\0');
    return frame;
}

void report(benchmark::State& state, std::size_t bytes, std::size_t samples, double sum) {
    benchmark::DoNotOptimize(sum);
    const auto iterations = static_cast<std::int64_t>(state.iterations());
    state.SetBytesProcessed(iterations * static_cast<std::int64_t>(bytes));
    state.SetItemsProcessed(iterations * static_cast<std::int64_t>(samples));
}

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "parse_bench: %s\n", what.c_str());
    std::exit(1);
}

// Each variant is run once and compared with windash's result before anything is timed.
void verify(const workload::shape& shape) {
    const auto frame = make_padded(shape);
    const metrics_batch expected = workload::make_batch(shape);
    frame_parser parser;
    auto parsed = parser.parse_padded(frame.view());
    if (!parsed || parser.batch() != expected) die("windash does not read back its workload");
    for (auto& [name, baseline] : {std::pair{"boost_json", bench::make_boost_json_parser()},
                                   std::pair{"nlohmann", bench::make_nlohmann_parser()}}) {
        metrics_batch out;
        if (!baseline->parse(frame.view(), out) || out != expected)
            die(std::string(name) + " extracts a different batch");
    }
    simdjson::dom::parser dom;
    if (dom.parse(frame.storage.data(), frame.view().size(), false).error())
        die("simdjson DOM refuses the workload");
    for (auto& [name, writer] : {std::pair{"boost_json", bench::make_boost_json_writer(expected)},
                                 std::pair{"nlohmann", bench::make_nlohmann_writer(expected)}}) {
        std::string text;
        writer->write(text);
        auto reread = parser.parse(text);
        if (!reread || parser.batch() != expected) die(std::string(name) + " writes another batch");
    }
    std::string text;
    windash::protocol::write_metrics(text, expected);
    if (text != frame.view()) die("windash's writer is not deterministic");
}

void parse_windash(benchmark::State& state, workload::shape shape) {
    const auto frame = make_padded(shape);
    frame_parser parser;
    double sum = 0;
    for (auto _ : state) {
        auto result = parser.parse_padded(frame.view());
        if (!result) state.SkipWithError(result.error().message.c_str());
        sum += bench::checksum(parser.batch());
    }
    report(state, frame.view().size(), shape.samples, sum);
}

void parse_baseline(benchmark::State& state, workload::shape shape,
                    std::unique_ptr<bench::baseline_parser> (*make)()) {
    const auto frame = make_padded(shape);
    auto parser = make();
    metrics_batch batch;
    double sum = 0;
    for (auto _ : state) {
        if (!parser->parse(frame.view(), batch)) state.SkipWithError("refused");
        sum += bench::checksum(batch);
    }
    report(state, frame.view().size(), shape.samples, sum);
}

void simdjson_dom_validate(benchmark::State& state, workload::shape shape) {
    const auto frame = make_padded(shape);
    simdjson::dom::parser parser;
    double sum = 0;
    for (auto _ : state) {
        simdjson::dom::element root;
        if (parser.parse(frame.storage.data(), frame.view().size(), false).get(root))
            state.SkipWithError("refused");
        simdjson::dom::array samples;
        if (root["samples"].get(samples)) state.SkipWithError("no samples");
        sum += static_cast<double>(samples.size());
    }
    report(state, frame.view().size(), shape.samples, sum);
}

void copy_bytes(benchmark::State& state, workload::shape shape) {
    const auto frame = make_padded(shape);
    std::string target(frame.storage.size(), '\0');
    double sum = 0;
    for (auto _ : state) {
        std::memcpy(target.data(), frame.storage.data(), frame.view().size());
        benchmark::ClobberMemory();
        sum += static_cast<unsigned char>(target[target.size() / 2]);
    }
    report(state, frame.view().size(), shape.samples, sum);
}

void write_windash(benchmark::State& state, workload::shape shape) {
    const metrics_batch batch = workload::make_batch(shape);
    std::string out;
    double sum = 0;
    for (auto _ : state) {
        out.clear();
        windash::protocol::write_metrics(out, batch);
        sum += static_cast<double>(out.size());
    }
    report(state, out.size(), shape.samples, sum);
}

void write_baseline(benchmark::State& state, workload::shape shape,
                    std::unique_ptr<bench::baseline_writer> (*make)(const metrics_batch&)) {
    auto writer = make(workload::make_batch(shape));
    std::string out;
    double sum = 0;
    for (auto _ : state) {
        writer->write(out);
        sum += static_cast<double>(out.size());
    }
    report(state, out.size(), shape.samples, sum);
}

void register_all() {
    for (const auto* shape : {&workload::small, &workload::typical, &workload::large}) {
        verify(*shape);
        auto name = [&](const char* variant) {
            return std::string(variant) + "/" + std::string(shape->name);
        };
        benchmark::RegisterBenchmark(name("windash").c_str(), parse_windash, *shape);
        benchmark::RegisterBenchmark(name("boost_json").c_str(), parse_baseline, *shape,
                                     bench::make_boost_json_parser);
        benchmark::RegisterBenchmark(name("nlohmann").c_str(), parse_baseline, *shape,
                                     bench::make_nlohmann_parser);
        benchmark::RegisterBenchmark(name("simdjson_dom_validate").c_str(), simdjson_dom_validate,
                                     *shape);
        benchmark::RegisterBenchmark(name("memcpy").c_str(), copy_bytes, *shape);
        benchmark::RegisterBenchmark(name("write_windash").c_str(), write_windash, *shape);
        benchmark::RegisterBenchmark(name("write_boost_json").c_str(), write_baseline, *shape,
                                     bench::make_boost_json_writer);
        benchmark::RegisterBenchmark(name("write_nlohmann").c_str(), write_baseline, *shape,
                                     bench::make_nlohmann_writer);
    }
}

}  // namespace

double windash::bench::checksum(const metrics_batch& batch) {
    double sum = static_cast<double>(batch.seq.value_or(0));
    for (const auto& s : batch.samples) {
        sum += static_cast<double>(s.ts.time_since_epoch().count() % 1000003) + s.cpu.total +
               static_cast<double>(s.host_id.size() + s.mem.used % 977 +
                                   s.mem.available.value_or(0) % 13 + s.net.tx_bps % 31 +
                                   s.net.rx_bps % 37 + s.uptime_sec + s.proc_count);
        for (double v : s.cpu.per_core) sum += v;
        for (double v : s.cpu.freq_mhz) sum += v;
        for (const auto& d : s.disks)
            sum += static_cast<double>(d.name.size() + d.used % 101 + d.total % 103);
        if (s.load) sum += s.load->one + s.load->five + s.load->fifteen;
        for (const auto& t : s.temps) sum += t.celsius + static_cast<double>(t.name.size());
    }
    return sum;
}

int main(int argc, char** argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
