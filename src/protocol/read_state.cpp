#include "protocol/read_state.hpp"

#include <fmt/format.h>

namespace windash::protocol::detail {

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
