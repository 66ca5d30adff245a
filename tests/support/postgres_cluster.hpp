#pragma once
/// @file
/// A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temporary directory as
/// an unprivileged user (Debian's `postgres` when running as root), a free loopback port, the
/// Unix socket inside the directory; stopped and deleted by the destructor.

#include <string>

namespace windash::testing {

/// Server settings of a throwaway cluster.
struct postgres_cluster_options {
    bool fsync = true;                     ///< false speeds up tests that never kill the server
    std::string system_user = "postgres";  ///< owner of the cluster when running as root
};

class postgres_cluster {
  public:
    /// Creates and starts the cluster; throws std::runtime_error (with the log) on failure.
    explicit postgres_cluster(postgres_cluster_options opts = {});
    ~postgres_cluster();
    postgres_cluster(const postgres_cluster&) = delete;
    postgres_cluster& operator=(const postgres_cluster&) = delete;

    /// `postgresql://windash@127.0.0.1:PORT/<database>`; superuser `windash`, trust auth.
    [[nodiscard]] std::string url(const std::string& database = "postgres") const;
    /// Creates an empty database named `name` and returns its URL. Throws on failure.
    std::string create_database(const std::string& name);
    /// Runs `sql` (no result rows) on the database at `database_url` over a connection of its
    /// own; throws std::runtime_error with the server's message on failure.
    static void exec(const std::string& database_url, const std::string& sql);
    /// Stops the server (fast shutdown, clients disconnected) and starts it again.
    void restart();
    /// Stops the server (fast shutdown) until start().
    void stop();
    void start();
    [[nodiscard]] int port() const noexcept { return port_; }

  private:
    void run(const std::string& what, const std::string& command) const;
    std::string pg_ctl(const std::string& action) const;
    std::string as_owner(const std::string& command) const;

    postgres_cluster_options opts_;
    std::string dir_;
    std::string bindir_;
    int port_ = 0;
};

}  // namespace windash::testing
