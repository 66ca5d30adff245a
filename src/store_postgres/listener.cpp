#include "store_postgres/listener.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <poll.h>
#include <thread>

namespace windash::store::postgres {

namespace {

using error_code = boost::system::error_code;

struct pq_closer {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using conn_ptr = std::unique_ptr<PGconn, pq_closer>;

bool plain_channel(const std::string& name) {
    return !name.empty() && name.size() <= 63 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || c == '_';
    });
}

class pg_listener final : public listener {
  public:
    pg_listener(std::string url, const options& opts, std::vector<std::string> channels,
                notification_handler handler)
        : url_(std::move(url)),
          log_(opts.log),
          channels_(std::move(channels)),
          handler_(std::move(handler)) {}

    ~pg_listener() override {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }

    result<void> start() {
        auto c = connect();
        if (!c) return c.error();
        thread_ = std::thread([this, conn = std::move(*c)]() mutable { run(std::move(conn)); });
        return {};
    }

  private:
    void log(const std::string& line) const {
        if (log_) log_("postgres listener: " + line);
    }

    result<conn_ptr> connect() {
        conn_ptr c(PQconnectdb(url_.c_str()));
        if (!c || PQstatus(c.get()) != CONNECTION_OK) {
            log(c ? PQerrorMessage(c.get()) : "no memory");
            return error_code(errc::connection_lost);
        }
        PQsetNoticeProcessor(
            c.get(), [](void*, const char*) {}, nullptr);
        for (const auto& channel : channels_) {
            // The name is checked to be plain letters: quoting it is all LISTEN needs.
            const std::string sql = "LISTEN \"" + channel + "\"";
            PGresult* r = PQexec(c.get(), sql.c_str());
            const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            PQclear(r);
            if (!ok) {
                log(PQerrorMessage(c.get()));
                return error_code(errc::connection_lost);
            }
        }
        return c;
    }

    // Waits for input a fifth of a second at a time, so the destructor's stop is seen quickly.
    void run(conn_ptr conn) {
        auto backoff = std::chrono::milliseconds(250);
        while (!stop_) {
            if (!conn) {
                sleep_for(backoff);
                auto c = connect();
                if (!c) {
                    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
                    continue;
                }
                log("reconnected; notifications sent while disconnected were lost");
                conn = std::move(*c);
                backoff = std::chrono::milliseconds(250);
            }
            pollfd p{PQsocket(conn.get()), POLLIN, 0};
            if (::poll(&p, 1, 200) < 0 && errno != EINTR) {
                conn.reset();
                continue;
            }
            if (PQconsumeInput(conn.get()) == 0 || PQstatus(conn.get()) != CONNECTION_OK) {
                log(std::string("connection lost: ") + PQerrorMessage(conn.get()));
                conn.reset();
                continue;
            }
            while (PGnotify* n = PQnotifies(conn.get())) {
                handler_(n->relname, n->extra);
                PQfreemem(n);
            }
        }
    }

    void sleep_for(std::chrono::milliseconds total) const {
        const auto until = std::chrono::steady_clock::now() + total;
        while (!stop_ && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    std::string url_;
    std::function<void(std::string_view)> log_;
    std::vector<std::string> channels_;
    notification_handler handler_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace

result<std::unique_ptr<listener>> start_listener(const std::string& url, const options& opts,
                                                 std::vector<std::string> channels,
                                                 notification_handler handler) {
    if (channels.empty() || !std::all_of(channels.begin(), channels.end(), plain_channel)) {
        return error_code(errc::invalid_argument);
    }
    auto l = std::make_unique<pg_listener>(url, opts, std::move(channels), std::move(handler));
    if (auto r = l->start(); !r) return r.error();
    return std::unique_ptr<listener>(std::move(l));
}

}  // namespace windash::store::postgres
