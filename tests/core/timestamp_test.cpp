#include <windash/core/timestamp.hpp>

#include <doctest/doctest.h>

#include <random>
#include <string>

using namespace std::chrono;
using windash::timestamp;
using windash::timestamp_errc;

namespace {
timestamp at(int y, unsigned m, unsigned d, int h, int mi, int s, long long us = 0) {
    return timestamp{sys_days{year{y} / month{m} / day{d}}} + hours{h} + minutes{mi} + seconds{s} +
           microseconds{us};
}
}  // namespace

TEST_CASE("parse_rfc3339 reads UTC times with 0 to 6 fraction digits") {
    CHECK(windash::parse_rfc3339("2025-11-03T17:22:53Z").value() == at(2025, 11, 3, 17, 22, 53));
    CHECK(windash::parse_rfc3339("1970-01-01T00:00:00Z").value().time_since_epoch().count() == 0);
    CHECK(windash::parse_rfc3339("2025-11-03T17:22:53.5Z").value() ==
          at(2025, 11, 3, 17, 22, 53, 500000));
    CHECK(windash::parse_rfc3339("2025-11-03T17:22:53.000123Z").value() ==
          at(2025, 11, 3, 17, 22, 53, 123));
    CHECK(windash::parse_rfc3339("2025-11-03t17:22:53z").value() == at(2025, 11, 3, 17, 22, 53));
    CHECK(
        windash::parse_rfc3339("1969-12-31T23:59:59.999999Z").value().time_since_epoch().count() ==
        -1);
    CHECK(windash::parse_rfc3339("9999-12-31T23:59:59Z").value() == at(9999, 12, 31, 23, 59, 59));
}

TEST_CASE("parse_rfc3339 handles leap years") {
    CHECK(windash::parse_rfc3339("2024-02-29T00:00:00Z").has_value());
    CHECK(windash::parse_rfc3339("2000-02-29T00:00:00Z").has_value());
    CHECK(windash::parse_rfc3339("2023-02-29T00:00:00Z").error() == timestamp_errc::out_of_range);
    CHECK(windash::parse_rfc3339("1900-02-29T00:00:00Z").error() == timestamp_errc::out_of_range);
}

TEST_CASE("parse_rfc3339 refuses what is not RFC 3339 UTC") {
    struct row {
        const char* text;
        timestamp_errc expected;
    };
    const row rows[] = {
        {"", timestamp_errc::bad_format},
        {"2025-11-03", timestamp_errc::bad_format},
        {"2025-11-03 17:22:53Z", timestamp_errc::bad_format},
        {"2025-11-03T17:22:53", timestamp_errc::bad_format},
        {"2025-11-03T17:22:53.Z", timestamp_errc::bad_format},
        {"2025-11-03T17:22:53.1234567Z", timestamp_errc::bad_format},
        {"2025-11-03T17:22:53ZZ", timestamp_errc::bad_format},
        {"2025-1a-03T17:22:53Z", timestamp_errc::bad_format},
        {"+2025-11-03T17:22:53Z", timestamp_errc::bad_format},
        {"2025-11-03T17:22:53+02:00", timestamp_errc::not_utc},
        {"2025-11-03T17:22:53-00:00", timestamp_errc::not_utc},
        {"2025-13-03T17:22:53Z", timestamp_errc::out_of_range},
        {"2025-00-03T17:22:53Z", timestamp_errc::out_of_range},
        {"2025-04-31T17:22:53Z", timestamp_errc::out_of_range},
        {"2025-11-00T17:22:53Z", timestamp_errc::out_of_range},
        {"2025-11-03T24:00:00Z", timestamp_errc::out_of_range},
        {"2025-11-03T17:60:00Z", timestamp_errc::out_of_range},
        {"2016-12-31T23:59:60Z", timestamp_errc::out_of_range},
    };
    for (const auto& r : rows) {
        CAPTURE(r.text);
        auto parsed = windash::parse_rfc3339(r.text);
        REQUIRE(parsed.has_error());
        CHECK(parsed.error() == r.expected);
    }
}

TEST_CASE("error messages name the rule") {
    CHECK(windash::make_error_code(timestamp_errc::not_utc).message() ==
          "must be in UTC (end in Z)");
    CHECK(std::string(windash::timestamp_category().name()) == "windash.timestamp");
}

TEST_CASE("format_rfc3339 writes the shortest exact form") {
    CHECK(windash::to_rfc3339(at(2025, 11, 3, 17, 22, 53)) == "2025-11-03T17:22:53Z");
    CHECK(windash::to_rfc3339(at(2025, 11, 3, 17, 22, 53, 500000)) == "2025-11-03T17:22:53.5Z");
    CHECK(windash::to_rfc3339(at(2025, 11, 3, 17, 22, 53, 120)) == "2025-11-03T17:22:53.00012Z");
    CHECK(windash::to_rfc3339(timestamp{microseconds{-1}}) == "1969-12-31T23:59:59.999999Z");
    CHECK(windash::to_rfc3339(at(9999, 12, 31, 23, 59, 59, 999999)) ==
          "9999-12-31T23:59:59.999999Z");
}

TEST_CASE("format and parse round-trip over years 0000-9999") {
    std::mt19937_64 rng(20251103);
    const auto lo = at(0, 1, 1, 0, 0, 0).time_since_epoch().count();
    const auto hi = at(9999, 12, 31, 23, 59, 59, 999999).time_since_epoch().count();
    std::uniform_int_distribution<long long> pick(lo, hi);
    for (int i = 0; i < 20000; ++i) {
        timestamp t{microseconds{pick(rng)}};
        auto text = windash::to_rfc3339(t);
        CAPTURE(text);
        CHECK(windash::parse_rfc3339(text).value() == t);
    }
}
