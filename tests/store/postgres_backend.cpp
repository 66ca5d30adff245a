#include "store/backend.hpp"
#include "support/postgres_cluster.hpp"
#include <windash/store_postgres.hpp>

#include <memory>

namespace windash::store::testing {
namespace {

class postgres_backend final : public backend {
  public:
    std::string name() const override { return std::string(backend_name()); }
    std::string fresh_url() override {
        return cluster_.create_database("t" + std::to_string(++count_));
    }
    result<std::unique_ptr<store>> open(const std::string& url, options opts) override {
#ifdef WINDASH_TEST_INSERT  // an insert method other than the default: copy, arrays
        return open_postgres_store(url, std::move(opts), {postgres_insert::WINDASH_TEST_INSERT});
#else
        return open_postgres_store(url, std::move(opts));
#endif
    }
    bool restart_server() override {
        cluster_.restart();
        return true;
    }
    bool stop_server() override {
        cluster_.stop();
        return true;
    }
    void start_server() override { cluster_.start(); }
    void exec_sql(const std::string& url, const std::string& sql) override {
        windash::testing::postgres_cluster::exec(url, sql);
    }

  private:
    windash::testing::postgres_cluster cluster_;
    int count_ = 0;
};

}  // namespace

std::string_view backend_name() noexcept { return "postgres"; }

backend& current_backend() {
    static postgres_backend instance;
    return instance;
}

}  // namespace windash::store::testing
