#include <windash/protocol/frame_parser.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>

using namespace std::string_literals;
using windash::protocol::condition;
using windash::protocol::errc;
using windash::protocol::frame_parser;
using windash::protocol::message_type;

namespace {

// SPEC §1's example sample, with every optional field added.
const std::string spec_sample =
    R"({"v":1,"ts":"2025-11-03T17:22:53Z","hostId":"abc123",)"
    R"("cpu":{"total":45.2,"perCore":[50,40,45,50],"freqMhz":[3400,3400,2800,3400]},)"
    R"("mem":{"used":8589934592,"total":17179869184,"available":8589934592,"swapUsed":0,"swapTotal":1024},)"
    R"("disk":[{"name":"C:\\","used":107374182400,"total":268435456000}],)"
    R"("net":{"txBps":1048576,"rxBps":2097152},"uptimeSec":3600,"procCount":250,)"
    R"("load":[0.5,0.25,0.125],"temps":[{"name":"cpu","c":54.5}]})";

std::string batch_of(const std::string& samples, std::string_view extra = "") {
    return R"({"type":"metrics",)" + std::string(extra) + R"("samples":[)" + samples + "]}";
}

// Replaces the first `from` in the SPEC sample with `to`.
std::string sample_with(std::string_view from, std::string_view to) {
    std::string s = spec_sample;
    auto at = s.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, "fixture lacks " << from);
    return s.replace(at, from.size(), to);
}

// The rejection message of a single-sample batch whose sample is `sample`.
std::string rejection_of(const std::string& sample, std::string_view host = {}) {
    frame_parser parser;
    auto result = parser.parse(batch_of(sample), host);
    if (!result) return "frame error: " + result.error().message;
    if (parser.batch().rejected.empty()) return "accepted";
    return parser.batch().rejected.front().error;
}

std::string frame_error_of(std::string_view frame) {
    frame_parser parser;
    auto result = parser.parse(frame);
    return result ? "accepted"s : result.error().message;
}

}  // namespace

TEST_CASE("the SPEC example sample is read into every field") {
    frame_parser parser;
    auto result = parser.parse(batch_of(spec_sample, R"("seq":42,)"));
    REQUIRE(result.has_value());
    CHECK(*result == message_type::metrics);
    const auto& batch = parser.batch();
    CHECK(batch.seq == 42u);
    REQUIRE(batch.samples.size() == 1);
    CHECK(batch.rejected.empty());
    const auto& s = batch.samples[0];
    CHECK(windash::to_rfc3339(s.ts) == "2025-11-03T17:22:53Z");
    CHECK(s.host_id == "abc123");
    CHECK(s.cpu.total == 45.2);
    CHECK(s.cpu.per_core == std::vector<double>{50, 40, 45, 50});
    CHECK(s.cpu.freq_mhz == std::vector<double>{3400, 3400, 2800, 3400});
    CHECK(s.mem.used == 8589934592u);
    CHECK(s.mem.total == 17179869184u);
    CHECK(s.mem.available == 8589934592u);
    CHECK(s.mem.swap_used == 0u);
    CHECK(s.mem.swap_total == 1024u);
    REQUIRE(s.disks.size() == 1);
    CHECK(s.disks[0] == windash::disk_usage{"C:\\", 107374182400u, 268435456000u});
    CHECK(s.net == windash::network_rates{1048576, 2097152});
    CHECK(s.uptime_sec == 3600u);
    CHECK(s.proc_count == 250u);
    CHECK(s.load == windash::load_average{0.5, 0.25, 0.125});
    REQUIRE(s.temps.size() == 1);
    CHECK(s.temps[0] == windash::temperature{"cpu", 54.5});
}

TEST_CASE("optional fields may be absent; unknown fields are ignored") {
    const std::string minimal =
        R"({"v":1,"ts":"2025-11-03T17:22:53.25Z","hostId":"h","cpu":{"total":0,"perCore":[]},)"
        R"("mem":{"used":0,"total":0},"disk":[],"net":{"txBps":0,"rxBps":0},"uptimeSec":0,)"
        R"("procCount":0,"future":{"nested":[1,2.5,"x",null,true,{"a":[]}]}})";
    frame_parser parser;
    REQUIRE(parser.parse(batch_of(minimal)).has_value());
    const auto& s = parser.batch().samples.at(0);
    CHECK_FALSE(s.load.has_value());
    CHECK(s.temps.empty());
    CHECK(s.cpu.freq_mhz.empty());
    CHECK_FALSE(s.mem.available.has_value());
    CHECK(s.ts.time_since_epoch().count() % 1000000 == 250000);
}

