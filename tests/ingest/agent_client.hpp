#pragma once
// A WebSocket agent for tests, over TCP (ws://) or TLS (wss://): every operation waits at most
// a few seconds, so a server that misbehaves fails the test instead of hanging it. Beast lives
// in agent_client.cpp, compiled once for every end-to-end test.

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace windash::testing {

/// What a read from the server gave: a text message, or the close code the server sent, or
/// an error (timeout included) that ended the connection.
struct received {
    std::optional<std::string> text;
    std::optional<std::uint16_t> close_code;
    std::string error;
};

/// HTTP header fields in order, names as sent.
using http_headers = std::vector<std::pair<std::string, std::string>>;

/// An HTTP status, body and headers (agent_client::get(), http_call()); status 0: no answer.
struct http_reply {
    unsigned status = 0;
    std::string body;
    http_headers headers;
    /// Every value of header `name` (case-insensitive).
    [[nodiscard]] std::vector<std::string> all(std::string_view name) const {
        std::vector<std::string> out;
        for (const auto& [n, v] : headers) {
            if (n.size() == name.size() &&
                std::equal(n.begin(), n.end(), name.begin(), [](char a, char b) {
                    return std::tolower(static_cast<unsigned char>(a)) ==
                           std::tolower(static_cast<unsigned char>(b));
                })) {
                out.push_back(v);
            }
        }
        return out;
    }
};

class agent_client {
  public:
    /// TLS settings: the certificate (PEM) trusted as the only CA, empty for none. The server
    /// name asked for and verified is `localhost`.
    struct tls {
        std::string trusted_certificate;
    };

    /// A plain TCP client (ws://).
    agent_client();
    /// A TLS client (wss://).
    explicit agent_client(const tls& settings);
    ~agent_client();
    agent_client(const agent_client&) = delete;
    agent_client& operator=(const agent_client&) = delete;

    /// Connects and asks for the upgrade of `target` with `token` (none when empty) and the
    /// `extra` header fields (replacing Beast's, Host included); returns the HTTP status the
    /// server answered (101 on success; 0 when TCP or TLS failed, see transport_error()) and
    /// keeps the body in refusal_body().
    unsigned connect(std::uint16_t port, const std::string& target, const std::string& token,
                     const http_headers& extra = {});
    [[nodiscard]] std::string refusal_body() const;
    [[nodiscard]] const std::string& transport_error() const;

    /// One HTTP GET on a connection of its own (instead of connect()); nullopt when the
    /// transport failed (transport_error()) or no whole response came within 10 s.
    std::optional<http_reply> get(std::uint16_t port, const std::string& target);

    /// Sends one text (or binary) frame; false when the connection is gone.
    bool send(const std::string& text, bool binary = false);
    /// Writes only the start of a masked text frame (RFC 6455 §5.2) that announces `length`
    /// payload bytes: the header and 16 bytes of payload, never the rest. For limit tests: the
    /// server must refuse the frame from its header, and this client has no write in flight
    /// when the refusal arrives, so the close frame is always there to read. ws:// only; false
    /// when the write failed.
    bool send_frame_start(std::uint64_t length);
    /// The next message, or how the connection ended. On a timeout the read stays in flight
    /// (pings are answered meanwhile) and the next receive() continues it.
    received receive(std::chrono::milliseconds timeout = std::chrono::seconds{10});
    /// Closes with 1000 and waits (at most 5 s) for the server's close.
    void close();

    class connection;  // agent_client.cpp

  private:
    std::unique_ptr<connection> impl_;
};

}  // namespace windash::testing
