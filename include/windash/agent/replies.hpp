#pragma once
/// @file
/// What the server sends an agent (SPEC §2): `ack` after a batch is durably stored, `error`
/// for a frame that was not a valid message. One frame every interval at most, so this reads
/// with Boost.JSON rather than the server's simdjson path, and builds for Windows as well.
#include <windash/agent/errors.hpp>
#include <windash/protocol/messages.hpp>

#include <string_view>
#include <variant>

namespace windash::agent {

/// Reply frames bigger than this are refused (an ack of 1000 rejected samples with long
/// reasons stays far below).
inline constexpr std::size_t max_reply_bytes = 4u << 20;

using server_reply = std::variant<protocol::ack, protocol::error_message>;

/// Parses one text frame from the server. Fails, naming the field, on anything SPEC §2 does
/// not allow: not an object, an unknown `type`, counts that are not whole numbers, a rejected
/// entry without `index` and `error`. Unknown fields are ignored. Pure; fuzzed.
[[nodiscard]] agent_result<server_reply> parse_server_reply(std::string_view frame);

}  // namespace windash::agent
