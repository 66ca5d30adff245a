#pragma once
// The backend a store test binary runs its shared cases against (SQLite or PostgreSQL).

#include <windash/store.hpp>

#include <memory>
#include <string>

namespace windash::store::testing {

class backend {
  public:
    virtual ~backend() = default;
    /// "sqlite" or "postgres".
    [[nodiscard]] virtual std::string name() const = 0;
    /// The URL of a new, empty database.
    [[nodiscard]] virtual std::string fresh_url() = 0;
    [[nodiscard]] virtual result<std::unique_ptr<store>> open(const std::string& url,
                                                              options opts) = 0;
    /// Restarts the database server (PostgreSQL); false when the backend has none.
    virtual bool restart_server() { return false; }
};

/// The backend of this test binary, created on first use.
backend& current_backend();

}  // namespace windash::store::testing
