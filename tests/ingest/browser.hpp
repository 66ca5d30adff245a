#pragma once
// A test browser for the HTTP API and pages: keeps its cookies between requests, sends the CSRF
// header when asked, like the dashboard's script would.

#include "ingest/agent_client.hpp"
#include "ingest/server_fixture.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace windash::testing {

// What a browser keeps between requests: its cookies.
class browser {
  public:
    explicit browser(std::uint16_t port) : port_(port) {}

    http_reply post(const std::string& target, const std::string& body, http_headers extra = {}) {
        return call("POST", target, body, std::move(extra));
    }
    http_reply get(const std::string& target) { return call("GET", target, {}, {}); }
    /// An HTML form post (application/x-www-form-urlencoded), Origin this server.
    http_reply post_form(const std::string& target, const std::string& body) {
        return call("POST", target, body,
                    {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Origin", "http://127.0.0.1:" + std::to_string(port_)}});
    }
    /// The Cookie header this browser sends.
    [[nodiscard]] std::string cookie_header() const {
        std::string cookies;
        for (const auto& [name, value] : jar_) {
            if (!cookies.empty()) cookies += "; ";
            cookies += name + "=" + value;
        }
        return cookies;
    }
    http_reply call(const std::string& method, const std::string& target, const std::string& body) {
        return call(method, target, body, {});
    }
    http_reply call_with_csrf(const std::string& method, const std::string& target,
                              const std::string& body) {
        return call(method, target, body, {{"X-CSRF-Token", cookie("windash_csrf")}});
    }
    /// A state-changing request as the dashboard sends it: with the CSRF header.
    http_reply post_with_csrf(const std::string& target, const std::string& body = {}) {
        return post(target, body, {{"X-CSRF-Token", cookie("windash_csrf")}});
    }
    [[nodiscard]] std::string cookie(const std::string& name) const {
        auto it = jar_.find(name);
        return it == jar_.end() ? std::string() : it->second;
    }

  private:
    http_reply call(const std::string& method, const std::string& target, const std::string& body,
                    http_headers extra) {
        auto cookies = cookie_header();
        if (!cookies.empty()) extra.emplace_back("Cookie", cookies);
        auto r = http_call(port_, method, target, body, extra);
        for (const auto& set : r.all("Set-Cookie")) {
            auto eq = set.find('=');
            auto end = set.find(';');
            auto name = set.substr(0, eq);
            auto value = set.substr(eq + 1, end - eq - 1);
            if (value.empty())
                jar_.erase(name);
            else
                jar_[name] = value;
        }
        return r;
    }

    std::uint16_t port_;
    std::map<std::string, std::string> jar_;
};

}  // namespace windash::testing