TEST_CASE("each rule of SPEC §1 rejects the sample with a message naming the field") {
    struct row {
        std::string_view from;
        std::string to;
        std::string_view expected;
    };
    const row rows[] = {
        {R"("v":1)", R"("v":2)", "samples[0].v: must be 1"},
        {R"("v":1,)", "", "samples[0].v: is required"},
        {R"("ts":"2025-11-03T17:22:53Z")", R"("ts":"2025-11-03 17:22:53")",
         "samples[0].ts: must be an RFC 3339 UTC time like 2025-11-03T17:22:53Z"},
        {R"("ts":"2025-11-03T17:22:53Z")", R"("ts":"2025-11-03T17:22:53+01:00")",
         "samples[0].ts: must be in UTC (end in Z)"},
        {R"("ts":"2025-11-03T17:22:53Z")", R"("ts":"2025-02-30T17:22:53Z")",
         "samples[0].ts: is not a valid calendar date and time"},
        {R"("ts":"2025-11-03T17:22:53Z")", R"("ts":1762190573)",
         "samples[0].ts: must be an RFC 3339 UTC time string"},
        {R"("hostId":"abc123")", R"("hostId":"")",
         "samples[0].hostId: must be 1 to 64 characters of [A-Za-z0-9._-]"},
        {R"("hostId":"abc123")", R"("hostId":"a b")",
         "samples[0].hostId: must be 1 to 64 characters of [A-Za-z0-9._-]"},
        {R"("hostId":"abc123")", R"("hostId":")" + std::string(65, 'x') + "\"",
         "samples[0].hostId: must be 1 to 64 characters of [A-Za-z0-9._-]"},
        {R"("hostId":"abc123",)", "", "samples[0].hostId: is required"},
        {R"("total":45.2)", R"("total":100.5)",
         "samples[0].cpu.total: must be a number in [0,100]"},
        {R"("total":45.2)", R"("total":-0.1)", "samples[0].cpu.total: must be a number in [0,100]"},
        {R"("total":45.2)", R"("total":"45")", "samples[0].cpu.total: must be a number in [0,100]"},
        {R"("total":45.2,)", "", "samples[0].cpu.total: is required"},
        {R"([50,40,45,50])", R"([50,40,101,50])",
         "samples[0].cpu.perCore[2]: must be an array of at most 1024 numbers in [0,100]"},
        {R"([50,40,45,50])", R"({})",
         "samples[0].cpu.perCore: must be an array of at most 1024 numbers in [0,100]"},
        {R"("perCore":[50,40,45,50],)", "", "samples[0].cpu.perCore: is required"},
        {R"([3400,3400,2800,3400])", R"([-1])",
         "samples[0].cpu.freqMhz[0]: must be an array of at most 1024 numbers in [0,1000000]"},
        {R"("cpu":{)", R"("cpu":[],"x":{)", "samples[0].cpu: must be an object"},
        {R"("used":8589934592)", R"("used":-1)",
         "samples[0].mem.used: must be an unsigned 64-bit integer"},
        {R"("used":8589934592)", R"("used":1.5)",
         "samples[0].mem.used: must be an unsigned 64-bit integer"},
        {R"("used":8589934592)", R"("used":"8589934592")",
         "samples[0].mem.used: must be an unsigned 64-bit integer"},
        {R"("used":8589934592)", R"("used":17179869185)",
         "samples[0].mem.used: must not exceed mem.total"},
        {R"("available":8589934592)", R"("available":17179869185)",
         "samples[0].mem.available: must not exceed mem.total"},
        {R"("swapUsed":0)", R"("swapUsed":1025)",
         "samples[0].mem.swapUsed: must not exceed mem.swapTotal"},
        {R"("total":17179869184,)", "", "samples[0].mem.total: is required"},
        {R"("used":107374182400)", R"("used":268435456001)",
         "samples[0].disk[0].used: must not exceed total"},
        {R"("name":"C:\\")", R"("name":"")",
         "samples[0].disk[0].name: must be a string of 1 to 256 bytes"},
        {R"("name":"C:\\")", R"("name":")" + std::string(257, 'd') + "\"",
         "samples[0].disk[0].name: must be a string of 1 to 256 bytes"},
        {R"("name":"C:\\",)", "", "samples[0].disk[0].name: is required"},
        {R"([{"name":"C:\\")", R"([7,{"name":"C:\\")", "samples[0].disk[0]: must be an object"},
        {R"("disk":[)", R"("disk":"none","other":[)",
         "samples[0].disk: must be an array of at most 64 disks"},
        {R"("txBps":1048576)", R"("txBps":1e3)",
         "samples[0].net.txBps: must be an unsigned 64-bit integer"},
        {R"("rxBps":2097152)", R"("other":2097152)", "samples[0].net.rxBps: is required"},
        {R"("uptimeSec":3600)", R"("uptimeSec":true)",
         "samples[0].uptimeSec: must be an unsigned 64-bit integer"},
        {R"("procCount":250,)", "", "samples[0].procCount: is required"},
        {R"([0.5,0.25,0.125])", R"([0.5,0.25])",
         "samples[0].load: must be an array of 3 numbers in [0,1000000]"},
        {R"([0.5,0.25,0.125])", R"([0.5,0.25,0.125,1])",
         "samples[0].load: must be an array of 3 numbers in [0,1000000]"},
        {R"([0.5,0.25,0.125])", R"([0.5,null,0.125])",
         "samples[0].load[1]: must be an array of 3 numbers in [0,1000000]"},
        {R"("c":54.5)", R"("c":-300)", "samples[0].temps[0].c: must be a number in [-273.15,1000]"},
        {R"("name":"cpu",)", "", "samples[0].temps[0].name: is required"},
        {R"("temps":[)", R"("temps":[3,)", "samples[0].temps[0]: must be an object"},
    };
    for (const auto& r : rows) {
        CAPTURE(r.to);
        CHECK(rejection_of(sample_with(r.from, r.to)) == r.expected);
    }
    CHECK(rejection_of(spec_sample, "other-host") ==
          "samples[0].hostId: must equal the connection's hostId");
    CHECK(rejection_of(spec_sample, "abc123") == "accepted");
    CHECK(rejection_of("[]") == "samples[0].sample: must be an object");
}

