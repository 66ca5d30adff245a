#include "store/backend.hpp"
#include "support/postgres_cluster.hpp"
#include <windash/store_postgres.hpp>

#include <memory>

namespace windash::store::testing {
namespace {

class postgres_backend final : public backend {
  public:
    std::string name() const override { return "postgres"; }
    std::string fresh_url() override {
        return cluster_.create_database("t" + std::to_string(++count_));
    }
    result<std::unique_ptr<store>> open(const std::string& url, options opts) override {
        return open_store(url, std::move(opts));
    }
    bool restart_server() override {
        cluster_.restart();
        return true;
    }

  private:
    windash::testing::postgres_cluster cluster_;
    int count_ = 0;
};

}  // namespace

backend& current_backend() {
    static postgres_backend instance;
    return instance;
}

}  // namespace windash::store::testing
