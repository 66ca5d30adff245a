#pragma once
/// @file
/// Serializes messages to the exact JSON of SPEC §1-§2, appending to a caller-owned string so
/// a connection reuses one buffer. No DOM is built; numbers use the shortest text that reads
/// back to the same double. Depends on windash::core only (no simdjson, no fmt), so it also
/// builds with mingw for the Windows collector.

#include <windash/core/sample.hpp>
#include <windash/protocol/messages.hpp>

#include <string>

namespace windash::protocol {

/// Appends `s` as a Sample v1 object (`{"v":1,"ts":...}`); absent optional fields are
/// omitted. Non-finite numbers, which JSON cannot carry, are written as `null`.
void write_sample(std::string& out, const sample& s);

/// Appends `{"type":"metrics"[,"seq":N],"samples":[...]}` with `b.samples` (not `b.rejected`).
void write_metrics(std::string& out, const metrics_batch& b);

/// Appends `{"type":"hello",...}`; empty strings and an absent `cores` are omitted.
void write_hello(std::string& out, const hello& h);

/// Appends `{"type":"ack"[,"seq":N],"accepted":N,"duplicates":N,"rejected":[...]}`.
void write_ack(std::string& out, const ack& a);

/// Appends `{"type":"error","code":"...","message":"..."}`.
void write_error(std::string& out, const error_message& e);

/// Appends `text` as a JSON string literal, quoted and escaped (RFC 8259 §7).
void write_json_string(std::string& out, std::string_view text);

}  // namespace windash::protocol
