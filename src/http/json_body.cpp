#include "http/json_body.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "http/json_duplicate_keys.hpp"

namespace gomall::http {
namespace {

Error field_error(std::string_view field, std::string_view problem) {
    return make_error(ErrorCode::kBadRequest, std::string(field) + ": " + std::string(problem), std::string(field));
}

bool has_forbidden_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\n' && c != '\t' && c != '\r') || u == 0x7f;
    });
}

bool is_json_content_type(std::string_view value) {
    const auto semi = value.find(';');
    std::string_view mime = value.substr(0, semi);
    while (!mime.empty() && mime.back() == ' ') {
        mime.remove_suffix(1);
    }
    std::string lower(mime);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return lower == "application/json";
}

std::string length_problem(std::size_t min_len, std::size_t max_len) {
    if (min_len == max_len) {
        return "must be exactly " + std::to_string(min_len) + " characters";
    }
    return "must be " + std::to_string(min_len) + "-" + std::to_string(max_len) + " characters";
}

Result<Cents> money_from_value(std::string_view name, const boost::json::value& v, Cents min, Cents max) {
    std::optional<Cents> cents;
    if (v.is_int64() || v.is_uint64()) {
        const auto yuan = v.is_int64() ? v.get_int64()
                                       : static_cast<std::int64_t>(std::min<std::uint64_t>(v.get_uint64(), INT64_MAX));
        if (yuan <= max / 100 + 1 && yuan >= min / 100 - 1) {
            cents = yuan * 100;
        }
    } else if (v.is_double()) {
        const double d = v.get_double();
        if (std::isfinite(d) && std::fabs(d) < 9e13) {
            const auto c = static_cast<Cents>(std::llround(d * 100.0));
            // Accept only values with at most two decimals: the cents must reproduce the number.
            if (std::fabs(static_cast<double>(c) / 100.0 - d) <= 1e-9 * std::max(1.0, std::fabs(d))) {
                cents = c;
            }
        }
    } else if (v.is_string()) {
        cents = parse_yuan(std::string_view(v.get_string()));
    } else {
        return field_error(name, "must be a number");
    }
    if (!cents) {
        return field_error(name, "must be an amount in yuan with at most two decimals");
    }
    if (*cents < min || *cents > max) {
        return field_error(name, "must be between " + format_yuan(min) + " and " + format_yuan(max));
    }
    return *cents;
}

}  // namespace

std::optional<std::size_t> utf8_length(std::string_view s) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        if (c < 0x80) {
            len = 1;
        } else if ((c >> 5) == 0x6 && c >= 0xc2) {
            len = 2;
        } else if ((c >> 4) == 0xe) {
            len = 3;
        } else if ((c >> 3) == 0x1e && c <= 0xf4) {
            len = 4;
        } else {
            return std::nullopt;
        }
        if (i + len > s.size()) {
            return std::nullopt;
        }
        for (std::size_t k = 1; k < len; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) {
                return std::nullopt;
            }
        }
        i += len;
        ++count;
    }
    return count;
}

Result<JsonBody> JsonBody::parse(const Request& req, std::initializer_list<std::string_view> allowed) {
    const auto content_type = req.header("content-type");
    if (!is_json_content_type(content_type)) {
        return make_error(ErrorCode::kUnsupportedMediaType, "Content-Type must be application/json");
    }
    if (req.body.empty()) {
        return make_error(ErrorCode::kBadRequest, "request body must be a JSON object");
    }
    boost::json::parse_options options;
    options.max_depth = 16;
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(req.body, ec, {}, options);
    if (ec) {
        return make_error(ErrorCode::kBadRequest, "malformed JSON: " + ec.message());
    }
    if (!parsed.is_object()) {
        return make_error(ErrorCode::kBadRequest, "request body must be a JSON object");
    }
    if (has_duplicate_keys(req.body)) {
        return make_error(ErrorCode::kBadRequest, "malformed JSON: an object names the same field twice");
    }
    auto& object = parsed.as_object();
    for (const auto& entry : object) {
        const std::string_view key = entry.key();
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            const std::string shown =
                utf8_length(key) && key.size() <= 64 && !has_forbidden_control(key) ? std::string(key) : "?";
            return make_error(ErrorCode::kBadRequest, shown + ": unknown field", shown);
        }
    }
    return JsonBody(std::move(object));
}

