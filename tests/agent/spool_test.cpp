// The agent's spool on real files: what is appended is read back in order until acknowledged,
// survives reopening (and a torn last line), and the size and age caps drop the oldest.
#include <windash/agent/spool.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

using namespace windash::agent;
namespace fs = std::filesystem;

namespace {

// A fresh folder, removed with everything in it at the end of the test.
struct scratch_folder {
    scratch_folder() {
        static int next = 0;
        path = fs::temp_directory_path() /
               ("windash-spool-" + std::to_string(::getpid()) + "-" + std::to_string(++next));
        fs::remove_all(path);
    }
    ~scratch_folder() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path path;
};

std::string sample_json(int i) { return R"({"v":1,"n":)" + std::to_string(i) + "}"; }

// Appends samples [from, to).
void append_range(spool& s, int from, int to) {
    for (int i = from; i < to; ++i) REQUIRE(s.append(sample_json(i)).has_value());
}

// Everything pending, read in reads of `batch`, as the comma-joined text.
std::string read_all(spool& s, std::size_t batch) {
    std::string all;
    std::uint64_t from = s.begin();
    for (int rounds = 0; rounds < 10000; ++rounds) {
        std::string out;
        auto r = s.read(from, batch, 1 << 20, out);
        REQUIRE(r.has_value());
        if (r->samples == 0) break;
        CHECK(r->samples <= batch);
        if (!all.empty()) all += ',';
        all += out;
        from = r->next;
    }
    return all;
}

std::string joined(int from, int to) {
    std::string out;
    for (int i = from; i < to; ++i) {
        if (i > from) out += ',';
        out += sample_json(i);
    }
    return out;
}

std::vector<fs::path> segments(const fs::path& folder) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(folder)) {
        if (e.path().extension() == ".spool") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("appended samples are read back in order, across segments, until acknowledged") {
    scratch_folder dir;
    spool_limits limits;
    limits.samples_per_segment = 3;
    auto s = spool::open(dir.path, limits);
    REQUIRE(s.has_value());
    CHECK(s->begin() == 0);
    CHECK(s->end() == 0);
    append_range(*s, 0, 10);
    CHECK(s->end() == 10);
    CHECK(s->stats().pending == 10);
    CHECK(segments(dir.path).size() == 4);  // 3 + 3 + 3 + 1

    for (std::size_t batch : {1u, 2u, 4u, 1000u}) {
        CAPTURE(batch);
        CHECK(read_all(*s, batch) == joined(0, 10));
    }
    // A read in the middle of a segment, without the hint of a previous read.
    std::string out;
    auto r = s->read(4, 3, 1 << 20, out);
    REQUIRE(r.has_value());
    CHECK(r->samples == 3);
    CHECK(r->next == 7);
    CHECK(out == joined(4, 7));

    REQUIRE(s->acknowledge(7).has_value());
    CHECK(s->begin() == 7);
    CHECK(s->stats().pending == 3);
    CHECK(segments(dir.path).size() == 2);  // segments 0 and 3 were only acknowledged samples
    CHECK(read_all(*s, 1000) == joined(7, 10));
    out.clear();
    r = s->read(2, 1000, 1 << 20, out);  // before begin(): from begin()
    REQUIRE(r.has_value());
    CHECK(out == joined(7, 10));

    REQUIRE(s->acknowledge(10).has_value());
    CHECK(s->stats().pending == 0);
    // The segment being appended to stays (no new file per sample), the older ones go.
    CHECK(segments(dir.path) == std::vector<fs::path>{dir.path / "00000000000000000009.spool"});
    append_range(*s, 10, 13);  // 10 and 11 fill segment 9; 12 starts one
    CHECK(segments(dir.path).size() == 2);
    REQUIRE(s->acknowledge(13).has_value());
    CHECK(segments(dir.path) == std::vector<fs::path>{dir.path / "00000000000000000012.spool"});
    out.clear();
    r = s->read(s->begin(), 1000, 1 << 20, out);
    REQUIRE(r.has_value());
    CHECK(r->samples == 0);
    CHECK(s->acknowledge(50).has_value());  // past end(): up to end()
    CHECK(s->begin() == 13);
}

TEST_CASE("the newest samples are read from memory, older ones from the files, alike") {
    scratch_folder dir;
    spool_limits limits;
    limits.samples_per_segment = 16;
    auto s = spool::open(dir.path, limits);
    REQUIRE(s.has_value());
    // 200 samples of about 1 KiB: more than the spool keeps in memory (64 KiB).
    const std::string padding(1000, 'x');
    std::vector<std::string> lines;
    std::string all;
    for (int i = 0; i < 200; ++i) {
        lines.push_back(R"({"v":1,"n":)" + std::to_string(i) + R"(,"pad":")" + padding + "\"}");
        REQUIRE(s->append(lines.back()).has_value());
        all += (i ? "," : "") + lines.back();
    }
    for (std::size_t batch : {1u, 7u, 1000u}) {
        CAPTURE(batch);
        CHECK(read_all(*s, batch) == all);
    }
    // Reads that start in memory and stop at either limit.
    std::string out;
    auto r = s->read(195, 3, 1 << 20, out);
    REQUIRE(r.has_value());
    CHECK(r->samples == 3);
    CHECK(r->next == 198);
    CHECK(out == lines[195] + "," + lines[196] + "," + lines[197]);
    out.clear();
    r = s->read(195, 1000, 1, out);
    REQUIRE(r.has_value());
    CHECK(r->samples == 1);
    CHECK(out == lines[195]);
    out.clear();
    r = s->read(200, 1000, 1 << 20, out);
    REQUIRE(r.has_value());
    CHECK(r->samples == 0);
    CHECK(r->next == 200);
    // After an acknowledgement, from memory and files alike.
    REQUIRE(s->acknowledge(190).has_value());
    out.clear();
    r = s->read(0, 1000, 1 << 20, out);
    REQUIRE(r.has_value());
    CHECK(r->samples == 10);
    CHECK(out.starts_with(lines[190] + ","));
}

