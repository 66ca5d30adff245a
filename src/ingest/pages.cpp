#include "ingest/pages.hpp"

#include "ingest/accounts.hpp"
#include "ingest/html.hpp"
#include "ingest/request_target.hpp"
#include <windash/ingest/provisioning.hpp>

#include <fmt/format.h>

namespace windash::ingest::detail {

namespace http = boost::beast::http;

namespace {

// The pages' only stylesheet: served from this server, so the CSP needs no 'unsafe-inline'.
constexpr std::string_view stylesheet =
    R"css(:root{color-scheme:light dark;--fg:#1b1f24;--bg:#f6f7f9;--card:#fff;--muted:#5b6470;--accent:#2563eb;--bad:#b42318;--line:#d6dae0}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8eb;--bg:#111418;--card:#1b2027;--muted:#9aa4b1;--accent:#6ea0ff;--bad:#ff8a80;--line:#2c333d}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:34rem;margin:3rem auto;padding:1.5rem;background:var(--card);border:1px solid var(--line);border-radius:.75rem}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{width:100%;padding:.55rem .7rem;font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:.4rem}
button{margin-top:1rem;padding:.55rem 1.1rem;font:inherit;font-weight:600;border:0;border-radius:.4rem;background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:transparent;color:var(--fg);border:1px solid var(--line)}button:focus-visible,input:focus-visible,a:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.error{color:var(--bad);font-weight:600}.muted{color:var(--muted)}a{color:var(--accent)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:1rem 0}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
table{width:100%;border-collapse:collapse}td,th{text-align:left;padding:.35rem .4rem;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
.row{display:flex;gap:.75rem;flex-wrap:wrap}code{font-size:1.1rem;letter-spacing:.05em}
header{max-width:34rem;margin:1.5rem auto 0;padding:0 1.5rem}header a{font-weight:700;font-size:1.1rem;text-decoration:none;color:var(--fg)}
header+main{margin-top:1rem}
)css";

// CSP: nothing inline, nothing from elsewhere, no framing (clickjacking an approve button).
constexpr std::string_view content_security_policy =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";

// The dashboard's page: its scripts and stylesheets from /assets/ only, fetch and the live
// WebSocket to this server only ('self' covers ws:// and wss:// of the same host), still
// nothing inline and no framing.
constexpr std::string_view dashboard_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const web_file* find_web_file(const server_options& opts, std::string_view name) {
    for (const auto& f : opts.web_files) {
        if (f.name == name) return &f;
    }
    return nullptr;
}

// `/`, `/add` and `/devices/<id>`: the dashboard's own routes (its script reads the path).
bool is_dashboard_route(std::string_view path) noexcept {
    if (path == "/" || path == "/add") return true;
    constexpr std::string_view devices = "/devices/";
    if (!path.starts_with(devices) || path.size() == devices.size() || path.size() > 29)
        return false;
    for (char c : path.substr(devices.size())) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

http_response html_response(http::status status, std::string body, unsigned version) {
    http_response res{status, version};
    res.set(http::field::server, "windash-server");
    res.set(http::field::content_type, "text/html; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    res.set("Content-Security-Policy", content_security_policy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    // Pairing URLs carry the user code: never leak them to another site. Not `no-referrer`:
    // under it browsers send `Origin: null` with a form's POST, and sign-in and sign-up would
    // refuse their own forms as cross-site.
    res.set("Referrer-Policy", "same-origin");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

// A whole page; `title` is escaped here, `body` is HTML already escaped by its maker. The
// dashboard's icon when the server has it (else browsers ask for /favicon.ico).
std::string render_page(const server_options& opts, std::string_view title, std::string_view body) {
    const std::string_view icon =
        find_web_file(opts, "icon.svg")
            ? "<link rel=\"icon\" href=\"/assets/icon.svg\" type=\"image/svg+xml\">"
            : "";
    return fmt::format(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>{} · windash</title><link rel=\"stylesheet\" href=\"/pages.css\">{}</head>"
        "<body><header><a href=\"/\">windash</a></header><main>{}</main></body></html>\n",
        escape_html(title), icon, body);
}

http_response redirect(std::string_view location, unsigned version) {
    http_response res{http::status::see_other, version};
    res.set(http::field::server, "windash-server");
    res.set(http::field::location, location);
    res.set(http::field::cache_control, "no-store");
    res.set("Referrer-Policy", "same-origin");
    res.prepare_payload();
    return res;
}

std::string error_paragraph(std::string_view message) {
    if (message.empty()) return {};
    return fmt::format("<p class=\"error\" role=\"alert\">{}</p>", escape_html(message));
}

std::string account_message(const account_outcome& out) {
    switch (out.refusal) {
        case account_refusal::invalid_request:
            return out.message;
        case account_refusal::email_taken:
            return "An account with this email exists: sign in instead.";
        case account_refusal::signup_closed:
            return "Sign-up is closed on this server. Ask its administrator for an account.";
        case account_refusal::too_many_attempts:
            return "Too many failed sign-ins. Wait a few minutes and try again.";
        case account_refusal::invalid_credentials:
            return "Wrong email or password.";
        case account_refusal::unavailable:
            return "The database is unavailable. Try again shortly.";
        case account_refusal::none:
            break;
    }
    return {};
}

http::status account_status(account_refusal r) {
    switch (r) {
        case account_refusal::invalid_request:
            return http::status::bad_request;
        case account_refusal::email_taken:
            return http::status::conflict;
        case account_refusal::signup_closed:
            return http::status::forbidden;
        case account_refusal::too_many_attempts:
            return http::status::too_many_requests;
        case account_refusal::invalid_credentials:
            return http::status::unauthorized;
        case account_refusal::unavailable:
        case account_refusal::none:
            break;
    }
    return http::status::service_unavailable;
}

class page_handler {
  public:
    page_handler(server_state& state, store::store& db, const http_request& req,
                 const request_context& ctx)
        : state_(state), db_(db), req_(req), ctx_(ctx), version_(req.version()) {}

    http_response route() {
        const auto path = target_path(req_.target());
        const bool get = req_.method() == http::verb::get;
        const bool post = req_.method() == http::verb::post;
        if (path == "/pages.css" && get) {
            http_response res{http::status::ok, version_};
            res.set(http::field::content_type, "text/css; charset=utf-8");
            res.set(http::field::cache_control, "max-age=3600");
            res.set("X-Content-Type-Options", "nosniff");
            res.body() = std::string(stylesheet);
            res.prepare_payload();
            return res;
        }
        if (is_dashboard_route(path)) {
            if (!get)
                return message_page(http::status::method_not_allowed, "Not allowed",
                                    "This page does not answer that method.");
            if (const auto* index = find_web_file(state_.opts, "index.html"))
                return dashboard(path, *index);
            if (path == "/") return home();
            return message_page(http::status::not_found, "Not found",
                                "This server has no dashboard: see / for your machines.");
        }
        if (path == "/login") {
            if (get) return login_form(next_from_query(), "", http::status::ok);
            if (post) return login();
        } else if (path == "/signup") {
            if (get) return signup_form(next_from_query(), "", http::status::ok);
            if (post) return signup();
        } else if (path == "/pair") {
            if (get) return pair_page();
            if (post) return pair_decision();
        } else if (path == "/logout") {
            if (post) return logout();
        }
        return message_page(http::status::method_not_allowed, "Not allowed",
                            "This page does not answer that method.");
    }

  private:
    [[nodiscard]] std::string page(std::string_view title, std::string_view body) const {
        return render_page(state_.opts, title, body);
    }
    http_response message_page(http::status status, std::string_view title,
                               std::string_view text) const {
        return html_response(
            status,
            page(title, fmt::format("<h1>{}</h1><p>{}</p>", escape_html(title), escape_html(text))),
            version_);
    }
    http_response unavailable() const {
        return message_page(http::status::service_unavailable, "Unavailable",
                            "The database is unavailable. Try again shortly.");
    }

    [[nodiscard]] std::string field(std::string_view name) const {
        return form_field(req_.body(), name).value_or("");
    }
    [[nodiscard]] std::string next_from_query() const {
        return local_redirect(query_parameter(req_.target(), "next").value_or("/"));
    }
    // The CSRF token the forms of a signed-in page carry (the windash_csrf cookie's value).
    [[nodiscard]] std::string csrf_field() const {
        auto token = cookie_value(req_[http::field::cookie], csrf_cookie);
        return fmt::format("<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
                           escape_html(token.value_or("")));
    }
    [[nodiscard]] bool cross_site() const {
        return !same_origin(req_[http::field::origin], req_[http::field::host]);
    }
    [[nodiscard]] http_response to_login(std::string_view next) const {
        return redirect("/login?next=" + percent_encode(next), version_);
    }

    // --- sign-in and sign-up -------------------------------------------------------------

    http_response login_form(std::string_view next, std::string_view message,
                             http::status status) const {
        const auto n = escape_html(next);
        return html_response(
            status,
            page("Sign in",
                 fmt::format("<h1>Sign in to windash</h1>{}"
                             "<form method=\"post\" action=\"/login\">"
                             "<input type=\"hidden\" name=\"next\" value=\"{}\">"
                             "<label for=\"email\">Email</label>"
                             "<input id=\"email\" name=\"email\" type=\"email\" required "
                             "autocomplete=\"username\" maxlength=\"254\" autofocus>"
                             "<label for=\"password\">Password</label>"
                             "<input id=\"password\" name=\"password\" type=\"password\" "
                             "required autocomplete=\"current-password\" maxlength=\"256\">"
                             "<button type=\"submit\">Sign in</button></form>"
                             "<p class=\"muted\">No account yet? "
                             "<a href=\"/signup?next={}\">Sign up</a></p>",
                             error_paragraph(message), n, escape_html(percent_encode(next)))),
            version_);
    }

    http_response signup_form(std::string_view next, std::string_view message,
                              http::status status) const {
        return html_response(
            status,
            page("Sign up",
                 fmt::format("<h1>Create your windash account</h1>{}"
                             "<form method=\"post\" action=\"/signup\">"
                             "<input type=\"hidden\" name=\"next\" value=\"{}\">"
                             "<label for=\"name\">Name</label>"
                             "<input id=\"name\" name=\"name\" required maxlength=\"256\" "
                             "autocomplete=\"name\" autofocus>"
                             "<label for=\"email\">Email</label>"
                             "<input id=\"email\" name=\"email\" type=\"email\" required "
                             "autocomplete=\"username\" maxlength=\"254\">"
                             "<label for=\"password\">Password (at least 8 characters)</label>"
                             "<input id=\"password\" name=\"password\" type=\"password\" "
                             "required minlength=\"8\" maxlength=\"256\" "
                             "autocomplete=\"new-password\">"
                             "<button type=\"submit\">Sign up</button></form>"
                             "<p class=\"muted\">Have an account? "
                             "<a href=\"/login?next={}\">Sign in</a></p>",
                             error_paragraph(message), escape_html(next),
                             escape_html(percent_encode(next)))),
            version_);
    }

    http_response login() {
        const auto next = local_redirect(field("next"));
        if (cross_site()) {
            return message_page(http::status::forbidden, "Refused",
                                "Sign-in from another site is refused.");
        }
        auto out = log_in(state_, db_, field("email"), field("password"), ctx_.client_address);
        if (!out.user) return login_form(next, account_message(out), account_status(out.refusal));
        return signed_in_redirect(*out.user, next);
    }

    http_response signup() {
        const auto next = local_redirect(field("next"));
        if (cross_site()) {
            return message_page(http::status::forbidden, "Refused",
                                "Sign-up from another site is refused.");
        }
        auto out = sign_up(state_, db_, field("email"), field("name"), field("password"));
        if (!out.user) {
            return signup_form(next, account_message(out), account_status(out.refusal));
        }
        return signed_in_redirect(*out.user, next);
    }

    http_response signed_in_redirect(const store::user& u, std::string_view next) {
        auto session = start_session(state_, db_, u, ctx_.tls);
        if (!session) return unavailable();
        auto res = redirect(next, version_);
        res.insert(http::field::set_cookie, session->session_cookie);
        res.insert(http::field::set_cookie, session->csrf_cookie);
        return res;
    }

    http_response logout() {
        if (!csrf_matches(req_[http::field::cookie], field("csrf"))) return csrf_refused();
        if (!end_session(db_, req_[http::field::cookie])) return unavailable();
        auto res = redirect("/login", version_);
        res.insert(http::field::set_cookie, cookie_line(session_cookie, "", 0, true, ctx_.tls));
        res.insert(http::field::set_cookie, cookie_line(csrf_cookie, "", 0, false, ctx_.tls));
        return res;
    }

    http_response csrf_refused() const {
        return message_page(http::status::forbidden, "Refused",
                            "This form is stale or came from another site. Reload the page and "
                            "try again.");
    }

    std::string logout_form() const {
        return fmt::format(
            "<form method=\"post\" action=\"/logout\">{}"
            "<button class=\"secondary\" type=\"submit\">Sign out</button></form>",
            csrf_field());
    }

    // --- home: the dashboard, or the user's machines as a plain page without it ----------

    // The dashboard's page for a signed-in user; its script renders `path`.
    http_response dashboard(std::string_view path, const web_file& index) {
        auto who = find_signed_in(state_, db_, req_[http::field::cookie]);
        if (who.unavailable) return unavailable();
        if (!who.user) return to_login(path);
        auto res = html_response(http::status::ok, std::string(index.body), version_);
        res.set("Content-Security-Policy", dashboard_security_policy);
        return res;
    }

    http_response home() {
        auto who = find_signed_in(state_, db_, req_[http::field::cookie]);
        if (who.unavailable) return unavailable();
        if (!who.user) return to_login("/");
        auto devices = db_.list_devices(who.user->id);
        if (!devices) return unavailable();
        const auto now = wall_now();
        std::string rows;
        for (const auto& d : *devices) {
            rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", escape_html(d.name),
                                escape_html(d.host_id),
                                store::is_online(d, now) ? "online" : "offline");
        }
        std::string body =
            fmt::format("<h1>Your machines</h1><p class=\"muted\">Signed in as {}</p>",
                        escape_html(who.user->email));
        if (rows.empty()) {
            body +=
                "<p>No machine yet. Run <code>windash-agent pair --server URL</code> on one, "
                "then open the link it prints.</p>";
        } else {
            body +=
                "<table><thead><tr><th>Name</th><th>Host</th><th>State</th></tr></thead>"
                "<tbody>" +
                rows + "</tbody></table>";
        }
        body += code_entry_form("") + logout_form();
        return html_response(http::status::ok, page("Machines", body), version_);
    }

    // --- pairing approval (SPEC §3) --------------------------------------------------------

    static std::string code_entry_form(std::string_view message) {
        return fmt::format(
            "<form method=\"get\" action=\"/pair\">{}"
            "<label for=\"code\">Pairing code shown by the agent</label>"
            "<input id=\"code\" name=\"code\" required maxlength=\"64\" "
            "autocomplete=\"off\" placeholder=\"WDJB-MJHT\">"
            "<button type=\"submit\">Continue</button></form>",
            error_paragraph(message));
    }

    http_response pair_page() {
        auto who = find_signed_in(state_, db_, req_[http::field::cookie]);
        if (who.unavailable) return unavailable();
        auto typed = query_parameter(req_.target(), "code");
        if (!who.user) {
            return to_login(typed ? "/pair?code=" + percent_encode(*typed) : "/pair");
        }
        if (!typed || typed->empty()) {
            return html_response(http::status::ok,
                                 page("Pair a machine", "<h1>Pair a machine</h1>" +
                                                            code_entry_form("") + logout_form()),
                                 version_);
        }
        auto found = find_typed_code(state_, db_, *typed, who.user->id, ctx_.client_address);
        if (!found.code) return pair_refused(found.refusal);
        const auto& c = *found.code;
        if (c.status != store::device_code_status::pending) {
            return message_page(http::status::conflict, "Already decided",
                                "This pairing request was already approved or denied.");
        }
        const auto shown = [](const std::string& s) {
            return s.empty() ? std::string("<span class=\"muted\">not given</span>")
                             : escape_html(s);
        };
        std::string body = fmt::format(
            "<h1>Authorise a machine?</h1>"
            "<p>A windash agent asks to send this machine's metrics to your account. Approve it "
            "only if you started pairing on that machine just now and the code matches.</p>"
            "<p>Code <code>{}</code></p>"
            "<dl><dt>Host id</dt><dd>{}</dd><dt>Hostname</dt><dd>{}</dd>"
            "<dt>Address</dt><dd>{}</dd><dt>Asked at</dt><dd>{}</dd>"
            "<dt>Expires at</dt><dd>{}</dd></dl>"
            "<form method=\"post\" action=\"/pair\">{}"
            "<input type=\"hidden\" name=\"code\" value=\"{}\">"
            "<label for=\"name\">Name for this machine (optional)</label>"
            "<input id=\"name\" name=\"name\" maxlength=\"256\" value=\"{}\">"
            "<div class=\"row\"><button type=\"submit\" name=\"decision\" value=\"approve\">"
            "Approve</button><button class=\"secondary\" type=\"submit\" name=\"decision\" "
            "value=\"deny\">Deny</button></div></form>",
            escape_html(display_code(c.user_code)), shown(c.host_id), shown(c.hostname),
            shown(c.client_address), escape_html(to_rfc3339(c.created_at)),
            escape_html(to_rfc3339(c.expires_at)), csrf_field(), escape_html(c.user_code),
            escape_html(c.hostname.empty() ? c.host_id : c.hostname));
        return html_response(http::status::ok, page("Authorise a machine", body), version_);
    }

    http_response pair_refused(pair_refusal r) const {
        switch (r) {
            case pair_refusal::too_many_attempts:
                return message_page(http::status::too_many_requests, "Too many attempts",
                                    "Too many wrong codes. Wait ten minutes and try again.");
            case pair_refusal::invalid_code:
                return html_response(
                    http::status::not_found,
                    page("Pair a machine",
                         "<h1>Pair a machine</h1>" +
                             code_entry_form("No pending request has this code. Check it, or "
                                             "start pairing again on the machine.")),
                    version_);
            case pair_refusal::already_decided:
                return message_page(http::status::conflict, "Already decided",
                                    "This pairing request was already approved or denied.");
            case pair_refusal::none:
            case pair_refusal::unavailable:
                break;
        }
        return unavailable();
    }

    http_response pair_decision() {
        auto who = find_signed_in(state_, db_, req_[http::field::cookie]);
        if (who.unavailable) return unavailable();
        if (!who.user) return to_login("/pair");
        if (!csrf_matches(req_[http::field::cookie], field("csrf"))) return csrf_refused();
        const auto decision = field("decision");
        if (decision != "approve" && decision != "deny") {
            return message_page(http::status::bad_request, "Bad request",
                                "decision: must be approve or deny");
        }
        const auto name = field("name");
        if (name.size() > account_limits::max_name_length) {
            return message_page(http::status::bad_request, "Bad request",
                                "name: must be at most 256 characters");
        }
        const bool approve = decision == "approve";
        auto decided = decide_typed_code(state_, db_, field("code"), who.user->id,
                                         ctx_.client_address, approve, name);
        if (!decided.code) return pair_refused(decided.refusal);
        const auto& c = *decided.code;
        const auto label = c.device_name.empty() ? c.host_id : c.device_name;
        std::string body = approve
                               ? fmt::format(
                                     "<h1>Approved</h1><p><strong>{}</strong> is paired: its agent "
                                     "picks up its token within seconds and starts sending.</p>",
                                     escape_html(label))
                               : fmt::format(
                                     "<h1>Denied</h1><p>The request from <strong>{}</strong> was "
                                     "denied; its agent stops asking.</p>",
                                     escape_html(c.hostname.empty() ? c.host_id : c.hostname));
        body += "<p><a href=\"/\">Your machines</a></p>";
        return html_response(http::status::ok, page(approve ? "Approved" : "Denied", body),
                             version_);
    }

    server_state& state_;
    store::store& db_;
    const http_request& req_;
    const request_context& ctx_;
    unsigned version_;
};

}  // namespace

bool is_page_route(std::string_view path) noexcept {
    return is_dashboard_route(path) || path == "/login" || path == "/signup" || path == "/pair" ||
           path == "/logout" || path == "/pages.css";
}

bool is_account_page(const http_request& req) noexcept {
    const auto path = target_path(req.target());
    return req.method() == http::verb::post && (path == "/login" || path == "/signup");
}

http_response asset_response(const server_options& opts, const http_request& req) {
    const auto path = target_path(req.target());
    constexpr std::string_view prefix = "/assets/";
    const auto* file = path.starts_with(prefix) && path.substr(prefix.size()) != "index.html"
                           ? find_web_file(opts, path.substr(prefix.size()))
                           : nullptr;
    http_response res{file ? http::status::ok : http::status::not_found, req.version()};
    res.set(http::field::server, "windash-server");
    res.set("X-Content-Type-Options", "nosniff");
    if (!file) {
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = "not found\n";
    } else {
        res.set(http::field::content_type, file->content_type);
        // Small files, revalidated on every load: a new server version is picked up at once.
        res.set(http::field::cache_control, "no-cache");
        res.body() = std::string(file->body);
    }
    res.prepare_payload();
    if (req.method() == http::verb::head) res.body().clear();
    return res;
}

http_response handle_page(server_state& state, store::store& db, const http_request& req,
                          const request_context& ctx) {
    return page_handler(state, db, req, ctx).route();
}

}  // namespace windash::ingest::detail
