// open_store (SPEC §6): which backend a DATABASE_URL selects. SQLite files in a temporary folder;
// the PostgreSQL URLs point at a closed port, so reaching libpq is all they show.
#include <windash/store_open.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace windash::store {
namespace {

namespace fs = std::filesystem;

struct temp_dir {
    temp_dir() {
        std::string pattern = (fs::temp_directory_path() / "windash-open-XXXXXX");
        if (!mkdtemp(pattern.data())) std::abort();
        path = pattern;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path path;
};

TEST_CASE("a path, sqlite:// or file: URL opens a SQLite file at that path") {
    temp_dir dir;
    for (std::string prefix : {"", "sqlite://", "file:"}) {
        CAPTURE(prefix);
        const fs::path file = dir.path / ("db" + std::to_string(prefix.size()) + ".sqlite");
        auto db = open_store(prefix + file.string());
        REQUIRE(db.has_value());
        CHECK(fs::exists(file));
    }
}

TEST_CASE("an empty URL means ./windash.db") {
    temp_dir dir;
    const fs::path before = fs::current_path();
    fs::current_path(dir.path);
    auto db = open_store("");
    fs::current_path(before);
    REQUIRE(db.has_value());
    CHECK(fs::exists(dir.path / "windash.db"));
}

TEST_CASE("postgres:// and postgresql:// URLs go to PostgreSQL, never to a SQLite file") {
    temp_dir dir;
    const fs::path before = fs::current_path();
    fs::current_path(dir.path);
    for (std::string scheme : {"postgres://", "postgresql://"}) {
        CAPTURE(scheme);
        auto db = open_store(scheme + "windash@127.0.0.1:1/windash");
        CHECK_FALSE(db.has_value());
    }
    fs::current_path(before);
    CHECK(fs::is_empty(dir.path));
}

}  // namespace
}  // namespace windash::store
