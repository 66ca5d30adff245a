#include <windash/agent/replies.hpp>
#include <windash/agent/streamer.hpp>
#include <windash/pairing/tls.hpp>
#include <windash/protocol/writer.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#if WINDASH_TLS
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/websocket/ssl.hpp>
#endif
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <algorithm>
#include <csignal>
#include <deque>
#include <optional>
#include <random>

namespace windash::agent {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;
using namespace std::chrono_literals;

std::chrono::milliseconds reconnect_delay(unsigned attempt, double unit_random,
                                          std::chrono::milliseconds first,
                                          std::chrono::milliseconds max) {
    auto ceiling = first;
    for (unsigned i = 0; i < attempt && ceiling < max; ++i) ceiling *= 2;
    ceiling = std::min(ceiling, max);
    const auto span = static_cast<double>((ceiling - first).count());
    return first + std::chrono::milliseconds(
                       static_cast<std::chrono::milliseconds::rep>(span * unit_random));
}

namespace {

// `{"type":"metrics","seq":N,"samples":[` + samples + `]}` stays under the frame limit.
constexpr std::size_t envelope_bytes = 64;

// A batch sent and not yet acknowledged.
struct in_flight {
    std::uint64_t seq = 0;
    std::uint64_t spool_end = 0;  // acknowledging it acknowledges the spool up to here
    std::size_t samples = 0;
};

// How one connection ended.
struct session_outcome {
    std::optional<stream_end> fatal;
    std::string message;      // why it ended, for the log
    bool productive = false;  // got at least one ack: the next failure starts backoff anew
};

}  // namespace

struct streamer::impl {
    impl(stream_settings s, spool& sp, stream_hooks h)
        : settings(std::move(s)), spool_(sp), hooks(std::move(h)) {}

    stream_settings settings;
    spool& spool_;
    stream_hooks hooks;
    net::io_context ioc{1};
#if WINDASH_TLS
    std::optional<net::ssl::context> tls;
#endif
    net::steady_timer collect_timer{ioc};
    net::steady_timer backoff_timer{ioc};
    net::steady_timer wake{ioc};  // the writer waits on it; cancel() wakes it
    std::mt19937_64 random{std::random_device{}()};
    bool stopping = false;
    stream_report report;

    void log(log_level level, const std::string& text) const {
        if (hooks.log) hooks.log(level, text);
    }

    std::string where() const {
        return std::string(settings.server.tls ? "wss://" : "ws://") +
               settings.server.host_header() + "/agent?hostId=" + settings.host_id;
    }

    void request_stop() {
        if (stopping) return;
        stopping = true;
        collect_timer.cancel();
        backoff_timer.cancel();
        wake.cancel();  // the writer closes the connection (1000) after its current frame
    }

    net::awaitable<void> collect_loop() {
        std::string json;
        auto next = std::chrono::steady_clock::now();
        while (!stopping) {
            auto s = hooks.collect();
            if (!s) {
                log(log_level::warning, "collecting a sample failed: " + s.error().message());
            } else {
                json.clear();
                protocol::write_sample(json, *s);
                auto appended = spool_.append(json);
                if (!appended) {
                    log(log_level::error,
                        "a sample could not be spooled and is lost: " + appended.error().message);
                } else {
                    ++report.collected;
                    if (appended->total() > 0) report_drop(*appended);
                    wake.cancel();
                }
            }
            // A fixed schedule: a slow collection or a busy resend does not shift later samples;
            // ticks missed while the machine slept are skipped, not caught up.
            const auto now = std::chrono::steady_clock::now();
            do next += settings.interval;
            while (next <= now);
            collect_timer.expires_at(next);
            error_code ec;
            co_await collect_timer.async_wait(net::redirect_error(net::use_awaitable, ec));
        }
    }

    void report_drop(const spool_drop& drop) const {
        const auto st = spool_.stats();
        log(log_level::error,
            "SPOOL FULL: dropped the " + std::to_string(drop.total()) +
                " oldest samples that were never acknowledged (" +
                std::to_string(st.dropped_full + st.dropped_old) +
                " dropped since start: " + std::to_string(st.dropped_full) +
                " over the size cap, " + std::to_string(st.dropped_old) +
                " over the age cap). The server has been unreachable for long; raise "
                "--spool-max-mb or --spool-max-age-h to keep more");
    }