TEST_CASE("an append goes to the disk when older samples wait for their ack") {
    scratch_folder dir;
    auto s = spool::open(dir.path);
    REQUIRE(s.has_value());
    // The server keeps up: each sample is acknowledged before the next; none is flushed.
    for (int i = 0; i < 3; ++i) {
        append_range(*s, i, i + 1);
        REQUIRE(s->acknowledge(s->end()).has_value());
    }
    CHECK(s->stats().disk_flushes == 0);
    // The server is away: the first sample waits alone; the second flushes itself and it.
    append_range(*s, 3, 4);
    CHECK(s->stats().disk_flushes == 0);
    append_range(*s, 4, 6);
    CHECK(s->stats().disk_flushes == 2);
    // Written before append() returns all the same: another reader of the files sees them.
    std::ifstream other_spool_view(segments(dir.path).back(), std::ios::binary);
    const std::string text(std::istreambuf_iterator<char>(other_spool_view), {});
    CHECK(text.ends_with(sample_json(3) + "\n" + sample_json(4) + "\n" + sample_json(5) + "\n"));
}

TEST_CASE("reads stop at max_bytes, but always return at least one sample") {
    scratch_folder dir;
    auto s = spool::open(dir.path);
    REQUIRE(s.has_value());
    append_range(*s, 0, 5);
    const auto one = sample_json(0).size();
    std::string out;
    auto r = s->read(0, 1000, 2 * (one + 1), out);
    REQUIRE(r.has_value());
    CHECK(r->samples == 2);
    CHECK(out == joined(0, 2));
    out.clear();
    r = s->read(0, 1000, 1, out);
    REQUIRE(r.has_value());
    CHECK(r->samples == 1);
}

TEST_CASE("reopening continues where the last run stopped; a torn last line is cut") {
    scratch_folder dir;
    spool_limits limits;
    limits.samples_per_segment = 4;
    {
        auto s = spool::open(dir.path, limits);
        REQUIRE(s.has_value());
        append_range(*s, 0, 6);
        REQUIRE(s->acknowledge(2).has_value());
    }
    // A crash in the middle of a write leaves half a line.
    {
        std::ofstream torn(segments(dir.path).back(), std::ios::app | std::ios::binary);
        torn << R"({"v":1,"n":6)";
    }
    {
        auto s = spool::open(dir.path, limits);
        REQUIRE(s.has_value());
        CHECK(s->begin() == 2);
        CHECK(s->end() == 6);
        CHECK(read_all(*s, 1000) == joined(2, 6));
        append_range(*s, 6, 8);  // indices go on; the torn text is gone
        CHECK(read_all(*s, 1000) == joined(2, 8));
        REQUIRE(s->acknowledge(8).has_value());
    }
    auto s = spool::open(dir.path, limits);
    REQUIRE(s.has_value());
    CHECK(s->begin() == 8);  // indices never repeat, even with no segment left
    CHECK(s->end() == 8);
    CHECK(s->stats().pending == 0);
}