TEST_CASE("array limits of SPEC §1 accept the limit and reject limit + 1") {
    auto per_core = [](std::size_t n) {
        std::string values = "[";
        for (std::size_t i = 0; i < n; ++i) values += i ? ",1" : "1";
        return sample_with("[50,40,45,50]", values + "]");
    };
    CHECK(rejection_of(per_core(1024)) == "accepted");
    CHECK(rejection_of(per_core(1025)) ==
          "samples[0].cpu.perCore: must be an array of at most 1024 numbers in [0,100]");

    auto disks = [](std::size_t n) {
        std::string list;
        for (std::size_t i = 0; i < n; ++i)
            list +=
                (i ? "," : "") + R"({"name":"d)"s + std::to_string(i) + R"(","used":1,"total":2})";
        return sample_with(R"({"name":"C:\\","used":107374182400,"total":268435456000})", list);
    };
    CHECK(rejection_of(disks(64)) == "accepted");
    CHECK(rejection_of(disks(65)) == "samples[0].disk: must be an array of at most 64 disks");
}

TEST_CASE("an invalid sample rejects only itself") {
    const std::string bad = sample_with(R"("total":45.2)", R"("total":450)");
    frame_parser parser;
    auto result = parser.parse(batch_of(spec_sample + "," + bad + "," + spec_sample + "," + bad));
    REQUIRE(result.has_value());
    const auto& batch = parser.batch();
    CHECK(batch.samples.size() == 2);
    REQUIRE(batch.rejected.size() == 2);
    CHECK(batch.rejected[0].index == 1);
    CHECK(batch.rejected[1].index == 3);
    CHECK(batch.rejected[1].error == "samples[3].cpu.total: must be a number in [0,100]");
}

TEST_CASE("batch limits: 1 to 1000 samples") {
    auto samples = [](std::size_t n) {
        std::string list;
        for (std::size_t i = 0; i < n; ++i) list += (i ? "," : "") + spec_sample;
        return batch_of(list);
    };
    frame_parser parser;
    auto thousand = parser.parse(samples(1000));
    REQUIRE(thousand.has_value());
    CHECK(parser.batch().samples.size() == 1000);
    auto too_many = parser.parse(samples(1001));
    REQUIRE(too_many.has_error());
    CHECK(too_many.error().code == errc::out_of_range);
    CHECK(too_many.error().message == "samples: must be an array of 1 to 1000 samples");
    CHECK(frame_error_of(batch_of("")) == "samples: must be an array of 1 to 1000 samples");
    CHECK(frame_error_of(R"({"type":"metrics"})") == "samples: is required");
    CHECK(frame_error_of(R"({"type":"metrics","samples":{}})") ==
          "samples: must be an array of 1 to 1000 samples");
}

