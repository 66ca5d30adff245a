#include <windash/protocol/errors.hpp>

#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>
#include <doctest/doctest.h>

#include <string>

using windash::protocol::condition;
using windash::protocol::errc;

TEST_CASE("codes map to the syntax and schema conditions") {
    CHECK(make_error_code(errc::invalid_json) == condition::syntax_error);
    CHECK(make_error_code(errc::invalid_json) != condition::schema_error);
    for (auto code :
         {errc::frame_too_large, errc::not_an_object, errc::missing_field, errc::wrong_type,
          errc::out_of_range, errc::unknown_message_type, errc::bad_timestamp, errc::bad_host_id,
          errc::host_mismatch, errc::used_exceeds_total}) {
        CAPTURE(static_cast<int>(code));
        CHECK(make_error_code(code) == condition::schema_error);
        CHECK(make_error_code(code) != condition::syntax_error);
        CHECK_FALSE(make_error_code(code).message().empty());
    }
    CHECK(std::string(windash::protocol::protocol_category().name()) == "windash.protocol");
}

TEST_CASE("result<T, frame_error>::value() throws a system_error with the message") {
    boost::system::result<int, windash::protocol::frame_error> failed =
        windash::protocol::frame_error{make_error_code(errc::missing_field), "type: is required"};
    CHECK_THROWS_WITH_AS(failed.value(), doctest::Contains("type: is required"),
                         boost::system::system_error);
}
