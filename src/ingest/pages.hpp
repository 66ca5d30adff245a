#pragma once
// The server-rendered pages (SPEC §3 `/pair`; sign-in and sign-up): plain HTML forms, no
// script. Every string from an agent or a person is escaped; every page carries a CSP without
// inline script and frame-ancestors 'none'. Forms that change state send the CSRF token as
// the field `csrf`; sign-in and sign-up refuse a cross-site Origin, like the API.

#include "ingest/api.hpp"

#include <string_view>

namespace windash::ingest::detail {

/// Whether handle_page() serves `path`.
[[nodiscard]] bool is_page_route(std::string_view path) noexcept;
/// Whether `req` hashes a password (a sign-in or sign-up form): run it on server_state::accounts.
[[nodiscard]] bool is_account_page(const http_request& req) noexcept;

/// A dashboard file (`/assets/<name>`, GET or HEAD) from opts.web_files, or 404. No
/// database, no session: the files are the same for everyone.
[[nodiscard]] http_response asset_response(const server_options& opts, const http_request& req);
/// Answers a page request. Blocking; thread-safe.
[[nodiscard]] http_response handle_page(server_state& state, store::store& db,
                                        const http_request& req, const request_context& ctx);

}  // namespace windash::ingest::detail
