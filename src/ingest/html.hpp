#pragma once
// HTML text for the server-rendered pages. Pure; every string that came from an agent or a
// person goes through escape_html() before it is part of a page.

#include <string>
#include <string_view>

namespace windash::ingest::detail {

/// `text` safe inside HTML element content and double- or single-quoted attribute values:
/// `& < > " '` become character references; C0 controls other than tab, newline and carriage
/// return, DEL, and bytes that are not valid UTF-8 become U+FFFD.
[[nodiscard]] std::string escape_html(std::string_view text);

}  // namespace windash::ingest::detail
