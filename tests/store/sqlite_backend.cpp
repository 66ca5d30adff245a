#include "store/backend.hpp"
#include "store/fixture.hpp"
#include <windash/store_sqlite.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace windash::store::testing {
namespace {

class sqlite_backend final : public backend {
  public:
    sqlite_backend() {
        std::string pattern = (std::filesystem::temp_directory_path() / "windash-store-XXXXXX");
        if (!mkdtemp(pattern.data())) std::abort();
        dir_ = pattern;
    }
    ~sqlite_backend() override {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    std::string name() const override { return std::string(backend_name()); }
    std::string fresh_url() override {
        return (dir_ / ("db" + std::to_string(++count_) + ".sqlite")).string();
    }
    result<std::unique_ptr<store>> open(const std::string& url, options opts) override {
        return open_sqlite_store(url, std::move(opts));
    }
    void exec_sql(const std::string& url, const std::string& sql) override {
        sqlite3* db = nullptr;
        std::string error;
        if (sqlite3_open_v2(url.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
            error = sqlite3_errmsg(db);
        } else {
            sqlite3_busy_timeout(db, 5000);
            char* message = nullptr;
            if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
                error = message ? message : "unknown error";
            }
            sqlite3_free(message);
        }
        sqlite3_close(db);
        if (!error.empty()) throw std::runtime_error("exec_sql: " + error);
    }

  private:
    std::filesystem::path dir_;
    int count_ = 0;
};

}  // namespace

std::string_view backend_name() noexcept { return "sqlite"; }

namespace {

std::uintmax_t file_size(const std::string& path) {
    std::error_code ec;
    auto n = std::filesystem::file_size(path, ec);
    return ec ? 0 : n;
}

}  // namespace

// The store's own thread copies the WAL into the database file well before the writer's 64 MiB
// limit (store_sqlite/checkpointer). It once never did: a connection that has not read the
// database yet checkpoints nothing and reports success, so every copy fell to the writer, in
// one long pause of all commits per 64 MiB.
TEST_CASE("the background checkpointer copies the WAL into the database file") {
    using namespace std::chrono_literals;
    const auto url = current_backend().fresh_url();
    auto s = must(current_backend().open(url, test_options()));
    auto dev = make_device(*s);
    const auto initial = file_size(url);
    const auto grown = [&] { return file_size(url) >= initial + (4u << 20); };
    // Over 1000 pages (4 MiB) of WAL wakes the thread. 100 batches write about 35 MB of WAL,
    // below the writer's own checkpoint at 64 MiB; with the thread working the WAL is reset
    // whenever it has caught up, so it stays far smaller.
    int batches = 0;
    std::uintmax_t largest_wal = 0;
    for (; batches < 100 && !grown(); ++batches) {
        auto b = batch_of(dev.id, base_time() + 2s * (500 * batches), 500);
        must(s->commit_metrics({&b, 1}));
        largest_wal = std::max(largest_wal, file_size(url + "-wal"));
    }
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!grown() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
    }
    MESSAGE("database file " << initial << " -> " << file_size(url) << " bytes after " << batches
                             << " batches; largest WAL " << largest_wal << " bytes");
    CHECK(largest_wal < 64u << 20);  // else the writer's own checkpoint grew the file
    CHECK(file_size(url) >= initial + (4u << 20));
}

backend& current_backend() {
    static sqlite_backend instance;
    return instance;
}

}  // namespace windash::store::testing