TEST_CASE("acknowledgements overwrite one fixed-width line; an unreadable one means resending") {
    scratch_folder dir;
    spool_limits limits;
    limits.samples_per_segment = 100;
    const auto acked_text = [&] {
        std::ifstream in(dir.path / "acked", std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    {
        auto s = spool::open(dir.path, limits);
        REQUIRE(s.has_value());
        append_range(*s, 0, 12);
        REQUIRE(s->acknowledge(3).has_value());
        CHECK(acked_text() == "00000000000000000003\n");
        REQUIRE(s->acknowledge(10).has_value());
        CHECK(acked_text() == "00000000000000000003\n");  // written again ack_save_every later
    }
    CHECK(acked_text() == "00000000000000000010\n");  // and at close: same size, same file
    {
        limits.ack_save_every = std::chrono::milliseconds(0);
        auto s = spool::open(dir.path, limits);
        REQUIRE(s.has_value());
        REQUIRE(s->acknowledge(11).has_value());
        CHECK(acked_text() == "00000000000000000011\n");  // at once
    }
    {
        limits.ack_save_every = std::chrono::hours(1);
        auto s = spool::open(dir.path, limits);
        REQUIRE(s.has_value());
        CHECK(s->begin() == 11);
        REQUIRE(s->acknowledge(10).has_value());  // an older position changes nothing
        CHECK(s->begin() == 11);
    }
    CHECK(acked_text() == "00000000000000000011\n");
    {
        auto s = spool::open(dir.path, limits);
        REQUIRE(s.has_value());
        CHECK(s->begin() == 11);
        CHECK(read_all(*s, 1000) == joined(11, 12));
    }
    // A line in the older free-width form is read as well.
    std::ofstream(dir.path / "acked", std::ios::binary | std::ios::trunc) << "7\n";
    {
        auto s = spool::open(dir.path, limits);
        REQUIRE(s.has_value());
        CHECK(s->begin() == 7);
    }
    // A damaged line loses nothing: everything still in the segments is pending again (the
    // server counts what it already has as duplicates).
    std::ofstream(dir.path / "acked", std::ios::binary | std::ios::trunc) << "garbage";
    auto s = spool::open(dir.path, limits);
    REQUIRE(s.has_value());
    CHECK(s->begin() == 0);
    CHECK(read_all(*s, 1000) == joined(0, 12));
}

TEST_CASE("one process at a time") {
    scratch_folder dir;
    auto first = spool::open(dir.path);
    REQUIRE(first.has_value());
    auto second = spool::open(dir.path);
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error().message.find("in use by another windash-agent") != std::string::npos);
}

TEST_CASE("the size cap drops the oldest samples, counts them, and keeps the newest") {
    scratch_folder dir;
    spool_limits limits;
    limits.max_bytes = 16 * 1024;  // segments of 4 KiB
    auto s = spool::open(dir.path, limits);
    REQUIRE(s.has_value());
    const std::string padding(200, 'x');
    std::uint64_t dropped = 0;
    for (int i = 0; i < 400; ++i) {
        auto d = s->append(R"({"v":1,"n":)" + std::to_string(i) + R"(,"pad":")" + padding + "\"}");
        REQUIRE(d.has_value());
        CHECK(d->old == 0);
        dropped += d->full;
    }
    const auto st = s->stats();
    CHECK(dropped > 0);
    CHECK(st.dropped_full == dropped);
    CHECK(st.bytes <= limits.max_bytes);
    CHECK(st.pending + dropped == 400);
    CHECK(s->begin() == dropped);  // exactly the oldest went
    std::string out;
    auto r = s->read(s->begin(), 1000, 1 << 20, out);
    REQUIRE(r.has_value());
    CHECK(r->next == 400);  // the newest is kept
    CHECK(out.ends_with(R"({"v":1,"n":399,"pad":")" + padding + "\"}"));
}

TEST_CASE("the age cap drops segments last written before it") {
    scratch_folder dir;
    spool_limits limits;
    limits.samples_per_segment = 2;
    limits.max_age = std::chrono::hours(1);
    {
        auto s = spool::open(dir.path, limits);
        REQUIRE(s.has_value());
        append_range(*s, 0, 6);
    }
    // The first two segments were last written two hours ago.
    auto files = segments(dir.path);
    REQUIRE(files.size() == 3);
    for (int i = 0; i < 2; ++i) {
        fs::last_write_time(files[i], fs::file_time_type::clock::now() - std::chrono::hours(2));
    }
    auto s = spool::open(dir.path, limits);
    REQUIRE(s.has_value());
    CHECK(s->stats().dropped_old == 4);
    CHECK(s->begin() == 4);
    CHECK(read_all(*s, 1000) == joined(4, 6));
    CHECK(segments(dir.path).size() == 1);
}
