#include <windash/collector/errors.hpp>

#include <doctest/doctest.h>

#include <string>

using windash::collector::condition;
using windash::collector::errc;

TEST_CASE("collector errors have their own category, messages and conditions") {
    boost::system::error_code ec = errc::bad_meminfo;
    CHECK(std::string(ec.category().name()) == "windash.collector");
    CHECK(ec.message() == "/proc/meminfo has no MemTotal");
    CHECK(ec == condition::malformed);
    CHECK(ec != condition::unavailable);

    boost::system::error_code unreadable = errc::source_unreadable;
    CHECK(unreadable == condition::unavailable);
    CHECK(unreadable.message() == "a required system source cannot be read");
    CHECK(std::string(
              windash::collector::make_error_condition(condition::unavailable).category().name()) ==
          "windash.collector.condition");
}

TEST_CASE("every malformed-source error maps to condition::malformed") {
    for (auto e : {errc::bad_proc_stat, errc::bad_meminfo, errc::bad_uptime, errc::bad_loadavg,
                   errc::bad_net_dev}) {
        boost::system::error_code ec = e;
        CAPTURE(ec.message());
        CHECK(ec == condition::malformed);
        CHECK(ec.message() != "unknown collector error");
    }
    CHECK(boost::system::error_code(99, windash::collector::collector_category()).message() ==
          "unknown collector error");
}
