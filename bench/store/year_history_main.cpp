// windash-year-history: gives an existing device the history of a year of 2-second samples
// (year_history.hpp), ending at the last full hour. For the dashboard's 1-year test and for
// trying the dashboard on a year of data:
//   windash-year-history --database-url windash.db --email ada@example.com --host-id year-host
// Run it while no server writes to the same device.
#include "year_history.hpp"
#include <windash/store_open.hpp>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

int main(int argc, char** argv) {
    using namespace windash;
    std::string url, email, host_id;
    CLI::App app{"Fills a device with a year of history, as the store keeps it"};
    app.add_option("--database-url", url, "SQLite file or postgres:// URL")->required();
    app.add_option("--email", email, "The device owner's email")->required();
    app.add_option("--host-id", host_id, "The device's hostId")->required();
    CLI11_PARSE(app, argc, argv);
    try {
        // Whole hours, so each tier holds exactly its rows (8,760 hours, 129,600 minutes).
        const timestamp now =
            std::chrono::floor<std::chrono::hours>(std::chrono::system_clock::now());
        store::options opts;
        opts.now = [now] { return now; };
        auto db = store::open_store(url, opts);
        if (!db) throw std::runtime_error(db.error().message());
        auto owner = (*db)->find_user_by_email(email);
        if (!owner) throw std::runtime_error(email + ": " + owner.error().message());
        auto devices = (*db)->list_devices(owner->id);
        if (!devices) throw std::runtime_error(devices.error().message());
        for (const auto& d : *devices) {
            if (d.host_id != host_id) continue;
            const auto started = std::chrono::steady_clock::now();
            bench::fill_year_history(url, **db, d.id, now);
            const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
            std::printf("device %lld (%s): a year of history in %.1f s\n",
                        static_cast<long long>(d.id), host_id.c_str(), took.count());
            return 0;
        }
        throw std::runtime_error(email + " has no device " + host_id);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "windash-year-history: %s\n", e.what());
        return 1;
    }
}
