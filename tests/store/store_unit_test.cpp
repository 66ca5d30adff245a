// Pure parts of windash::store: errors, hashing and tier choice. No database.
#include "store/samples.hpp"
#include <windash/store.hpp>

#include <doctest/doctest.h>

namespace windash::store {
namespace {

using namespace std::chrono_literals;
using testing::base_time;

TEST_CASE("errors map to the retryable and fatal conditions") {
    boost::system::error_code busy = errc::busy;
    CHECK(std::string(busy.category().name()) == "windash.store");
    CHECK(busy == condition::retryable);
    CHECK(busy != condition::fatal);
    CHECK(boost::system::error_code(errc::connection_lost) == condition::retryable);
    CHECK(boost::system::error_code(errc::disk_full) == condition::retryable);
    CHECK(boost::system::error_code(errc::corrupt) == condition::fatal);
    CHECK(boost::system::error_code(errc::schema_too_new) == condition::fatal);
    CHECK(boost::system::error_code(errc::not_found) != condition::fatal);
    CHECK(boost::system::error_code(errc::not_found) != condition::retryable);
    CHECK(boost::system::error_code(errc::conflict).message() == "conflicts with a stored row");
}

TEST_CASE("hash_secret is SHA-256") {
    auto h = hash_secret("abc");
    CHECK(h.bytes[0] == 0xba);
    CHECK(h.bytes[1] == 0x78);
    CHECK(h.bytes[31] == 0xad);
    CHECK(hash_secret("abc") == h);
    CHECK_FALSE(hash_secret("abd") == h);
}

TEST_CASE("choose_tier reads the finest tier that covers the range") {
    retention keep;
    auto now = base_time();
    struct row {
        std::chrono::hours range;
        std::size_t points;
        tier expected;
    };
    const row table[] = {
        {1h, 600, tier::raw},
        {9h, 600, tier::raw},
        {10h, 600, tier::minute},
        {7 * 24h, 600, tier::minute},
        {24h, 10, tier::hour},
        {365 * 24h, 600, tier::hour},
        {15 * 24h, 1000000, tier::minute},
        {100 * 24h, 1000000, tier::hour},
    };
    for (const auto& r : table) {
        CAPTURE(r.range.count());
        CHECK(choose_tier(now - r.range, now, r.points, now, keep) == r.expected);
    }
}

}  // namespace
}  // namespace windash::store
