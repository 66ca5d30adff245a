#pragma once
// store::listen() for PostgreSQL: a connection of its own outside the pool, LISTENing on the
// channels, and a thread that hands each notification to the handler.

#include <windash/store/store.hpp>

#include <memory>
#include <string>
#include <vector>

namespace windash::store::postgres {

/// Connects to `url` and LISTENs before returning (so nothing sent after this returns is
/// missed); reconnects after a lost connection. Errors: invalid_argument (a channel name that
/// is not lower-case ASCII letters and `_`), connection_lost.
[[nodiscard]] result<std::unique_ptr<listener>> start_listener(const std::string& url,
                                                               const options& opts,
                                                               std::vector<std::string> channels,
                                                               notification_handler handler);

}  // namespace windash::store::postgres