    net::awaitable<void> connect_loop() {
        unsigned attempt = 0;
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        while (!stopping) {
            session_outcome outcome;
#if WINDASH_TLS
            if (settings.server.tls) {
                websocket::stream<pairing::tls_stream, false> ws(ioc, *tls);
                outcome = co_await session(ws);
            } else
#endif
            {
                websocket::stream<beast::tcp_stream, false> ws(ioc);
                outcome = co_await session(ws);
            }
            if (outcome.fatal) {
                report.end = *outcome.fatal;
                report.message = outcome.message;
                break;
            }
            if (stopping) break;
            if (outcome.productive) attempt = 0;
            const auto delay = reconnect_delay(attempt, unit(random), settings.backoff_first,
                                               settings.backoff_max);
            if (attempt < 16) ++attempt;
            log(log_level::warning, where() + ": " + outcome.message + "; connecting again in " +
                                        std::to_string(delay.count() / 1000) + "." +
                                        std::to_string(delay.count() % 1000 / 100) + " s (" +
                                        std::to_string(spool_.stats().pending) +
                                        " samples waiting in the spool)");
            backoff_timer.expires_after(delay);
            error_code ec;
            co_await backoff_timer.async_wait(net::redirect_error(net::use_awaitable, ec));
        }
        request_stop();
    }

    // Connects, upgrades and streams until the connection ends. Returns why.
    // `false`: no permessage-deflate, which windash never negotiates (its code paths were a
    // sixth of this file's compile time).
    template <class Stream>
    net::awaitable<session_outcome> session(websocket::stream<Stream, false>& ws) {
        error_code ec;
        auto& tcp = beast::get_lowest_layer(ws);
        net::ip::tcp::resolver resolver(ioc);
        auto endpoints = co_await resolver.async_resolve(
            settings.server.host, std::to_string(settings.server.port),
            net::redirect_error(net::use_awaitable, ec));
        if (ec) co_return session_outcome{{}, "resolving the host failed: " + ec.message()};
        tcp.expires_after(settings.connect_timeout);
        co_await tcp.async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
        if (ec) co_return session_outcome{{}, "connecting failed: " + ec.message()};
#if WINDASH_TLS
        if constexpr (std::is_same_v<Stream, pairing::tls_stream>) {
            pairing::expect_server_name(ws.next_layer(), settings.server.host);
            co_await ws.next_layer().async_handshake(net::ssl::stream_base::client,
                                                     net::redirect_error(net::use_awaitable, ec));
            if (ec) co_return session_outcome{{}, "the TLS handshake failed: " + ec.message()};
        }
#endif
        tcp.expires_never();  // from here on the WebSocket's own timeouts apply

        websocket::stream_base::timeout timeouts;
        timeouts.handshake_timeout = settings.connect_timeout;
        timeouts.idle_timeout = settings.silence_timeout;
        timeouts.keep_alive_pings = true;
        ws.set_option(timeouts);
        ws.set_option(websocket::stream_base::decorator([this](websocket::request_type& req) {
            req.set(beast::http::field::authorization, "Bearer " + settings.token);
            req.set(beast::http::field::user_agent, settings.hello.agent);
        }));
        ws.read_message_max(max_reply_bytes);
        // A batch goes out as one frame, masked in 64 KiB steps. Beast's defaults (4 KiB, each
        // step its own frame) cut a 30-sample batch into six frames, which the server reads
        // one by one; as one frame the same server acknowledged 1.39x the samples per second
        // under load (bench/ingest/README.md).
        ws.auto_fragment(false);
        ws.write_buffer_bytes(64 * 1024);
        websocket::response_type answer;
        co_await ws.async_handshake(answer, settings.server.host_header(),
                                    "/agent?hostId=" + settings.host_id,
                                    net::redirect_error(net::use_awaitable, ec));
        if (ec == websocket::error::upgrade_declined) co_return refused(answer);
        if (ec) co_return session_outcome{{}, "the WebSocket upgrade failed: " + ec.message()};
        ++report.connections;
        log(log_level::info, "connected to " + where() + "; " +
                                 std::to_string(spool_.stats().pending) +
                                 " samples to send from the spool");
        ws.text(true);
        std::string frame;
        protocol::write_hello(frame, settings.hello);
        co_await ws.async_write(net::buffer(frame), net::redirect_error(net::use_awaitable, ec));
        if (ec) co_return session_outcome{{}, "sending hello failed: " + ec.message()};

        connection conn;
        conn.next_index = spool_.begin();
        net::co_spawn(ioc, read_loop(ws, conn), net::detached);
        co_await write_loop(ws, conn);
        if (!conn.reader_done) {
            error_code ignored;
            tcp.socket().close(ignored);  // ends the pending read
        }
        while (!conn.reader_done) {  // bounded: the read ends with the socket or the close
            wake.expires_at(std::chrono::steady_clock::time_point::max());
            co_await wake.async_wait(net::redirect_error(net::use_awaitable, ec));
        }
        session_outcome out;
        out.productive = conn.productive;
        out.message = conn.ended_because.empty() ? "the connection ended" : conn.ended_because;
        if (conn.spool_error) {
            out.fatal = stream_end::spool_failed;
            out.message = *conn.spool_error;
        }
        co_return out;
    }

