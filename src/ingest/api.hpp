#pragma once
// The browser API under /api/ (SPEC §4 accounts so far): JSON in, JSON out, sessions in
// cookies, CSRF by double submit. Handlers block on the database and on password hashing, so
// http_session runs them off the I/O threads (account routes on server_state::accounts).

#include "ingest/server_state.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace windash::ingest::detail {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

/// What a handler knows of the connection besides the request.
struct request_context {
    std::string client_address;  ///< the peer's IP address, for per-address limits
    bool tls = false;            ///< cookies get `Secure` under TLS
};

/// Whether `path` is served by handle_api() on the accounts pool (it hashes passwords).
[[nodiscard]] bool is_account_route(std::string_view path) noexcept;

/// A JSON response with the headers every API answer carries (no-store, nosniff).
[[nodiscard]] http_response json_response(boost::beast::http::status status, std::string body,
                                          unsigned version);

/// Answers `req`, whose path starts with /api/. Blocking; thread-safe.
[[nodiscard]] http_response handle_api(server_state& state, store::store& db,
                                       const http_request& req, const request_context& ctx);

}  // namespace windash::ingest::detail