bool JsonBody::has(std::string_view name) const {
    const auto* v = object_.if_contains(name);
    return v != nullptr && !v->is_null();
}

Result<std::optional<std::string>> JsonBody::optional_string(
    std::string_view name, std::size_t min_len, std::size_t max_len
) const {
    const auto* v = object_.if_contains(name);
    if (v == nullptr || v->is_null()) {
        return std::optional<std::string>{};
    }
    if (!v->is_string()) {
        return field_error(name, "must be a string");
    }
    std::string_view s = v->get_string();
    const auto len = utf8_length(s);
    if (!len) {
        return field_error(name, "must be valid UTF-8");
    }
    if (has_forbidden_control(s)) {
        return field_error(name, "must not contain control characters");
    }
    if (*len < min_len || *len > max_len) {
        return field_error(name, length_problem(min_len, max_len));
    }
    return std::optional<std::string>{std::string(s)};
}

Result<std::string> JsonBody::required_string(std::string_view name, std::size_t min_len, std::size_t max_len) const {
    if (!has(name)) {
        return field_error(name, "is required");
    }
    auto r = optional_string(name, min_len, max_len);
    if (!r.ok()) {
        return r.error();
    }
    return std::move(*r.value());
}

Result<std::optional<std::int64_t>> JsonBody::optional_int(std::string_view name, std::int64_t min, std::int64_t max)
    const {
    const auto* v = object_.if_contains(name);
    if (v == nullptr || v->is_null()) {
        return std::optional<std::int64_t>{};
    }
    std::int64_t n = 0;
    if (v->is_int64()) {
        n = v->get_int64();
    } else if (v->is_uint64()) {
        return field_error(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    } else if (v->is_double()) {
        const double d = v->get_double();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) {
            n = static_cast<std::int64_t>(d);
        } else {
            return field_error(name, "must be an integer");
        }
    } else {
        return field_error(name, "must be an integer");
    }
    if (n < min || n > max) {
        return field_error(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return std::optional<std::int64_t>{n};
}

Result<std::int64_t> JsonBody::required_int(std::string_view name, std::int64_t min, std::int64_t max) const {
    if (!has(name)) {
        return field_error(name, "is required");
    }
    auto r = optional_int(name, min, max);
    if (!r.ok()) {
        return r.error();
    }
    return *r.value();
}

Result<std::optional<Cents>> JsonBody::optional_money(std::string_view name, Cents min, Cents max) const {
    const auto* v = object_.if_contains(name);
    if (v == nullptr || v->is_null()) {
        return std::optional<Cents>{};
    }
    auto r = money_from_value(name, *v, min, max);
    if (!r.ok()) {
        return r.error();
    }
    return std::optional<Cents>{r.value()};
}

Result<Cents> JsonBody::required_money(std::string_view name, Cents min, Cents max) const {
    if (!has(name)) {
        return field_error(name, "is required");
    }
    return money_from_value(name, object_.at(name), min, max);
}

Result<std::optional<bool>> JsonBody::optional_bool(std::string_view name) const {
    const auto* v = object_.if_contains(name);
    if (v == nullptr || v->is_null()) {
        return std::optional<bool>{};
    }
    if (!v->is_bool()) {
        return field_error(name, "must be true or false");
    }
    return std::optional<bool>{v->get_bool()};
}

Result<std::int64_t> query_int(
    const Request& req, std::string_view name, std::int64_t fallback, std::int64_t min, std::int64_t max
) {
    const auto raw = req.query_param(name);
    if (!raw || raw->empty()) {
        return fallback;
    }
    std::int64_t n = 0;
    const auto* end = raw->data() + raw->size();
    const auto [ptr, ec] = std::from_chars(raw->data(), end, n);
    if (ec != std::errc{} || ptr != end) {
        return field_error(name, "must be an integer");
    }
    if (n < min || n > max) {
        return field_error(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return n;
}

Result<std::int64_t> path_id(const Request& req, std::string_view name) {
    const auto raw = req.param(name);
    std::int64_t n = 0;
    const auto* end = raw.data() + raw.size();
    const auto [ptr, ec] = std::from_chars(raw.data(), end, n);
    if (raw.empty() || ec != std::errc{} || ptr != end || n <= 0) {
        return field_error(name, "must be a positive integer");
    }
    return n;
}

}  // namespace gomall::http
