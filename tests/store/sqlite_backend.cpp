#include "store/backend.hpp"
#include <windash/store_sqlite.hpp>

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

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

backend& current_backend() {
    static sqlite_backend instance;
    return instance;
}

}  // namespace windash::store::testing
