#include "protocol/cpu_check.hpp"
#include "protocol/plain_scanner.hpp"
#include "protocol/read_state.hpp"
#include "protocol/sample_reader.hpp"
#include <windash/protocol/frame_parser.hpp>

#include <fmt/format.h>

#include <cstring>

namespace windash::protocol {

using detail::field_path;
namespace od = simdjson::ondemand;
using detail::status;

static_assert(frame_parser::padding >= simdjson::SIMDJSON_PADDING);

struct frame_parser::impl {
    explicit impl(frame_parser_options o)
        : options(o), samples_rule(detail::rule::samples(o.max_samples)) {}

    frame_parser_options options;
    std::string samples_rule;  // names options.max_samples
    od::parser ondemand;
    simdjson::dom::parser strict;  // used only when the fast pass stopped early somewhere
    std::string copy;              // padded copy for parse()
    metrics_batch batch;
    struct hello hello;

    boost::system::result<message_type, frame_error> parse(std::string_view frame,
                                                           std::string_view expected_host_id);
    status read_message(od::document& document, detail::read_state& state,
                        std::string_view expected_host_id, std::string_view& type);
    status read_samples(od::value value, detail::read_state& state,
                        std::string_view expected_host_id);
    boost::system::result<message_type, frame_error> verdict(std::string_view frame,
                                                             const detail::read_state& state,
                                                             status outcome, std::string_view type);
};

namespace {

frame_error make_frame_error(errc code, std::string message) {
    return {make_error_code(code), std::move(message)};
}

frame_error syntax_error(simdjson::error_code e) {
    return make_frame_error(errc::invalid_json,
                            fmt::format("invalid JSON: {}", simdjson::error_message(e)));
}

status read_hello_text(od::value value, std::string& out, std::string_view name,
                       detail::read_state& state) {
    return detail::read_string(value, out, 0, message_limits::max_hello_field, {name},
                               detail::rule::hello_text, state);
}

// True when the document has been read to its last byte (no trailing value or bracket).
bool at_end(od::document& document) {
    return document.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

}  // namespace

boost::system::result<message_type, frame_error> frame_parser::impl::parse(
    std::string_view frame, std::string_view expected_host_id) {
    if (frame.size() > options.max_frame_bytes)
        return make_frame_error(errc::frame_too_large,
                                fmt::format("frame: must be at most {} bytes, got {}",
                                            options.max_frame_bytes, frame.size()));
    od::document document;
    if (auto e = ondemand.iterate(frame.data(), frame.size(), frame.size() + padding).get(document))
        return syntax_error(e);  // stage 1: bad UTF-8, unclosed string, control character
    // Agents write frames the plain way: read those straight from the text, and everything else
    // (hello, escapes, unknown fields, invalid samples) value by value.
    if (options.plain_fast_path &&
        detail::scan_plain_metrics(frame, options.max_samples, batch, expected_host_id)) {
        hello = {};  // as the general path leaves it after a metrics frame
        return message_type::metrics;
    }
    detail::read_state state;
    std::string_view type;
    status outcome = read_message(document, state, expected_host_id, type);
    if (outcome == status::ok && !at_end(document)) outcome = state.abort(simdjson::TAPE_ERROR);
    return verdict(frame, state, outcome, type);
}

// Decides between success, a syntax error and a schema error. Whenever the fast pass stopped
// early, a strict DOM parse of the same bytes decides whether they were JSON at all, so
// windash never accepts or classifies differently from a strict parser.
boost::system::result<message_type, frame_error> frame_parser::impl::verdict(
    std::string_view frame, const detail::read_state& state, status outcome,
    std::string_view type) {
    if (state.unverified) {
        if (auto e = strict.parse(frame.data(), frame.size(), false).error())
            return syntax_error(e);
    }
    if (outcome == status::aborted)  // the strict parser accepted what On-Demand could not read
        return make_frame_error(errc::out_of_range,
                                fmt::format("message: unsupported JSON ({})",
                                            simdjson::error_message(state.json_error)));
    if (outcome == status::rejected) return make_frame_error(state.code, state.message());
    if (type == "metrics") {
        if (batch.samples.empty() && batch.rejected.empty())
            return make_frame_error(errc::missing_field, "samples: is required");
        return message_type::metrics;
    }
    if (type == "hello") return message_type::hello;
    if (type.empty()) return make_frame_error(errc::missing_field, "type: is required");
    return make_frame_error(errc::unknown_message_type,
                            fmt::format("type: {}", detail::rule::type));
}

status frame_parser::impl::read_message(od::document& document, detail::read_state& state,
                                        std::string_view expected_host_id, std::string_view& type) {
    od::object object;
    if (document.get_object().get(object))
        return state.reject(errc::not_an_object, {"message"}, detail::rule::message);
    // Samples are overwritten in place (read_samples trims the tail), so their strings and
    // vectors keep their capacity from frame to frame.
    batch.seq.reset();
    batch.rejected.clear();
    hello = {};
    bool has_samples = false;
    const status outcome = detail::for_each_field(object, state, [&](auto key, od::value value) {
        if (key.is("type")) {
            if (value.get_string().get(type) || (type != "metrics" && type != "hello"))
                return state.reject(errc::unknown_message_type, {"type"}, detail::rule::type);
            return status::ok;
        }
        if (key.is("samples")) {
            has_samples = true;
            return read_samples(value, state, expected_host_id);
        }
        if (key.is("seq")) {
            std::uint64_t seq = 0;
            WINDASH_TRY_READ(detail::read_u64(value, seq, {"seq"}, state));
            batch.seq = seq;
            return status::ok;
        }
        if (key.is("agent")) return read_hello_text(value, hello.agent, "agent", state);
        if (key.is("os")) return read_hello_text(value, hello.os, "os", state);
        if (key.is("hostname")) return read_hello_text(value, hello.hostname, "hostname", state);
        if (key.is("cores")) {
            std::uint64_t cores = 0;
            WINDASH_TRY_READ(detail::read_u64(value, cores, {"cores"}, state));
            hello.cores = cores;
            return status::ok;
        }
        return status::unmatched;
    });
    if (outcome != status::ok) return outcome;
    if (!has_samples) batch.samples.clear();
    return status::ok;
}

status frame_parser::impl::read_samples(od::value value, detail::read_state& state,
                                        std::string_view expected_host_id) {
    od::array array;
    if (value.get_array().get(array))
        return state.reject(errc::wrong_type, {"samples"}, samples_rule);
    auto& samples = batch.samples;
    std::size_t index = 0, count = 0;
    detail::sample_reader reader(state, expected_host_id);
    for (auto element_result : array) {
        od::value element;
        if (auto e = std::move(element_result).get(element)) return state.abort(e);
        if (index == options.max_samples)
            return state.reject(errc::out_of_range, {"samples"}, samples_rule);
        if (count == samples.size()) samples.emplace_back();
        // The plain fast path leaves the element unread; the iterator then skips it whole.
        if (options.plain_fast_path &&
            detail::scan_plain_sample(element.raw_json_token().data(), samples[count],
                                      expected_host_id)) {
            ++count, ++index;
            continue;
        }
        const status outcome = reader.read(element, samples[count]);
        if (outcome == status::aborted) return outcome;
        if (outcome == status::ok)
            ++count;
        else
            batch.rejected.push_back({index, state.message(fmt::format("samples[{}].", index))});
        ++index;
    }
    if (index == 0) return state.reject(errc::out_of_range, {"samples"}, samples_rule);
    samples.resize(count);
    return status::ok;
}

frame_parser::frame_parser(frame_parser_options options) {
    detail::require_cpu_support();
    impl_ = std::make_unique<impl>(options);
}
frame_parser::~frame_parser() = default;
frame_parser::frame_parser(frame_parser&&) noexcept = default;
frame_parser& frame_parser::operator=(frame_parser&&) noexcept = default;

boost::system::result<message_type, frame_error> frame_parser::parse(
    std::string_view frame, std::string_view expected_host_id) {
    auto& copy = impl_->copy;
    if (copy.size() < frame.size() + padding) copy.resize(frame.size() + padding);
    std::memcpy(copy.data(), frame.data(), frame.size());
    return impl_->parse({copy.data(), frame.size()}, expected_host_id);
}

boost::system::result<message_type, frame_error> frame_parser::parse_padded(
    std::string_view frame, std::string_view expected_host_id) {
    return impl_->parse(frame, expected_host_id);
}

metrics_batch& frame_parser::batch() noexcept { return impl_->batch; }

const struct hello& frame_parser::hello() const noexcept { return impl_->hello; }

}  // namespace windash::protocol