    session_outcome refused(const websocket::response_type& answer) const {
        const auto status = answer.result_int();
        const std::string body = answer.body().substr(0, 200);
        session_outcome out;
        switch (status) {
            case 401:
                out.fatal = stream_end::token_refused;
                out.message = where() +
                              " refused this device's token (401): the device was deleted or "
                              "its token replaced. Pair this machine again: windash-agent pair "
                              "--server " +
                              settings.server.origin();
                break;
            case 409:
                out.fatal = stream_end::host_mismatch;
                out.message = where() +
                              ": the token belongs to a device paired for another "
                              "hostId (409); pair again or set --host-id";
                break;
            case 400:
                out.fatal = stream_end::bad_host_id;
                out.message = where() + ": the server refused the hostId (400) " + body;
                break;
            default:
                out.message =
                    "the server answered HTTP " + std::to_string(status) + " instead of upgrading";
        }
        return out;
    }

    struct connection {
        std::deque<in_flight> batches;
        std::uint64_t next_index = 0;  // spool index of the next sample to send
        std::uint64_t next_seq = 1;
        bool ended = false;
        bool closing = false;
        bool reader_done = false;
        bool productive = false;
        std::string ended_because;
        std::optional<std::string> spool_error;

        void end(std::string why) {
            if (ended) return;
            ended = true;
            ended_because = std::move(why);
        }
    };

    template <class WS>
    net::awaitable<void> write_loop(WS& ws, connection& conn) {
        std::string frame;
        error_code ec;
        while (!conn.ended && !stopping && !conn.closing) {
            if (conn.batches.size() >= settings.window || conn.next_index >= spool_.end()) {
                wake.expires_at(std::chrono::steady_clock::time_point::max());
                co_await wake.async_wait(net::redirect_error(net::use_awaitable, ec));
                continue;
            }
            frame.clear();
            frame += R"({"type":"metrics","seq":)";
            frame += std::to_string(conn.next_seq);
            frame += R"(,"samples":[)";
            auto read =
                spool_.read(conn.next_index, settings.max_batch_samples,
                            protocol::message_limits::max_frame_bytes - envelope_bytes, frame);
            if (!read) {
                conn.spool_error = "reading the spool failed: " + read.error().message;
                conn.end(*conn.spool_error);
                break;
            }
            if (read->samples == 0) {
                conn.next_index = read->next;
                continue;
            }
            frame += "]}";
            conn.batches.push_back({conn.next_seq, read->next, read->samples});
            conn.next_index = read->next;
            ++conn.next_seq;
            co_await ws.async_write(net::buffer(frame),
                                    net::redirect_error(net::use_awaitable, ec));
            if (ec) conn.end("sending a batch failed: " + ec.message());
        }
        if (stopping && !conn.closing && !conn.ended) {
            conn.closing = true;
            co_await ws.async_close(websocket::close_code::normal,
                                    net::redirect_error(net::use_awaitable, ec));
        }
    }

