#include <windash/protocol/frame_parser.hpp>
#include <windash/protocol/writer.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <limits>
#include <random>
#include <string>

using windash::protocol::frame_parser;

namespace {

windash::sample spec_example() {
    windash::sample s;
    s.ts = windash::parse_rfc3339("2025-11-03T17:22:53Z").value();
    s.host_id = "abc123";
    s.cpu.total = 45.2;
    s.cpu.per_core = {50, 40, 45, 50};
    s.mem = {8589934592, 17179869184, {}, {}, {}};
    s.disks = {{"C:\\", 107374182400, 268435456000}};
    s.net = {1048576, 2097152};
    s.uptime_sec = 3600;
    s.proc_count = 250;
    return s;
}

// Seed from WINDASH_TEST_SEED when set, printed so a failure can be replayed.
std::uint64_t test_seed() {
    const char* text = std::getenv("WINDASH_TEST_SEED");
    std::uint64_t seed = text ? std::strtoull(text, nullptr, 10) : std::random_device{}();
    MESSAGE("WINDASH_TEST_SEED=" << seed);
    return seed;
}

class sample_generator {
  public:
    explicit sample_generator(std::uint64_t seed) : rng_(seed) {}

    windash::sample next() {
        windash::sample s;
        s.ts = windash::timestamp{
            std::chrono::microseconds{pick<long long>(-62135596800000000LL, 253402300799999999LL)}};
        s.host_id = host_id();
        s.cpu.total = percent();
        s.cpu.per_core.resize(pick<std::size_t>(0, 70));
        for (auto& v : s.cpu.per_core) v = percent();
        if (coin()) {
            s.cpu.freq_mhz.resize(pick<std::size_t>(1, 70));
            for (auto& v : s.cpu.freq_mhz) v = real(0, 1e6);
        }
        s.mem.total = u64();
        s.mem.used = pick<std::uint64_t>(0, s.mem.total);
        if (coin()) s.mem.available = pick<std::uint64_t>(0, s.mem.total);
        if (coin()) s.mem.swap_total = u64();
        if (s.mem.swap_total && coin()) s.mem.swap_used = pick<std::uint64_t>(0, *s.mem.swap_total);
        s.disks.resize(pick<std::size_t>(0, 64));
        for (auto& d : s.disks) {
            d.name = text(1, 256);
            d.total = u64();
            d.used = pick<std::uint64_t>(0, d.total);
        }
        s.net = {u64(), u64()};
        s.uptime_sec = u64();
        s.proc_count = u64();
        if (coin()) s.load = windash::load_average{real(0, 1e6), real(0, 1e6), real(0, 1e6)};
        if (coin()) {
            s.temps.resize(pick<std::size_t>(1, 20));
            for (auto& t : s.temps) t = {text(1, 256), real(-273.15, 1000)};
        }
        return s;
    }

  private:
    template <typename T>
    T pick(T lo, T hi) {
        return std::uniform_int_distribution<T>(lo, hi)(rng_);
    }
    bool coin() { return pick(0, 1) == 1; }
    double real(double lo, double hi) {
        switch (pick(0, 3)) {  // round values, two decimals, and full-precision doubles
            case 0:
                return static_cast<double>(
                    pick<long long>(static_cast<long long>(lo), static_cast<long long>(hi)));
            case 1:
                return std::round(std::uniform_real_distribution<double>(lo, hi)(rng_) * 100) / 100;
            case 2:
                return lo;
            default:
                return std::uniform_real_distribution<double>(lo, hi)(rng_);
        }
    }
    double percent() { return std::clamp(real(0, 100), 0.0, 100.0); }
    std::uint64_t u64() {
        return coin() ? pick<std::uint64_t>(0, std::numeric_limits<std::uint64_t>::max())
                      : pick<std::uint64_t>(0, 1 << 20);
    }
    std::string host_id() {
        static constexpr char alphabet[] =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
        std::string id(pick<std::size_t>(1, 64), 'a');
        for (auto& c : id) c = alphabet[pick<std::size_t>(0, sizeof alphabet - 2)];
        return id;
    }
    // Any bytes that are valid UTF-8: ASCII including control characters, quotes and
    // backslashes, plus two- and three-byte sequences.
    std::string text(std::size_t min, std::size_t max) {
        std::string out;
        const std::size_t target = pick(min, max);
        while (out.size() < target) {
            const int kind = pick(0, 9);
            if (kind < 7)
                out += static_cast<char>(pick(0, 127));
            else if (kind < 9 && out.size() + 2 <= max)
                out += "\xc3\xa9";
            else if (out.size() + 3 <= max)
                out += "\xe2\x82\xac";
            else
                out += 'x';
        }
        return out;
    }

    std::mt19937_64 rng_;
};

}  // namespace

