// Reading and validating JSON request bodies and query parameters with errors that name the field.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/error.hpp"
#include "core/money.hpp"
#include "http/request.hpp"

namespace gomall::http {

/// A parsed JSON object body. parse() rejects: a non-JSON content type (415), malformed JSON,
/// a non-object top level, an object naming a field twice, and fields not in `allowed` (400
/// naming the field).
class JsonBody {
public:
    static Result<JsonBody> parse(const Request& req, std::initializer_list<std::string_view> allowed);

    bool has(std::string_view name) const;

    /// String fields: wrong type or length (in UTF-8 code points) out of [min,max] is a 400 naming the field.
    Result<std::string> required_string(std::string_view name, std::size_t min_len, std::size_t max_len) const;
    Result<std::optional<std::string>> optional_string(std::string_view name, std::size_t min_len, std::size_t max_len)
        const;

    /// Integer fields: must be JSON integers (not floats, not strings) within [min,max].
    Result<std::int64_t> required_int(std::string_view name, std::int64_t min, std::int64_t max) const;
    Result<std::optional<std::int64_t>> optional_int(std::string_view name, std::int64_t min, std::int64_t max) const;

    /// Money in yuan as a JSON number or numeric string with at most two decimals, converted exactly to cents.
    Result<Cents> required_money(std::string_view name, Cents min, Cents max) const;
    Result<std::optional<Cents>> optional_money(std::string_view name, Cents min, Cents max) const;

    Result<std::optional<bool>> optional_bool(std::string_view name) const;
    const boost::json::object& object() const { return object_; }

private:
    explicit JsonBody(boost::json::object object) : object_(std::move(object)) {}
    boost::json::object object_;
};

/// Query parameter as an integer in [min,max]; `fallback` when absent; 400 naming it when malformed.
Result<std::int64_t> query_int(
    const Request& req, std::string_view name, std::int64_t fallback, std::int64_t min, std::int64_t max
);
/// Path parameter as a positive id; 400 naming it when not a positive integer.
Result<std::int64_t> path_id(const Request& req, std::string_view name);

/// Number of UTF-8 code points; nullopt when `s` is not valid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view s);

/// Shortcut used by handlers: `GOMALL_TRY(auto x, expr)` unwraps a Result or returns its error envelope.
#define GOMALL_TRY_CONCAT_INNER(a, b) a##b
#define GOMALL_TRY_CONCAT(a, b) GOMALL_TRY_CONCAT_INNER(a, b)
// `decl` is a declaration ("const auto id"), which parentheses would break.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define GOMALL_TRY(decl, req, expr)                                                                     \
    auto GOMALL_TRY_CONCAT(gomall_try_, __LINE__) = (expr);                                             \
    if (!GOMALL_TRY_CONCAT(gomall_try_, __LINE__).ok())                                                 \
        return ::gomall::http::error_response((req), GOMALL_TRY_CONCAT(gomall_try_, __LINE__).error()); \
    decl = std::move(GOMALL_TRY_CONCAT(gomall_try_, __LINE__).value())
// NOLINTEND(bugprone-macro-parentheses)

}  // namespace gomall::http
