#include <windash/agent/replies.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace windash::agent {

namespace json = boost::json;

namespace {

agent_error bad(std::string what) { return {"the server sent " + std::move(what)}; }

std::optional<std::uint64_t> whole_number(const json::value* v) {
    if (v == nullptr) return std::nullopt;
    if (v->is_uint64()) return v->get_uint64();
    if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
    return std::nullopt;
}

agent_result<server_reply> parse_ack(const json::object& o) {
    protocol::ack a;
    if (auto* seq = o.if_contains("seq"); seq != nullptr && !seq->is_null()) {
        auto n = whole_number(seq);
        if (!n) return bad("an ack whose seq is not a whole number");
        a.seq = *n;
    }
    for (auto [key, into] :
         {std::pair{"accepted", &a.accepted}, std::pair{"duplicates", &a.duplicates}}) {
        auto n = whole_number(o.if_contains(key));
        if (!n) return bad(std::string("an ack whose ") + key + " is not a whole number");
        *into = *n;
    }
    if (auto* rejected = o.if_contains("rejected"); rejected != nullptr) {
        if (!rejected->is_array()) return bad("an ack whose rejected is not an array");
        for (const auto& entry : rejected->get_array()) {
            const auto* r = entry.if_object();
            auto index = r ? whole_number(r->if_contains("index")) : std::nullopt;
            const auto* error = r ? r->if_contains("error") : nullptr;
            if (!index || error == nullptr || !error->is_string()) {
                return bad("an ack whose rejected entry lacks a whole index or an error string");
            }
            a.rejected.push_back(
                {static_cast<std::size_t>(*index), std::string(error->get_string())});
        }
    }
    return a;
}

}  // namespace

agent_result<server_reply> parse_server_reply(std::string_view frame) {
    if (frame.size() > max_reply_bytes) return bad("a frame over 4 MiB");
    boost::system::error_code ec;
    auto v = json::parse(frame, ec);
    if (ec || !v.is_object()) return bad("a frame that is not a JSON object");
    const auto& o = v.get_object();
    const auto* type = o.if_contains("type");
    if (type == nullptr || !type->is_string()) return bad("a frame without a type");
    if (type->get_string() == "ack") return parse_ack(o);
    if (type->get_string() == "error") {
        protocol::error_message e;
        const auto* code = o.if_contains("code");
        const auto* message = o.if_contains("message");
        if (code == nullptr || !code->is_string() || message == nullptr || !message->is_string())
            return bad("an error without code and message strings");
        e.code = std::string(code->get_string());
        e.message = std::string(message->get_string());
        return e;
    }
    const std::string_view name = type->get_string();
    return bad("a frame of unknown type \"" + std::string(name.substr(0, 64)) + "\"");
}

}  // namespace windash::agent