TEST_CASE("write_sample writes the exact SPEC §1 text") {
    std::string out;
    windash::protocol::write_sample(out, spec_example());
    CHECK(out == R"({"v":1,"ts":"2025-11-03T17:22:53Z","hostId":"abc123",)"
                 R"("cpu":{"total":45.2,"perCore":[50,40,45,50]},)"
                 R"("mem":{"used":8589934592,"total":17179869184},)"
                 R"("disk":[{"name":"C:\\","used":107374182400,"total":268435456000}],)"
                 R"("net":{"txBps":1048576,"rxBps":2097152},"uptimeSec":3600,"procCount":250})");
}

TEST_CASE("optional fields are written when present") {
    auto s = spec_example();
    s.cpu.freq_mhz = {3400.5, 2800};
    s.mem.available = 1;
    s.mem.swap_used = 2;
    s.mem.swap_total = 3;
    s.load = windash::load_average{0.5, 1.25, 0.1};
    s.temps = {{"Package id 0", 54}};
    std::string out;
    windash::protocol::write_sample(out, s);
    CHECK(out.find(R"("cpu":{"total":45.2,"perCore":[50,40,45,50],"freqMhz":[3400.5,2800]})") !=
          std::string::npos);
    CHECK(
        out.find(
            R"("mem":{"used":8589934592,"total":17179869184,"available":1,"swapUsed":2,"swapTotal":3})") !=
        std::string::npos);
    CHECK(out.ends_with(
        R"("procCount":250,"load":[0.5,1.25,0.1],"temps":[{"name":"Package id 0","c":54}]})"));
}

TEST_CASE("numbers use the shortest exact text") {
    auto s = spec_example();
    s.cpu.per_core = {0.1, 99.99, 1e-7, 33.333333333333336, 100, 0.05, 12.3};
    std::string out;
    windash::protocol::write_sample(out, s);
    CHECK(out.find(R"("perCore":[0.1,99.99,1e-07,33.333333333333336,100,0.05,12.3])") !=
          std::string::npos);
}

TEST_CASE("strings are escaped per RFC 8259") {
    std::string out;
    windash::protocol::write_json_string(out, "a\"b\\c\n\t\x01\xc3\xa9");
    CHECK(out == R"("a\"b\\c\n\t\u0001é")");
}

TEST_CASE("ack, error, hello and metrics messages") {
    std::string out;
    windash::protocol::write_ack(
        out, {42, 29, 0, {{3, "samples[3].cpu.total: must be a number in [0,100]"}}});
    CHECK(
        out ==
        R"({"type":"ack","seq":42,"accepted":29,"duplicates":0,"rejected":[{"index":3,"error":"samples[3].cpu.total: must be a number in [0,100]"}]})");
    out.clear();
    windash::protocol::write_ack(out, {{}, 1, 2, {}});
    CHECK(out == R"({"type":"ack","accepted":1,"duplicates":2,"rejected":[]})");
    out.clear();
    windash::protocol::write_error(out, {"bad_message", "type: is required"});
    CHECK(out == R"({"type":"error","code":"bad_message","message":"type: is required"})");
    out.clear();
    windash::protocol::write_hello(out, {"windash-agent/0.1.0", "Debian 12", "", 16});
    CHECK(out == R"({"type":"hello","agent":"windash-agent/0.1.0","os":"Debian 12","cores":16})");
    out.clear();
    windash::protocol::metrics_batch batch{7, {spec_example(), spec_example()}, {}};
    windash::protocol::write_metrics(out, batch);
    frame_parser parser;
    REQUIRE(parser.parse(out).has_value());
    CHECK(parser.batch() == batch);
}

TEST_CASE("property: random samples serialize, parse back and compare equal") {
    sample_generator generate(test_seed());
    frame_parser parser;
    std::string frame;
    for (int round = 0; round < 200; ++round) {
        windash::protocol::metrics_batch batch;
        if (round % 2) batch.seq = static_cast<std::uint64_t>(round);
        for (int i = 0; i < 25; ++i) batch.samples.push_back(generate.next());
        frame.clear();
        windash::protocol::write_metrics(frame, batch);
        auto result = parser.parse(frame);
        REQUIRE_MESSAGE(result.has_value(), result.error().message);
        CHECK(parser.batch().rejected.empty());
        REQUIRE(parser.batch() == batch);
    }
}

TEST_CASE("integers at every digit-count boundary") {
    std::uint64_t value = 1;
    std::vector<std::uint64_t> values = {0, std::numeric_limits<std::uint64_t>::max()};
    for (int digits = 1; digits <= 19; ++digits, value *= 10) {
        values.push_back(value - 1);
        values.push_back(value);
        values.push_back(value + 1);
    }
    for (auto v : values) {
        std::string out;
        windash::protocol::write_ack(out, {v, v, 0, {}});
        const std::string text = std::to_string(v);
        CHECK(out == R"({"type":"ack","seq":)" + text + R"(,"accepted":)" + text +
                         R"(,"duplicates":0,"rejected":[]})");
    }
}
