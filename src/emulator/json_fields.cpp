#include "emulator/json_fields.hpp"

#include <boost/json/parse.hpp>

#include "http/json_body.hpp"
#include "http/json_duplicate_keys.hpp"

namespace gomall::emulator {
namespace {

constexpr std::size_t kMaxDepth = 8;  // WeChat's bodies nest two levels; deeper is hostile

}  // namespace

Result<boost::json::object> parse_json_object(std::string_view body) {
    boost::json::parse_options options;
    options.max_depth = kMaxDepth;
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec, {}, options);
    if (ec) {
        return make_error(ErrorCode::kBadRequest, "the body is not valid JSON: " + ec.message());
    }
    if (!value.is_object()) {
        return make_error(ErrorCode::kBadRequest, "the body must be a JSON object");
    }
    if (http::has_duplicate_keys(body)) {
        return make_error(ErrorCode::kBadRequest, "the body names a field twice");
    }
    return std::move(value.as_object());
}

const boost::json::value* JsonFields::find(std::string_view name, bool required) {
    const auto* value = object_.if_contains(name);
    if (value == nullptr || value->is_null()) {
        if (required) {
            fail(std::string(name) + " is required");
        }
        return nullptr;
    }
    return value;
}

std::string JsonFields::text(std::string_view name, std::size_t max_chars, bool required) {
    const auto* value = find(name, required);
    if (value == nullptr) {
        return {};
    }
    if (!value->is_string()) {
        fail(std::string(name) + " must be a string");
        return {};
    }
    std::string text(value->as_string());
    const auto length = http::utf8_length(text);
    if (!length || *length == 0 || *length > max_chars) {
        fail(std::string(name) + " must be 1 to " + std::to_string(max_chars) + " characters of UTF-8");
        return {};
    }
    return text;
}

std::optional<std::int64_t> JsonFields::integer(
    std::string_view name, std::int64_t min, std::int64_t max, bool required
) {
    const auto* value = find(name, required);
    if (value == nullptr) {
        return std::nullopt;
    }
    std::optional<std::int64_t> number;
    if (value->is_int64()) {
        number = value->as_int64();
    } else if (value->is_uint64() && value->as_uint64() <= static_cast<std::uint64_t>(max)) {
        number = static_cast<std::int64_t>(value->as_uint64());
    }
    if (!number || *number < min || *number > max) {
        fail(std::string(name) + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
        return std::nullopt;
    }
    return number;
}

std::optional<bool> JsonFields::boolean(std::string_view name) {
    const auto* value = find(name, false);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (!value->is_bool()) {
        fail(std::string(name) + " must be true or false");
        return std::nullopt;
    }
    return value->as_bool();
}

const boost::json::object* JsonFields::object(std::string_view name, bool required) {
    const auto* value = find(name, required);
    if (value == nullptr) {
        return nullptr;
    }
    if (!value->is_object()) {
        fail(std::string(name) + " must be an object");
        return nullptr;
    }
    return &value->as_object();
}

void JsonFields::fail(std::string message) {
    if (!problem_) {
        problem_ = std::move(message);
    }
}

}  // namespace gomall::emulator
