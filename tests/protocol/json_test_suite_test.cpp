// Every parsing case of JSONTestSuite: none is a valid metrics message, so each must be
// refused without a crash: n_* (invalid JSON) as a syntax error, y_* (valid JSON) as a schema
// error, i_* either way.
#include <windash/protocol/frame_parser.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using windash::protocol::condition;
using windash::protocol::frame_parser;

namespace {

fs::path suite_dir() {
    const char* root = std::getenv("WINDASH_TESTDATA");
    REQUIRE_MESSAGE(root != nullptr,
                    "WINDASH_TESTDATA must name the test data folder (tests/data)");
    fs::path dir = fs::path(root) / "JSONTestSuite" / "test_parsing";
    REQUIRE_MESSAGE(fs::is_directory(dir), "missing " << dir.string());
    return dir;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

}  // namespace

TEST_CASE("every JSONTestSuite parsing case is refused with the right kind of error") {
    frame_parser parser;
    std::size_t yes = 0, no = 0, either = 0;
    for (const auto& entry : fs::directory_iterator(suite_dir())) {
        const std::string name = entry.path().filename().string();
        const std::string bytes = read_file(entry.path());
        auto result = parser.parse(bytes);
        CAPTURE(name);
        REQUIRE(result.has_error());
        const auto& error = result.error();
        CAPTURE(error.message);
        if (name.starts_with("n_")) {
            CHECK(error.code == condition::syntax_error);
            ++no;
        } else if (name.starts_with("y_")) {
            CHECK(error.code == condition::schema_error);
            ++yes;
        } else {
            CHECK((error.code == condition::syntax_error || error.code == condition::schema_error));
            ++either;
        }
        CHECK_FALSE(error.message.empty());
    }
    MESSAGE("JSONTestSuite: " << yes << " y_, " << no << " n_, " << either << " i_ files");
    CHECK(yes >= 95);
    CHECK(no >= 188);
}