    template <class WS>
    net::awaitable<void> read_loop(WS& ws, connection& conn) {
        beast::flat_buffer buffer;
        error_code ec;
        while (!conn.ended) {
            buffer.clear();
            co_await ws.async_read(buffer, net::redirect_error(net::use_awaitable, ec));
            if (ec) {
                if (ec == websocket::error::closed) {
                    const auto& reason = ws.reason();
                    conn.end("the server closed the connection (" + std::to_string(reason.code) +
                             (reason.reason.empty()
                                  ? ""
                                  : " " + std::string(reason.reason.data(), reason.reason.size())) +
                             ")");
                } else {
                    conn.end("the connection failed: " + ec.message());
                }
                break;
            }
            auto reply = parse_server_reply(beast::buffers_to_string(buffer.data()));
            if (!reply) {
                conn.end(reply.error().message);
                break;
            }
            if (auto* e = std::get_if<protocol::error_message>(&*reply)) {
                log(log_level::warning, "the server reported " + e->code + ": " + e->message);
                continue;
            }
            if (!on_ack(std::get<protocol::ack>(*reply), conn)) break;
        }
        conn.reader_done = true;
        wake.cancel();
    }

    // Matches an ack with the oldest batch in flight; false ends the connection.
    bool on_ack(const protocol::ack& a, connection& conn) {
        if (conn.batches.empty()) {
            conn.end("the server acknowledged a batch that was not sent");
            return false;
        }
        const in_flight batch = conn.batches.front();
        const auto total = a.accepted + a.duplicates + a.rejected.size();
        if ((a.seq && *a.seq != batch.seq) || total != batch.samples) {
            conn.end("the server's ack (seq " + (a.seq ? std::to_string(*a.seq) : "none") + ", " +
                     std::to_string(total) + " samples) does not match batch " +
                     std::to_string(batch.seq) + " of " + std::to_string(batch.samples) +
                     " samples");
            return false;
        }
        for (const auto& r : a.rejected) {
            log(log_level::warning, "the server rejected sample " + std::to_string(r.index) +
                                        " of batch " + std::to_string(batch.seq) + ": " + r.error +
                                        " (it is not sent again)");
        }
        conn.batches.pop_front();
        if (auto done = spool_.acknowledge(batch.spool_end); !done) {
            conn.spool_error = "updating the spool failed: " + done.error().message;
            conn.end(*conn.spool_error);
            return false;
        }
        report.acknowledged += a.accepted + a.duplicates;
        report.rejected += a.rejected.size();
        conn.productive = true;
        wake.cancel();
        return true;
    }
};

streamer::streamer(stream_settings settings, spool& s, stream_hooks hooks)
    : impl_(std::make_unique<impl>(std::move(settings), s, std::move(hooks))) {}

streamer::~streamer() = default;

stream_report streamer::run() {
    auto& m = *impl_;
    if (m.settings.server.tls) {
#if WINDASH_TLS
        auto ctx = pairing::tls_client_context(m.settings.ca_file);
        if (!ctx) {
            m.report.end = stream_end::bad_settings;
            m.report.message = ctx.error().message;
            return m.report;
        }
        m.tls.emplace(std::move(*ctx));
#else
        m.report.end = stream_end::bad_settings;
        m.report.message = pairing::tls_unavailable;
        return m.report;
#endif
    }
    std::optional<net::signal_set> signals;
    if (m.settings.stop_on_signals) {
        signals.emplace(m.ioc, SIGINT, SIGTERM);
        signals->async_wait([&m](error_code ec, int) {
            if (!ec) m.request_stop();
        });
    }
    net::co_spawn(m.ioc, m.collect_loop(), net::detached);
    net::co_spawn(m.ioc, m.connect_loop(), [&](std::exception_ptr) {
        if (signals) signals->cancel();
    });
    m.ioc.run();
    return m.report;
}

void streamer::stop() {
    net::post(impl_->ioc, [this] { impl_->request_stop(); });
}

}  // namespace windash::agent
