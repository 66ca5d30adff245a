#pragma once
// The backend a store test binary runs its shared cases against (SQLite or PostgreSQL).

#include <windash/store.hpp>

#include <memory>
#include <string>
#include <string_view>

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
    /// Stops the database server until start_server(); false when the backend has none.
    virtual bool stop_server() { return false; }
    virtual void start_server() {}
    /// Runs `sql` on the database at `url` over a connection of its own, as an operator would
    /// (to add a constraint, for instance); throws std::runtime_error with the database's message.
    virtual void exec_sql(const std::string& url, const std::string& sql) = 0;
};

/// The backend of this test binary, created on first use.
backend& current_backend();

/// The name of this binary's backend ("sqlite" or "postgres"), known without creating it: test
/// cases use it in doctest's skip decorators, which are evaluated as the cases register.
[[nodiscard]] std::string_view backend_name() noexcept;

/// Whether the backend has a database server to stop and restart (PostgreSQL does).
[[nodiscard]] inline bool backend_has_server() noexcept { return backend_name() == "postgres"; }

}  // namespace windash::store::testing
