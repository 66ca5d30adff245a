#pragma once
// The fast path for samples written the plain way (no escapes, no exponents, only the fields
// of SPEC §1, each once), which is how every agent writes them: it reads the bytes directly
// instead of going value by value through simdjson's iterator. It accepts only text that is
// valid JSON and a valid sample; for anything else it gives up, and the general reader, which
// produces the precise error, reads the sample instead.

#include <windash/core/sample.hpp>
#include <windash/protocol/messages.hpp>

#include <string_view>

namespace windash::protocol::detail {

/// Reads the sample object starting at `text` into `out` (reusing its storage). Returns false,
/// with `out` in an unspecified state, when the sample is not in the plain form or breaks a
/// rule. `text` must be inside a document that passed simdjson's stage 1 (UTF-8 and control
/// characters checked, strings closed) with simdjson's padding after it.
[[nodiscard]] bool scan_plain_sample(const char* text, sample& out,
                                     std::string_view expected_host_id) noexcept;

/// Reads a whole metrics frame `{"type":"metrics","seq":N,"samples":[...]}` of plain samples
/// (1..max_samples, none rejected) into `out`, when the frame is exactly that and nothing
/// else follows it. Same preconditions and give-up contract as scan_plain_sample.
[[nodiscard]] bool scan_plain_metrics(std::string_view frame, std::size_t max_samples,
                                      metrics_batch& out,
                                      std::string_view expected_host_id) noexcept;

}  // namespace windash::protocol::detail
