// Fuzz target for what the ingest server parses itself: the request target's path and
// `hostId`, the Authorization header, cookies, the Origin check, form fields and redirect
// targets; and the HTML escaping of the pages. Never
// crashes; what it returns keeps its promises (a token or cookie value is inside its input,
// bounded, of the characters its rule allows).
#include "ingest/html.hpp"
#include "ingest/request_target.hpp"
#include <windash/core/sample.hpp>

#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace windash::ingest::detail;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto path = target_path(text);
    if (path.size() > text.size() || text.substr(0, path.size()) != path) __builtin_trap();
    if (auto host = query_parameter(text, "hostId")) {
        if (host->size() > text.size()) __builtin_trap();
        (void)windash::is_valid_host_id(*host);
    }
    if (auto token = bearer_token(text, 64)) {
        if (token->empty() || token->size() > 64) __builtin_trap();
        if (token->data() < text.data() || token->data() + token->size() > text.data() + size) {
            __builtin_trap();
        }
        if (token->find(' ') != std::string_view::npos) __builtin_trap();
    }
    if (auto session = cookie_value(text, "windash_session")) {
        if (session->data() < text.data() ||
            session->data() + session->size() > text.data() + size) {
            __builtin_trap();
        }
        for (char c : *session) {
            if (c == ';' || c == ' ' || c == '"' || c == ',') __builtin_trap();
        }
    }
    const windash::timestamp now{std::chrono::seconds{1'800'000'000}};
    if (auto t = time_parameter(text, now)) {
        if (text.starts_with("-") && (*t > now || now - *t > std::chrono::days{1'000'000})) {
            __builtin_trap();
        }
    }
    if (auto code = normalize_user_code(text)) {
        if (code->size() != user_code_length) __builtin_trap();
        for (char c : *code) {
            if (user_code_alphabet.find(c) == std::string_view::npos) __builtin_trap();
        }
    }
    auto half = text.substr(0, text.size() / 2);
    (void)same_origin(half, text.substr(half.size()));
    if (auto field = form_field(text, "code")) {
        if (field->size() > text.size()) __builtin_trap();
    }
    // Never another host: one leading slash, no backslash, nothing below 0x21.
    auto next = local_redirect(text);
    if (next.empty() || next[0] != '/' || next.starts_with("//")) __builtin_trap();
    for (char c : next) {
        if (c == '\\' || static_cast<unsigned char>(c) <= 0x20) __builtin_trap();
    }
    for (char c : percent_encode(text)) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 &&
            std::string_view("-._~%").find(c) == std::string_view::npos) {
            __builtin_trap();
        }
    }
    for (char c : escape_html(text)) {
        if (c == '<' || c == '>' || c == '"' || c == '\'') __builtin_trap();
    }
    return 0;
}