TEST_CASE("the samples rule names the configured max_samples") {
    auto samples = [](std::size_t n) {
        std::string list;
        for (std::size_t i = 0; i < n; ++i) list += (i ? "," : "") + spec_sample;
        return batch_of(list);
    };
    struct row {
        std::size_t max_samples;
        std::string frame;
        std::string expected;
    };
    const row table[] = {
        {3, samples(3), "accepted"},
        {3, samples(4), "samples: must be an array of 1 to 3 samples"},
        {3, samples(0), "samples: must be an array of 1 to 3 samples"},
        {3, R"({"type":"metrics","samples":{}})", "samples: must be an array of 1 to 3 samples"},
        {1, samples(2), "samples: must be an array of 1 to 1 samples"},
        {1500, samples(1500), "accepted"},
        {1500, samples(1501), "samples: must be an array of 1 to 1500 samples"},
    };
    for (const auto& r : table) {
        for (bool fast : {true, false}) {
            CAPTURE(r.max_samples);
            CAPTURE(r.frame.size());
            CAPTURE(fast);
            frame_parser parser({.max_samples = r.max_samples, .plain_fast_path = fast});
            auto result = parser.parse(r.frame);
            CHECK((result ? "accepted"s : result.error().message) == r.expected);
        }
    }
}

TEST_CASE("frame size limit: the limit is accepted, limit + 1 is refused") {
    frame_parser parser({.max_frame_bytes = 2000});
    std::string frame = batch_of(spec_sample);
    frame.insert(frame.size() - 1, 2000 - frame.size(), ' ');
    REQUIRE(frame.size() == 2000);
    CHECK(parser.parse(frame).has_value());
    frame.insert(frame.size() - 1, " ");
    auto refused = parser.parse(frame);
    REQUIRE(refused.has_error());
    CHECK(refused.error().code == errc::frame_too_large);
    CHECK(refused.error().message == "frame: must be at most 2000 bytes, got 2001");
}

TEST_CASE("frame-level rules give one clear error") {
    CHECK(frame_error_of(R"([1,2])") == "message: must be a JSON object");
    CHECK(frame_error_of(R"({"samples":[]})") == "samples: must be an array of 1 to 1000 samples");
    CHECK(frame_error_of(R"({"hello":1})") == "type: is required");
    CHECK(frame_error_of(R"({"type":"metric","samples":[]})") ==
          R"(type: must be "metrics" or "hello")");
    CHECK(frame_error_of(R"({"type":7})") == R"(type: must be "metrics" or "hello")");
    CHECK(frame_error_of(batch_of(spec_sample, R"("seq":-4,)")) ==
          "seq: must be an unsigned 64-bit integer");
}

TEST_CASE("syntax errors are found even where the fast pass does not look") {
    struct row {
        std::string frame;
    };
    const std::string good = batch_of(spec_sample);
    const std::string frames[] = {
        good + "}",                                   // stray trailing brace
        good + " {}",                                 // second document
        good.substr(0, good.size() - 1),              // truncated
        batch_of(spec_sample, R"("x":{"a":[1,}},)"),  // broken JSON in an unknown field
        batch_of(spec_sample, R"("x":[01],)"),        // invalid number in an unknown field
        batch_of(spec_sample, R"("x":"\q",)"),        // invalid escape in an unknown field
        batch_of(spec_sample, R"("x\q":1,)"),         // invalid escape in an unknown key
        batch_of(sample_with(R"("total":45.2)", R"("total":450,"y":[1,,2])")),  // after a reject
        batch_of(sample_with(R"("perCore":[50,40,45,50])", R"("perCore":[50,"x",45,50,])")),
        R"({"type":"metrics" "samples":[]})",                              // missing comma
        R"({"type":"metrics","samples":[)" + spec_sample + "," + R"(]})",  // trailing comma
        "{\"type\":\"hello\",\"os\":\"a\tb\"}",                            // raw control character
        "{\"type\":\"hello\",\"os\":\"\xff\"}",                            // invalid UTF-8
        "",
        "   ",
    };
    for (const auto& frame : frames) {
        CAPTURE(frame);
        frame_parser parser;
        auto result = parser.parse(frame);
        REQUIRE(result.has_error());
        CHECK(result.error().code == condition::syntax_error);
        CHECK(result.error().message.starts_with("invalid JSON: "));
    }
}

