#include "store/backend.hpp"
#include <windash/store_sqlite.hpp>

#include <cstdlib>
#include <filesystem>

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
    std::string name() const override { return "sqlite"; }
    std::string fresh_url() override {
        return (dir_ / ("db" + std::to_string(++count_) + ".sqlite")).string();
    }
    result<std::unique_ptr<store>> open(const std::string& url, options opts) override {
        return open_sqlite_store(url, std::move(opts));
    }

  private:
    std::filesystem::path dir_;
    int count_ = 0;
};

}  // namespace

backend& current_backend() {
    static sqlite_backend instance;
    return instance;
}

}  // namespace windash::store::testing
