// Fuzz target for what the agent parses from outside: the --server address a person types,
// the server's pairing answers (SPEC §3), its own agent.json, and the server's acks and errors
// (SPEC §2). Never crashes; what it accepts keeps its promises (a port in range, a grant
// within its limits, a valid hostId, an ack that reads back the same once written).
#include <windash/agent/config.hpp>
#include <windash/agent/replies.hpp>
#include <windash/core/sample.hpp>
#include <windash/pairing/flow.hpp>
#include <windash/protocol/writer.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace windash;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto url = pairing::parse_server_url(text)) {
        if (url->port == 0 || url->host.empty()) __builtin_trap();
        (void)pairing::parse_server_url(url->origin());
    }
    if (auto grant = pairing::parse_device_code_grant(text)) {
        if (grant->interval < std::chrono::seconds{1} ||
            grant->interval > pairing::answer_limits::max_interval ||
            grant->expires_in > pairing::answer_limits::max_expires_in ||
            grant->device_code.empty() ||
            grant->device_code.size() > pairing::answer_limits::max_field_bytes) {
            __builtin_trap();
        }
    }
    constexpr unsigned statuses[] = {200, 404, 429, 403, 410, 400, 500};
    const unsigned status = statuses[size > 0 ? data[0] % 7 : 0];
    if (auto answer = pairing::parse_poll_answer(status, text)) {
        if (answer->status == pairing::poll_status::approved &&
            (answer->approved.token.empty() || answer->approved.device_id <= 0)) {
            __builtin_trap();
        }
    }
    if (auto config = agent::parse_config(text)) {
        if (!is_valid_host_id(config->host_id) || config->device_id <= 0) __builtin_trap();
        auto again = agent::parse_config(agent::serialize_config(*config));
        if (!again || *again != *config) __builtin_trap();
    }
    if (auto reply = agent::parse_server_reply(text)) {
        std::string written;
        if (auto* ack = std::get_if<protocol::ack>(&*reply)) {
            protocol::write_ack(written, *ack);
        } else {
            protocol::write_error(written, std::get<protocol::error_message>(*reply));
        }
        auto again = agent::parse_server_reply(written);
        if (!again || *again != *reply) __builtin_trap();
    }
    return 0;
}
