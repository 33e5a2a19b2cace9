#include "http/envelope.hpp"

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "core/utf8.hpp"

namespace gomall::http {
namespace {

// Money travels through Boost.JSON as a string starting with this marker; serialize_json()
// rewrites the whole quoted string into a bare decimal number. Request validation rejects
// control characters, so no user-supplied string can carry the marker.
constexpr std::string_view kMoneyMarker = "\x01money:";
constexpr std::string_view kEscapedMarker = "\"\\u0001money:";

// Appends `s` as a JSON string literal. `s` must be UTF-8 (valid_utf8 or our own text): bytes from
// 0x80 up are copied as they are; quote, backslash and control characters are escaped.
void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : s) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (byte < 0x20) {
            out.append("\\u00");
            out.push_back(kHex[byte >> 4U]);
            out.push_back(kHex[byte & 0xfU]);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

// The envelope around data that is already JSON text: no JSON tree is built for the wrapper.
std::string success_body(const Request& req, std::string_view data_json) {
    static constexpr std::string_view kHead = R"({"code":0,"message":"success","data":)";
    static constexpr std::string_view kTraceField = R"(,"trace_id":)";
    std::string body;
    body.reserve(kHead.size() + data_json.size() + kTraceField.size() + req.trace_id.size() + 3);
    body.append(kHead).append(data_json).append(kTraceField);
    append_json_string(body, req.trace_id);
    body.push_back('}');
    return body;
}

}  // namespace

int http_status_for(ErrorCode code) {
    switch (code) {
        case ErrorCode::kOk:
            return 200;
        case ErrorCode::kBadRequest:
        case ErrorCode::kWrongOldPassword:
        case ErrorCode::kCategoryNotFound:
        case ErrorCode::kNothingToCheckout:
        case ErrorCode::kCartQuantityLimit:
        case ErrorCode::kInvalidActivityWindow:
        case ErrorCode::kUploadNoFile:
        case ErrorCode::kUploadTooManyFiles:
        case ErrorCode::kUploadMalformed:
        case ErrorCode::kUploadImageTooLarge:
        case ErrorCode::kRefundTooLarge:
            return 400;
        case ErrorCode::kUnauthorized:
        case ErrorCode::kInvalidCredentials:
        case ErrorCode::kTokenInvalid:
        case ErrorCode::kRefreshTokenInvalid:
            return 401;
        case ErrorCode::kForbidden:
        case ErrorCode::kDirectPayDisabled:
        case ErrorCode::kSeckillTokenRequired:
            return 403;
        case ErrorCode::kNotFound:
        case ErrorCode::kUserNotFound:
        case ErrorCode::kProductNotFound:
        case ErrorCode::kOrderNotFound:
        case ErrorCode::kCartItemNotFound:
        case ErrorCode::kActivityNotFound:
        case ErrorCode::kPaymentNotStarted:
            return 404;
        case ErrorCode::kMethodNotAllowed:
            return 405;
        case ErrorCode::kConflict:
        case ErrorCode::kUsernameTaken:
        case ErrorCode::kOrderStatusConflict:
        case ErrorCode::kInsufficientStock:
        case ErrorCode::kProductUnavailable:
        case ErrorCode::kCartProductUnavailable:
        case ErrorCode::kSoldOut:
        case ErrorCode::kNotStarted:
        case ErrorCode::kEnded:
        case ErrorCode::kLimitReached:
        case ErrorCode::kActivityRunning:
        case ErrorCode::kPaymentAttemptsExhausted:
            return 409;
        case ErrorCode::kPayloadTooLarge:
        case ErrorCode::kUploadTooLarge:
            return 413;
        case ErrorCode::kUriTooLong:
            return 414;
        case ErrorCode::kHeaderFieldsTooLarge:
            return 431;
        case ErrorCode::kUnsupportedMediaType:
        case ErrorCode::kUploadUnsupportedType:
            return 415;
        case ErrorCode::kTooManyRequests:
        case ErrorCode::kAccountLocked:
        case ErrorCode::kLoginRateLimited:
        case ErrorCode::kSeckillRateLimited:
            return 429;
        case ErrorCode::kUnavailable:
        case ErrorCode::kSeckillBusy:
        case ErrorCode::kPaymentUnavailable:
        case ErrorCode::kPaymentNotConfigured:
            return 503;
        case ErrorCode::kPaymentRejected:
            return 502;
        case ErrorCode::kInternal:
            return 500;
    }
    return 500;
}

boost::json::value money_json(Cents cents) {
    std::string marked(kMoneyMarker);
    marked += std::to_string(cents);
    return boost::json::string(marked);
}

std::string serialize_json(const boost::json::value& value) {
    std::string text = boost::json::serialize(value);
    std::size_t pos = text.find(kEscapedMarker);
    if (pos == std::string::npos) {
        return text;
    }
    std::string out;
    out.reserve(text.size());
    std::size_t copied = 0;
    while (pos != std::string::npos) {
        const std::size_t digits_begin = pos + kEscapedMarker.size();
        const std::size_t close = text.find('"', digits_begin);
        if (close == std::string::npos) {
            break;
        }
        out.append(text, copied, pos - copied);
        const std::string digits = text.substr(digits_begin, close - digits_begin);
        out += format_yuan(std::stoll(digits));
        copied = close + 1;
        pos = text.find(kEscapedMarker, copied);
    }
    out.append(text, copied, std::string::npos);
    return out;
}

Response ok(const Request& req, const boost::json::value& data, int status) {
    Response res;
    res.status = status;
    res.body = success_body(req, serialize_json(data));
    return res;
}

Response ok_encoded(const Request& req, std::string_view data_json) {
    Response res;
    res.status = 200;
    res.body = success_body(req, data_json);
    return res;
}

Response error_response(const Request& req, const Error& error) {
    // Written as text, in the order code, message, data, trace_id: a refusal (sold out, rate
    // limited) is the commonest answer of a flash sale and must cost little.
    Response res;
    res.status = http_status_for(error.code);
    std::string& body = res.body;
    body.reserve(96 + error.message.size() + error.field.size() + req.trace_id.size());
    body.append(R"({"code":)").append(std::to_string(static_cast<int>(error.code))).append(R"(,"message":)");
    append_json_string(body, valid_utf8(error.message));
    if (error.field.empty()) {
        body.append(R"(,"data":null)");
    } else {
        body.append(R"(,"data":{"field":)");
        append_json_string(body, valid_utf8(error.field));
        body.push_back('}');
    }
    body.append(R"(,"trace_id":)");
    append_json_string(body, req.trace_id);
    body.push_back('}');
    if (error.retry_after.count() > 0) {
        res.set_header("Retry-After", std::to_string(error.retry_after.count()));
    }
    return res;
}

Response error_response(const Request& req, ErrorCode code, std::string message, std::string field) {
    return error_response(req, Error{code, std::move(message), std::move(field)});
}

boost::json::object page_object(boost::json::array items, std::int64_t total, int page, int page_size) {
    boost::json::object out;
    out["list"] = std::move(items);
    out["total"] = total;
    out["page"] = page;
    out["page_size"] = page_size;
    out["total_page"] = page_size > 0 ? (total + page_size - 1) / page_size : 0;
    return out;
}

}  // namespace gomall::http