TEST_CASE("numbers beyond 64-bit range are refused as the strict parser refuses them") {
    // RFC 8259 §9 lets implementations limit number range; windash follows simdjson's limits
    // on both passes, so a frame is never read differently from the strict check.
    const std::string huge = sample_with(R"("used":8589934592)", R"("used":18446744073709551616)");
    frame_parser parser;
    auto result = parser.parse(batch_of(huge));
    REQUIRE(result.has_error());
    CHECK(result.error().code == condition::syntax_error);
}

TEST_CASE("escaped keys mean the same as plain ones") {
    frame_parser parser;
    auto result = parser.parse(R"({"\u0074ype":"hello","host\u006eame":"web-1","cores":16})");
    REQUIRE(result.has_value());
    CHECK(*result == message_type::hello);
    CHECK(parser.hello().hostname == "web-1");
}

TEST_CASE("hello messages") {
    frame_parser parser;
    auto result = parser.parse(
        R"({"type":"hello","agent":"windash-agent/0.1.0","os":"Debian 12","hostname":"web-1","cores":16})");
    REQUIRE(result.has_value());
    CHECK(*result == message_type::hello);
    CHECK(parser.hello() ==
          windash::protocol::hello{"windash-agent/0.1.0", "Debian 12", "web-1", 16});
    CHECK(frame_error_of(R"({"type":"hello","cores":"many"})") ==
          "cores: must be an unsigned 64-bit integer");
    CHECK(frame_error_of(R"({"type":"hello","os":")" + std::string(257, 'o') + "\"}") ==
          "os: must be a string of at most 256 bytes");
}

TEST_CASE("the parser is reusable and leaves nothing of the previous frame") {
    frame_parser parser;
    REQUIRE(parser.parse(batch_of(spec_sample + "," + spec_sample, R"("seq":1,)")).has_value());
    const std::string minimal =
        sample_with(R"(,"load":[0.5,0.25,0.125],"temps":[{"name":"cpu","c":54.5}])", "");
    REQUIRE(parser.parse(batch_of(minimal)).has_value());
    const auto& batch = parser.batch();
    CHECK_FALSE(batch.seq.has_value());
    REQUIRE(batch.samples.size() == 1);
    CHECK_FALSE(batch.samples[0].load.has_value());
    CHECK(batch.samples[0].temps.empty());
    REQUIRE(parser.parse(R"({"type":"hello","os":"x"})").has_value());
    REQUIRE(parser.parse(batch_of(minimal)).has_value());  // the plain fast path
    CHECK(parser.hello() == windash::protocol::hello{});
    CHECK(parser.parse("{").has_error());
    REQUIRE(parser.parse_padded(batch_of(spec_sample) + std::string(64, '\0')).has_error());
}

TEST_CASE("number arrays: plain decimals and every other JSON spelling read the same") {
    struct row {
        std::string_view text;
        std::vector<double> expected;
    };
    const row rows[] = {
        {"[50,40.5,0,0.05]", {50, 40.5, 0, 0.05}},
        {"[ 50 ,\n40.5\t,\r0 ]", {50, 40.5, 0}},
        {"[]", {}},
        {"[ ]", {}},
        {"[5e1,4.05E1,0e0]", {50, 40.5, 0}},
        {"[-0,100.0000000000000]", {-0.0, 100}},
        {"[12.345678901234567]", {12.345678901234567}},
        {"[99.999999999999999]", {99.999999999999999}},
        {"[0.1,0.2,0.30000000000000004]", {0.1, 0.2, 0.30000000000000004}},
    };
    for (const auto& r : rows) {
        CAPTURE(r.text);
        frame_parser parser;
        auto result = parser.parse(batch_of(sample_with("[50,40,45,50]", r.text)));
        REQUIRE(result.has_value());
        REQUIRE(parser.batch().samples.size() == 1);
        CHECK(parser.batch().samples[0].cpu.per_core == r.expected);
    }
    for (std::string_view bad : {"[01]", "[1.]", "[.5]", "[1,]", "[,1]", "[1 2]", "[1,,2]", "[+1]",
                                 "[1.5.5]", "[0x10]", "[1e]", "[1]]"}) {
        CAPTURE(bad);
        frame_parser parser;
        auto result = parser.parse(batch_of(sample_with("[50,40,45,50]", bad)));
        REQUIRE(result.has_error());
        CHECK(result.error().code == condition::syntax_error);
    }
}
