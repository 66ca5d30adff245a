#include <windash/core/sample.hpp>

#include <doctest/doctest.h>

#include <string>

TEST_CASE("is_valid_host_id follows SPEC §1") {
    CHECK(windash::is_valid_host_id("abc123"));
    CHECK(windash::is_valid_host_id("web-01.prod_eu"));
    CHECK(windash::is_valid_host_id(std::string(64, 'a')));
    CHECK_FALSE(windash::is_valid_host_id(""));
    CHECK_FALSE(windash::is_valid_host_id(std::string(65, 'a')));
    CHECK_FALSE(windash::is_valid_host_id("has space"));
    CHECK_FALSE(windash::is_valid_host_id("slash/"));
    CHECK_FALSE(windash::is_valid_host_id("caf\xc3\xa9"));
}

TEST_CASE("samples compare by value") {
    windash::sample a;
    a.host_id = "h";
    a.cpu.per_core = {1, 2};
    windash::sample b = a;
    CHECK(a == b);
    b.load = windash::load_average{1, 2, 3};
    CHECK_FALSE(a == b);
}
