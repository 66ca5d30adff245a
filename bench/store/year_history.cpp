#include "year_history.hpp"

#include "store/samples.hpp"
#include <windash/store_open.hpp>

#include <stdexcept>

namespace windash::bench {

using namespace std::chrono_literals;

void fill_year_history(const std::string& url, store::store& db, store::row_id device,
                       timestamp now) {
    store::options keep_all;
    keep_all.now = [now] { return now; };
    keep_all.keep = {400 * 24h, 400 * 24h, 400 * 24h};
    auto loader = store::open_store(url, keep_all);
    if (!loader) throw std::runtime_error("year history: " + loader.error().message());
    auto commit = [&](timestamp from, timestamp to, std::chrono::seconds step) {
        store::device_batch b{device, {}};
        std::uint64_t i = 0;
        for (auto ts = from; ts < to; ts += step) {
            b.samples.push_back(store::testing::make_sample(ts, i++));
            if (b.samples.size() == 5000 || ts + step >= to) {
                if (auto r = (*loader)->commit_metrics({&b, 1}); !r)
                    throw std::runtime_error("year history: commit: " + r.error().message());
                b.samples.clear();
            }
        }
    };
    commit(now - 365 * 24h, now - 90 * 24h, 600s);
    commit(now - 90 * 24h, now - 14 * 24h, 60s);
    commit(now - 14 * 24h, now, 2s);
    for (;;) {
        auto built = (*loader)->build_rollups(20000);
        if (!built) throw std::runtime_error("year history: rollups: " + built.error().message());
        if (*built == 0) break;
    }
    for (;;) {
        auto expired = db.expire(now, 100000);
        if (!expired)
            throw std::runtime_error("year history: expire: " + expired.error().message());
        if (*expired == 0) break;
    }
    // Each tier holds the rows it should: one bucket per row at the tier's own width.
    auto rows_in = [&](std::chrono::hours range, std::size_t points, store::tier want) {
        auto h = db.query_history({device, now - range, now, points});
        if (!h) throw std::runtime_error("year history: query: " + h.error().message());
        if (h->source != want) throw std::runtime_error("year history: read the wrong tier");
        return h->bucket_start.size();
    };
    if (rows_in(14 * 24h, 604'800, store::tier::raw) != 604'800 ||
        rows_in(90 * 24h, 129'600, store::tier::minute) != 129'600 ||
        rows_in(365 * 24h, 8'760, store::tier::hour) != 8'760) {
        throw std::runtime_error("year history: the tiers do not hold a year of 2-second samples");
    }
}

}  // namespace windash::bench
