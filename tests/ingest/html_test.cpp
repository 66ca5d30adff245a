// escape_html(): what every agent- or user-supplied string goes through before it is part of a
// server-rendered page.
#include "ingest/html.hpp"

#include <doctest/doctest.h>

using windash::ingest::detail::escape_html;

TEST_CASE("markup characters become character references") {
    CHECK(escape_html(R"(<script>alert("x") & 'y'</script>)") ==
          "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;");
    CHECK(escape_html("plain text, 100%") == "plain text, 100%");
    CHECK(escape_html("") == "");
    CHECK(escape_html("&amp;") == "&amp;amp;");  // escaped again: no double-decoding later
}

TEST_CASE("controls and invalid UTF-8 become U+FFFD; valid UTF-8 and whitespace stay") {
    const std::string fffd = "\xEF\xBF\xBD";
    CHECK(escape_html(std::string("a\x01"
                                  "b\x7f",
                                  4)) == "a" + fffd + "b" + fffd);
    CHECK(escape_html(std::string("a\0b", 3)) == "a" + fffd + "b");
    CHECK(escape_html("tab\tnew\nline\r") == "tab\tnew\nline\r");
    CHECK(escape_html("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x96\xA5") ==
          "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x96\xA5");
    CHECK(escape_html("\xC3") == fffd);                                   // truncated
    CHECK(escape_html("\xC0\xBC") == fffd + fffd);                        // overlong '<'
    CHECK(escape_html("\xED\xA0\x80") == fffd + fffd + fffd);             // surrogate
    CHECK(escape_html("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // past U+10FFFF
    CHECK(escape_html("\xE2\x82<") == fffd + fffd + "&lt;");
}
