// wal_syncer (src/store_sqlite): flushes the WAL file of a database through a descriptor of its
// own, following the file when SQLite replaces it.
#include "store_sqlite/wal_syncer.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace windash::store::sqlite {
namespace {

struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "windash-wal-XXXXXX");
        if (!mkdtemp(pattern.data())) std::abort();
        path = pattern;
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

void write_file(const std::filesystem::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    REQUIRE(out.good());
}

TEST_CASE("a database without a WAL has nothing to flush") {
    temp_dir dir;
    wal_syncer wal((dir.path / "db.sqlite").string());
    REQUIRE(wal.sync().has_value());
    CHECK(wal.syncs() == 0);
    CHECK(wal.opens() == 0);
}

TEST_CASE("the WAL is opened once and flushed on every call") {
    temp_dir dir;
    const auto db = dir.path / "db.sqlite";
    wal_syncer wal(db.string());
    write_file(db.string() + "-wal", "frames");
    for (int i = 0; i < 3; ++i) REQUIRE(wal.sync().has_value());
    CHECK(wal.syncs() == 3);
    CHECK(wal.opens() == 1);
}

TEST_CASE("a WAL replaced by a new file is reopened; a removed one is nothing to flush") {
    temp_dir dir;
    const auto db = dir.path / "db.sqlite";
    const auto wal_path = db.string() + "-wal";
    wal_syncer wal(db.string());
    write_file(wal_path, "first");
    REQUIRE(wal.sync().has_value());
    // What SQLite does when the last connection closes and a new one starts writing: the old
    // WAL is deleted and a new file (a new inode) takes its name.
    std::filesystem::remove(wal_path);
    REQUIRE(wal.sync().has_value());
    CHECK(wal.syncs() == 1);
    write_file(dir.path / "next", "second");
    std::filesystem::rename(dir.path / "next", wal_path);
    REQUIRE(wal.sync().has_value());
    CHECK(wal.syncs() == 2);
    CHECK(wal.opens() == 2);
}

TEST_CASE("a WAL path that cannot be read is an I/O error") {
    temp_dir dir;
    // A regular file where a directory should be: stat() fails with ENOTDIR, not ENOENT.
    write_file(dir.path / "not-a-dir", "");
    wal_syncer wal((dir.path / "not-a-dir" / "db.sqlite").string());
    auto r = wal.sync();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == errc::io_error);
}

}  // namespace
}  // namespace windash::store::sqlite
