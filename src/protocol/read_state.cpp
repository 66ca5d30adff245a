#include "protocol/read_state.hpp"

#include <windash/protocol/messages.hpp>

#include <fmt/format.h>

namespace windash::protocol::detail {

namespace rule {
using limits = sample_limits;
const std::string percent = fmt::format("must be a number in [0,{}]", limits::max_percent);
const std::string per_core = fmt::format("must be an array of at most {} numbers in [0,{}]",
                                         limits::max_cores, limits::max_percent);
const std::string freq = fmt::format("must be an array of at most {} numbers in [0,{}]",
                                     limits::max_cores, limits::max_frequency_mhz);
const std::string disks = fmt::format("must be an array of at most {} disks", limits::max_disks);
const std::string name = fmt::format("must be a string of 1 to {} bytes", limits::max_name_length);
const std::string load = fmt::format("must be an array of 3 numbers in [0,{}]", limits::max_load);
const std::string temps =
    fmt::format("must be an array of at most {} temperatures", limits::max_temperatures);
const std::string celsius =
    fmt::format("must be a number in [{},{}]", limits::min_celsius, limits::max_celsius);
const std::string host_id =
    fmt::format("must be 1 to {} characters of [A-Za-z0-9._-]", limits::max_host_id_length);
const std::string hello_text =
    fmt::format("must be a string of at most {} bytes", message_limits::max_hello_field);

std::string samples(std::size_t max_samples) {
    return fmt::format("must be an array of 1 to {} samples", max_samples);
}
}  // namespace rule

std::string field_path::str() const {
    if (index == no_index) return fmt::format("{}{}", base, suffix);
    return fmt::format("{}[{}]{}", base, index, suffix);
}

status read_state::reject(errc c, const field_path& path, std::string_view broken_rule) {
    unverified = true;
    code = c;
    where = path.str();
    rule = broken_rule;
    return status::rejected;
}

status read_state::abort(simdjson::error_code e) {
    unverified = true;
    json_error = e;
    return status::aborted;
}

std::string read_state::message(std::string_view prefix) const {
    return fmt::format("{}{}: {}", prefix, where, rule);
}

namespace {

status skip_object(od::value value, read_state& state) {
    od::object object;
    if (auto e = value.get_object().get(object)) return state.abort(e);
    for (auto field_result : object) {
        od::field field;
        std::string_view key;
        if (auto e = std::move(field_result).get(field)) return state.abort(e);
        if (auto e = field.unescaped_key().get(key)) return state.abort(e);
        WINDASH_TRY_READ(skip_checked(field.value(), state));
    }
    return status::ok;
}

status skip_array(od::value value, read_state& state) {
    od::array array;
    if (auto e = value.get_array().get(array)) return state.abort(e);
    for (auto element_result : array) {
        od::value element;
        if (auto e = std::move(element_result).get(element)) return state.abort(e);
        WINDASH_TRY_READ(skip_checked(element, state));
    }
    return status::ok;
}

}  // namespace

status skip_checked(od::value value, read_state& state) {
    od::json_type type;
    if (auto e = value.type().get(type)) return state.abort(e);
    simdjson::error_code e = simdjson::SUCCESS;
    switch (type) {
        case od::json_type::object:
            return skip_object(value, state);
        case od::json_type::array:
            return skip_array(value, state);
        case od::json_type::number:
            e = value.get_number().error();
            break;
        case od::json_type::string:
            e = value.get_string().error();
            break;
        case od::json_type::boolean:
            e = value.get_bool().error();
            break;
        case od::json_type::null: {
            bool is_null = false;
            e = value.is_null().get(is_null);
            if (!e && !is_null) e = simdjson::N_ATOM_ERROR;
            break;
        }
    }
    return e ? state.abort(e) : status::ok;
}

}  // namespace windash::protocol::detail
