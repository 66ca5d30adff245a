#include "support/postgres_cluster.hpp"

#include <libpq-fe.h>

#include <arpa/inet.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace windash::testing {
namespace {

namespace fs = std::filesystem;

// The newest /usr/lib/postgresql/<major>/bin holding initdb, or $WINDASH_PG_BINDIR.
std::string find_bindir() {
    if (const char* env = std::getenv("WINDASH_PG_BINDIR")) return env;
    std::string best;
    int best_major = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        int major = std::atoi(e.path().filename().c_str());
        if (major > best_major && fs::exists(e.path() / "bin" / "initdb")) {
            best_major = major;
            best = (e.path() / "bin").string();
        }
    }
    if (best.empty()) throw std::runtime_error("postgres_cluster: no initdb found");
    return best;
}

// A port the kernel just handed out on 127.0.0.1; free unless someone races us for it.
int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    auto* any = reinterpret_cast<sockaddr*>(&addr);
    if (fd < 0 || ::bind(fd, any, len) != 0 || ::getsockname(fd, any, &len) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("postgres_cluster: no free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

postgres_cluster::postgres_cluster(postgres_cluster_options opts)
    : opts_(std::move(opts)), bindir_(find_bindir()), port_(free_port()) {
    std::string pattern = (fs::temp_directory_path() / "windash-pg-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("postgres_cluster: mkdtemp failed");
    dir_ = pattern;
    if (::geteuid() == 0) {
        const passwd* pw = ::getpwnam(opts_.system_user.c_str());
        if (!pw || ::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
            fs::remove_all(dir_);
            throw std::runtime_error("postgres_cluster: cannot hand the directory to " +
                                     opts_.system_user);
        }
    }
    try {
        run("initdb", as_owner(bindir_ + "/initdb -D " + dir_ + "/data -U windash -A trust " +
                               "-E UTF8 --locale=C --no-sync"));
        run("pg_ctl start", pg_ctl("start"));
    } catch (...) {
        fs::remove_all(dir_);
        throw;
    }
}

postgres_cluster::~postgres_cluster() {
    std::string stop = as_owner(bindir_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop");
    (void)std::system((stop + " >/dev/null 2>&1").c_str());
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::string postgres_cluster::as_owner(const std::string& command) const {
    if (::geteuid() != 0) return command;
    return "runuser -u " + opts_.system_user + " -- " + command;
}

std::string postgres_cluster::pg_ctl(const std::string& action) const {
    std::string server = "-c port=" + std::to_string(port_) +
                         " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir_ +
                         " -c fsync=" + (opts_.fsync ? "on" : "off") +
                         " -c max_connections=200 -c synchronous_commit=on";
    return as_owner(bindir_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 60 " +
                    "-m fast -o '" + server + "' " + action);
}

void postgres_cluster::run(const std::string& what, const std::string& command) const {
    std::string log = dir_ + "/" + what.substr(0, what.find(' ')) + ".out";
    if (std::system((command + " >" + log + " 2>&1").c_str()) != 0) {
        throw std::runtime_error("postgres_cluster: " + what + " failed:\n" + read_file(log) +
                                 read_file(dir_ + "/server.log"));
    }
}

std::string postgres_cluster::url(const std::string& database) const {
    return "postgresql://windash@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

void postgres_cluster::exec(const std::string& database_url, const std::string& sql) {
    PGconn* c = PQconnectdb(database_url.c_str());
    std::string error;
    if (PQstatus(c) != CONNECTION_OK) {
        error = PQerrorMessage(c);
    } else {
        PGresult* r = PQexec(c, sql.c_str());
        if (PQresultStatus(r) != PGRES_COMMAND_OK) error = PQresultErrorMessage(r);
        PQclear(r);
    }
    PQfinish(c);
    if (!error.empty()) throw std::runtime_error("postgres_cluster: " + error);
}

std::string postgres_cluster::create_database(const std::string& name) {
    exec(url(), "CREATE DATABASE \"" + name + "\"");
    return url(name);
}

void postgres_cluster::restart() { run("pg_ctl restart", pg_ctl("restart")); }
void postgres_cluster::stop() { run("pg_ctl stop", pg_ctl("stop")); }
void postgres_cluster::start() { run("pg_ctl start", pg_ctl("start")); }

}  // namespace windash::testing
